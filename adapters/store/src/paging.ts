import { createHash } from "node:crypto";
import {
  type AuditFilter,
  DEFAULT_PAGE_LIMIT,
  type ExecutionFilter,
  type ExecutionSort,
  MAX_PAGE_LIMIT,
  type PageRequest,
  ValidationError,
} from "@drso/core";

/**
 * Keyset pagination shared by the adapters. A cursor is base64url JSON `{h, k}`: `k` is the sort key of the
 * last item returned, `h` a hash of the list's scope, filter and sort. Resuming after a key (instead of an
 * offset) means items created or deleted between two pages never shift the rest: every item that exists
 * throughout a walk is returned exactly once.
 */
export type KeyPart = string | number;
export type Direction = "asc" | "desc";
export type KeyShape = readonly ("string" | "number")[];

export function pageLimit(page: PageRequest): number {
  const limit = page.limit;
  if (limit === undefined || Number.isNaN(limit)) return DEFAULT_PAGE_LIMIT;
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.floor(limit)));
}

/** A non-negative integer row count for internal queries (SQLite reads a negative LIMIT as "no limit"). */
export function rowLimit(limit: number): number {
  if (Number.isNaN(limit)) return 0;
  return Math.max(0, Math.min(Math.floor(limit), 1_000_000_000));
}

/** A stable fingerprint of what a list was asked for; object keys sorted, undefined values dropped. */
export function queryHash(scope: string, query: unknown): string {
  return createHash("sha256")
    .update(scope)
    .update("\u0000")
    .update(canonicalJson(query))
    .digest("base64url")
    .slice(0, 22);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function encodeCursor(hash: string, key: readonly KeyPart[]): string {
  return Buffer.from(JSON.stringify({ h: hash, k: key }), "utf8").toString("base64url");
}

/** The key to resume after, or a ValidationError INVALID_NEXT_TOKEN for a malformed or foreign token. */
export function decodeCursor(token: string, hash: string, shape: KeyShape): KeyPart[] {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,2048}$/.test(token)) throw new Error("not base64url");
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalidToken("The nextToken is malformed.");
  }
  if (parsed === null || typeof parsed !== "object") throw invalidToken("The nextToken is malformed.");
  const { h, k } = parsed as { h?: unknown; k?: unknown };
  if (!Array.isArray(k) || k.length !== shape.length) throw invalidToken("The nextToken is malformed.");
  for (let i = 0; i < shape.length; i++) {
    const part: unknown = k[i];
    const ok =
      shape[i] === "number" ? typeof part === "number" && Number.isFinite(part) : typeof part === "string";
    if (!ok) throw invalidToken("The nextToken is malformed.");
  }
  if (h !== hash) {
    throw invalidToken(
      "The nextToken belongs to a different query: repeat the same filters and sort with it.",
    );
  }
  return k as KeyPart[];
}

function invalidToken(message: string): ValidationError {
  return new ValidationError(message, [{ path: "nextToken", message }], "INVALID_NEXT_TOKEN");
}

function comparePart(a: KeyPart, b: KeyPart): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareKeys(
  a: readonly KeyPart[],
  b: readonly KeyPart[],
  dirs: readonly Direction[],
): number {
  for (let i = 0; i < dirs.length; i++) {
    const c = comparePart(a[i] as KeyPart, b[i] as KeyPart);
    if (c !== 0) return dirs[i] === "desc" ? -c : c;
  }
  return 0;
}

/** In-memory keyset pagination over unsorted items. */
export function paginate<T, R = T>(
  items: readonly T[],
  options: {
    scope: string;
    query: unknown;
    page: PageRequest;
    keyOf: (item: T) => KeyPart[];
    dirs: readonly Direction[];
    shape: KeyShape;
    map: (item: T) => R;
  },
): { items: R[]; nextToken?: string } {
  const hash = queryHash(options.scope, options.query);
  const after =
    options.page.nextToken === undefined
      ? undefined
      : decodeCursor(options.page.nextToken, hash, options.shape);
  const limit = pageLimit(options.page);
  const keyed = items.map((item) => ({ item, key: options.keyOf(item) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key, options.dirs));
  const remaining = after ? keyed.filter((e) => compareKeys(e.key, after, options.dirs) > 0) : keyed;
  const slice = remaining.slice(0, limit);
  const result: { items: R[]; nextToken?: string } = { items: slice.map((e) => options.map(e.item)) };
  const last = slice[slice.length - 1];
  if (remaining.length > limit && last) result.nextToken = encodeCursor(hash, last.key);
  return result;
}

/** Sort keys of execution listings, shared so that both adapters order identically. */
export interface ExecutionSortable {
  executionId: string;
  status: string;
  startTime: number;
  endTime?: number | undefined;
}

export function executionSortKey(e: ExecutionSortable, by: "startTime" | "endTime" | "status"): KeyPart[] {
  switch (by) {
    case "startTime":
      return [e.startTime, e.executionId];
    case "endTime":
      // Unfinished executions sort last in both orders: the leading flag is always ascending.
      return [e.endTime === undefined ? 1 : 0, e.endTime ?? 0, e.executionId];
    case "status":
      return [e.status, e.startTime, e.executionId];
  }
}

export function executionSortDirs(by: "startTime" | "endTime" | "status", order: Direction): Direction[] {
  switch (by) {
    case "startTime":
      return [order, order];
    case "endTime":
      return ["asc", order, order];
    case "status":
      return [order, order, order];
  }
}

export function executionSortShape(by: "startTime" | "endTime" | "status"): KeyShape {
  switch (by) {
    case "startTime":
      return ["number", "string"];
    case "endTime":
      return ["number", "number", "string"];
    case "status":
      return ["string", "number", "string"];
  }
}

/** The query of an execution listing in canonical form (status set sorted, an empty set = no filter). */
export function normalizeExecutionQuery(
  filter: ExecutionFilter,
  sort: ExecutionSort,
): { filter: ExecutionFilter; sort: ExecutionSort } {
  if (!["startTime", "endTime", "status"].includes(sort.by) || !["asc", "desc"].includes(sort.order)) {
    throw new ValidationError("Unsupported sort.", [
      { path: "sort", message: "sort by startTime, endTime or status, in asc or desc order" },
    ]);
  }
  const normalized: ExecutionFilter = {};
  if (filter.planId !== undefined) normalized.planId = filter.planId;
  if (filter.status !== undefined && filter.status.length > 0) {
    normalized.status = [...new Set(filter.status)].sort();
  }
  if (filter.executionType !== undefined) normalized.executionType = filter.executionType;
  if (filter.initiatedBy !== undefined) normalized.initiatedBy = filter.initiatedBy;
  if (filter.startFrom !== undefined) normalized.startFrom = filter.startFrom;
  if (filter.startTo !== undefined) normalized.startTo = filter.startTo;
  return { filter: normalized, sort: { by: sort.by, order: sort.order } };
}

/** The fields of an audit filter that define the query (for the cursor's hash). */
export function auditQuery(filter: AuditFilter): Record<string, string | undefined> {
  return {
    actor: filter.actor,
    action: filter.action,
    targetType: filter.targetType,
    targetId: filter.targetId,
    outcome: filter.outcome,
    from: filter.from,
    to: filter.to,
  };
}
