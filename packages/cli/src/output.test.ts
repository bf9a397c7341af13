import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { cellText, formatDuration, renderTable } from "./output.js";
import { VERSION } from "./version.js";

describe("output", () => {
  it("pads table columns to the widest cell and shows absent values as -", () => {
    const rows = [
      { name: "payments-db", servers: 1, tags: { App: "payments", Tier: "db" } },
      { name: "hr", servers: undefined, tags: {} },
    ];
    expect(
      renderTable(rows, [
        { header: "name", value: (r) => r.name },
        { header: "servers", value: (r) => r.servers },
        { header: "tags", value: (r) => r.tags },
      ]),
    ).toBe(
      ["NAME         SERVERS  TAGS", "payments-db  1        App=payments,Tier=db", "hr           -"].join(
        "\n",
      ) + "\n",
    );
  });

  it("keeps a cell on one line", () => {
    expect(cellText("a\nb\tc")).toBe("a b c");
    expect(cellText(["x", "y"])).toBe("x,y");
  });

  it("formats durations compactly", () => {
    expect(formatDuration(8)).toBe("8s");
    expect(formatDuration(125)).toBe("2m05s");
    expect(formatDuration(3600)).toBe("1h00m00s");
    expect(formatDuration(undefined)).toBe("-");
  });

  it("reports the package's version", async () => {
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
  });
});
