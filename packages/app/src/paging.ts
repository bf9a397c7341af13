import { createHash } from "node:crypto";
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type Page, type PageRequest, ValidationError } from "@drso/core";

/**
 * Paging over an in-memory list, for listings whose filters are computed (e.g. conflicts resolved against
 * live DRS inventory). The token binds the offset to a hash of the filters, like the store's tokens.
 */
export function pageArray<T>(items: readonly T[], page: PageRequest, filterKey: unknown): Page<T> {
  const limit = Math.min(Math.max(page.limit ?? DEFAULT_PAGE_LIMIT, 1), MAX_PAGE_LIMIT);
  const hash = createHash("sha256")
    .update(JSON.stringify(filterKey ?? null))
    .digest("base64url")
    .slice(0, 16);
  let offset = 0;
  if (page.nextToken) {
    try {
      const decoded = JSON.parse(Buffer.from(page.nextToken, "base64url").toString("utf8")) as {
        o?: unknown;
        h?: unknown;
      };
      if (
        typeof decoded.o !== "number" ||
        !Number.isInteger(decoded.o) ||
        decoded.o < 0 ||
        decoded.h !== hash
      )
        throw new Error("mismatch");
      offset = decoded.o;
    } catch {
      throw new ValidationError(
        "The nextToken is invalid or was issued for different filters.",
        [{ path: "nextToken", message: "invalid" }],
        "INVALID_NEXT_TOKEN",
      );
    }
  }
  const slice = items.slice(offset, offset + limit);
  const result: Page<T> = { items: slice };
  if (offset + limit < items.length) {
    result.nextToken = Buffer.from(JSON.stringify({ o: offset + limit, h: hash }), "utf8").toString(
      "base64url",
    );
  }
  return result;
}
