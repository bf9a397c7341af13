import { ValidationError } from "@drso/core";

export function etagOf(version: number): string {
  return `"v${version}"`;
}

/**
 * The version a client expects, from `If-Match` (`"v3"`, `W/"v3"`, `"3"`, `3`). `*` or no header means "any
 * version" (undefined). A malformed header is a 400, never silently ignored.
 */
export function expectedVersion(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === "*" || ifMatch.trim() === "") return undefined;
  // Quotes come in pairs: `"v3` or `v3"` is a malformed header, not version 3.
  const m = /^\s*(?:W\/)?(?:"v?(\d{1,12})"|v?(\d{1,12}))\s*$/.exec(ifMatch);
  if (!m)
    throw new ValidationError(
      'If-Match must be an ETag from this API, e.g. "v3".',
      [{ path: "If-Match", message: "malformed" }],
      "INVALID_IF_MATCH",
    );
  return Number(m[1] ?? m[2]);
}
