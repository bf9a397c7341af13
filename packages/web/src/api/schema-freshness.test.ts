// @vitest-environment node
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("generated API types", () => {
  it("match the committed OpenAPI document (run `npm run generate -w @drso/web` after `npm run openapi`)", () => {
    const document = readFileSync(new URL("../../../api/openapi.json", import.meta.url), "utf8");
    const generated = readFileSync(new URL("./schema.d.ts", import.meta.url), "utf8");
    const recorded = /openapi-sha256: ([0-9a-f]{64})/.exec(generated)?.[1];
    expect(recorded).toBe(createHash("sha256").update(document).digest("hex"));
  });
});
