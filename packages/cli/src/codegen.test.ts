import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { generateJsonSchema, JSON_SCHEMA_FILE } from "./codegen.js";

describe("the generated plans JSON Schema is up to date (run `npm run generate -w drsctl` when this fails)", () => {
  it("docs/schemas/plans-as-code.schema.json matches the zod schemas", async () => {
    const committed = await readFile(JSON_SCHEMA_FILE, "utf8");
    expect(committed).toBe(generateJsonSchema());
    const schema = JSON.parse(committed) as { required: string[]; $defs: Record<string, unknown> };
    expect(schema.required).toEqual(["apiVersion", "kind"]);
    expect(Object.keys(schema.$defs)).toEqual(
      expect.arrayContaining(["PlanFileWave", "ProtectionGroupInput"]),
    );
  });
});
