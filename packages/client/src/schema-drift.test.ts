import { describe, expect, it } from "vitest";
import { committedSchema, generateSchema } from "../scripts/generate-schema.js";

describe("the generated API types", () => {
  it("match packages/api/openapi.json", async () => {
    const regenerated = await generateSchema();
    expect(
      await committedSchema(),
      "packages/client/src/schema.d.ts is stale: run `npm run openapi` and commit it",
    ).toBe(regenerated);
  });
});
