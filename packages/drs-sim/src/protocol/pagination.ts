import type { SimConfig } from "../faults/sim-config.js";
import { DrsError } from "../model/drs-error.js";
import { fnv1a } from "../model/seeded-stream.js";

/** A position in a sorted list: the sort key of the last item returned. */
export type PageKey = (number | string)[];

interface TokenBody {
  /** Key of the last item already returned. */
  k: PageKey;
  /** Hash of the operation and filters the token was issued for. */
  q: string;
  /** Clock time of issue (for `invalidTokenAfterMs`). */
  t: number;
  /** This token was handed out with an inserted empty page (`emptyPagesWithToken`). */
  e?: 1;
}

export interface PageRequest {
  maxResults?: number | undefined;
  nextToken?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

function compareKeys(a: PageKey, b: PageKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function encode(body: TokenBody): string {
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

function invalidToken(message: string): DrsError {
  return new DrsError("ValidationException", message, { reason: "other" });
}

function decode(token: string): TokenBody {
  try {
    const body = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as TokenBody;
    const keyOk =
      Array.isArray(body.k) && body.k.every((x) => typeof x === "number" || typeof x === "string");
    if (!keyOk || typeof body.q !== "string" || typeof body.t !== "number") throw new Error("shape");
    return body;
  } catch {
    throw invalidToken("The pagination token is invalid");
  }
}

/**
 * Keyset pagination over a sorted list (spec §1.5): `nextToken` is base64url of the last key returned and a
 * hash of the filters, so a token only works with the filters it came from, and items added or removed
 * between pages are neither repeated nor skipped. The pagination knobs of §11 are applied here.
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => PageKey,
  request: PageRequest,
  scope: { filters: unknown; config: SimConfig; now: number },
): Page<T> {
  const { config, now } = scope;
  const q = fnv1a(JSON.stringify(scope.filters ?? null)).toString(16);
  const pageSize = Math.max(1, Math.min(request.maxResults ?? config.pageSize, config.maxPageSize));
  let start = 0;
  let token: TokenBody | undefined;
  if (request.nextToken) {
    token = decode(request.nextToken);
    if (token.q !== q) throw invalidToken("The pagination token does not match the request filters");
    if (config.invalidTokenAfterMs !== null && now - token.t > config.invalidTokenAfterMs) {
      throw invalidToken("The pagination token has expired");
    }
    if (config.emptyPagesWithToken && token.e !== 1) {
      return { items: [], nextToken: encode({ ...token, e: 1 }) };
    }
    const after = token.k;
    start = items.length;
    // Lists are sorted by key, so the first item past the token's key is found by binary search.
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(keyOf(items[mid] as T), after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const page = items.slice(start, start + pageSize);
  const last = page[page.length - 1];
  const more = start + pageSize < items.length && last !== undefined;
  if (config.repeatToken && request.nextToken) return { items: page, nextToken: request.nextToken };
  return more ? { items: page, nextToken: encode({ k: keyOf(last as T), q, t: now }) } : { items: page };
}
