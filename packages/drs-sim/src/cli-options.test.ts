import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCliArgs, USAGE } from "./cli-options.js";

const dir = mkdtempSync(join(tmpdir(), "drs-sim-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("CLI flags", () => {
  it("has defaults", () => {
    expect(parseCliArgs([])).toEqual({
      kind: "run",
      options: {
        host: "127.0.0.1",
        port: 4566,
        fleet: "demo",
        seed: 1,
        timeScale: 1,
        accounts: {},
        defaultAccountId: "123456789012",
        manualClock: false,
        logRequests: false,
      },
    });
  });

  it("parses every flag", () => {
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ throttleProbability: 0.1 }));
    const parsed = parseCliArgs([
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "--fleet",
      "empty",
      "--seed",
      "7",
      "--time-scale",
      "0.05",
      "--state-file",
      join(dir, "s.json"),
      "--config",
      config,
      "--account",
      "AKIDA=111122223333",
      "--account",
      "AKIDB=444455556666",
      "--default-account",
      "999988887777",
      "--manual-clock",
      "--log-requests",
    ]);
    expect(parsed).toEqual({
      kind: "run",
      options: {
        host: "0.0.0.0",
        port: 0,
        fleet: "empty",
        seed: 7,
        timeScale: 0.05,
        stateFile: join(dir, "s.json"),
        config: { throttleProbability: 0.1 },
        accounts: { AKIDA: "111122223333", AKIDB: "444455556666" },
        defaultAccountId: "999988887777",
        manualClock: true,
        logRequests: true,
      },
    });
  });

  it("reports bad flags clearly", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ nope: 1 }));
    const cases: [string[], RegExp][] = [
      [["--bogus"], /Unknown option/],
      [["--port", "70000"], /--port must be between/],
      [["--port", "x"], /--port must be an integer/],
      [["--seed", "-1"], /--seed/],
      [["--time-scale", "0"], /--time-scale/],
      [["--fleet", "/no/such/file.json"], /--fleet/],
      [["--account", "AKID=123"], /--account/],
      [["--default-account", "abc"], /--default-account/],
      [["--config", bad], /unknown knob 'nope'/],
      [["--config", join(dir, "missing.json")], /--config: cannot read/],
    ];
    for (const [args, message] of cases) {
      const parsed = parseCliArgs(args);
      expect(parsed.kind).toBe("error");
      expect(parsed.kind === "error" && parsed.message).toMatch(message);
    }
  });

  it("documents every flag in --help", () => {
    expect(parseCliArgs(["--help"])).toEqual({ kind: "help" });
    for (const flag of [
      "--host",
      "--port",
      "--fleet",
      "--seed",
      "--time-scale",
      "--state-file",
      "--config",
      "--account",
      "--default-account",
      "--manual-clock",
      "--log-requests",
      "--help",
    ]) {
      expect(USAGE).toContain(flag);
    }
  });
});
