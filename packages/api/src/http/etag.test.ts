import { ValidationError } from "@drso/core";
import { describe, expect, it } from "vitest";
import { etagOf, expectedVersion } from "./etag.js";

describe("If-Match parsing", () => {
  it("reads the version from this API's ETags and their lenient spellings", () => {
    expect(expectedVersion(etagOf(3))).toBe(3);
    expect(expectedVersion('W/"v3"')).toBe(3);
    expect(expectedVersion('"3"')).toBe(3);
    expect(expectedVersion("v3")).toBe(3);
    expect(expectedVersion(" 3 ")).toBe(3);
    expect(expectedVersion("*")).toBeUndefined();
    expect(expectedVersion(undefined)).toBeUndefined();
  });

  // Found by the abuse fuzzer: `"v1` (an unbalanced quote) was taken for version 1.
  it("refuses unbalanced quotes and other garbage with INVALID_IF_MATCH", () => {
    for (const garbage of ['"v1', 'v1"', 'W/"v1', "garbage", '"vx"', "v1 v2", '""']) {
      expect(() => expectedVersion(garbage), garbage).toThrow(ValidationError);
    }
  });
});
