import { gunzipSync, gzipSync } from "node:zlib";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { AppError, ConflictError, UpstreamError, ValidationError } from "@drso/core";
import type { DynamoTableNames } from "./dynamo-tables.js";

export type Item = Record<string, unknown>;
export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

export interface DynamoContext {
  doc: DynamoDBDocumentClient;
  tables: DynamoTableNames;
  /** An execution document (gzip) is written in chunk items of at most this many bytes. */
  documentChunkBytes: number;
  /** Optimistic transactions retried this many times before CONCURRENT_UPDATE. */
  maxAttempts: number;
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

// ---------------------------------------------------------------------------------------------------------
// Errors: SDK errors never leave the adapter.

function errorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "name" in error
    ? String((error as { name: unknown }).name)
    : undefined;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === "ConditionalCheckFailedException";
}

const BUSY = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TransactionInProgressException",
  "InternalServerError",
  "InternalFailure",
  "ServiceUnavailable",
  "LimitExceededException",
]);

/** Maps DynamoDB SDK errors onto the core's errors (Powertools-style translation at the boundary). */
export function translateDynamoError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  if (name === "ConditionalCheckFailedException") {
    return new ConflictError("WRITE_CONFLICT", "The record was changed by someone else; retry.");
  }
  if (name === "TransactionCanceledException" || name === "TransactionConflictException") {
    return new ConflictError("CONCURRENT_UPDATE", "The record is being changed by someone else; retry.");
  }
  if (name === "ValidationException" && /size/i.test(message)) {
    return new ValidationError(
      "The record is too large to store (DynamoDB items are limited to 400 KB).",
      [],
      "ITEM_TOO_LARGE",
    );
  }
  if (name !== undefined && BUSY.has(name)) {
    return new UpstreamError("STORE_BUSY", `DynamoDB is busy (${name}); try again.`, 503);
  }
  if (name === "ResourceNotFoundException") {
    return new UpstreamError("STORE_UNAVAILABLE", `A DynamoDB table is missing: ${message}`, 503);
  }
  if (name === "AccessDeniedException" || name === "UnrecognizedClientException") {
    return new UpstreamError("STORE_ACCESS_DENIED", `DynamoDB refused the request: ${message}`, 502);
  }
  const http = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (http === undefined) {
    return new UpstreamError("STORE_UNAVAILABLE", `DynamoDB cannot be reached: ${message}`, 503);
  }
  return new UpstreamError("STORE_ERROR", `DynamoDB failed (${name ?? "error"}): ${message}`, 500);
}

/** Wraps every method of a repository so that callers only ever see the core's errors. */
export function guarded<T extends object>(repository: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(repository)) {
    if (typeof fn !== "function") {
      wrapped[name] = fn;
      continue;
    }
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>).apply(repository, args);
      } catch (error) {
        throw translateDynamoError(error);
      }
    };
  }
  return wrapped as T;
}

// ---------------------------------------------------------------------------------------------------------
// Transactions.

const RETRYABLE_CANCELLATIONS = new Set(["None", "ConditionalCheckFailed", "TransactionConflict"]);

/**
 * Runs TransactWriteItems (all or nothing). Resolves false when DynamoDB cancelled it because a condition
 * failed or another transaction touched the same items: the caller reads again and decides (a real
 * conflict becomes its precise error on the next attempt; a lost race is simply retried).
 */
export async function transact(ctx: DynamoContext, items: TransactItem[]): Promise<boolean> {
  if (items.length === 0) return true;
  if (items.length > 100) {
    throw new ValidationError(
      "The change needs more than 100 DynamoDB items in one transaction.",
      [],
      "TRANSACTION_TOO_LARGE",
    );
  }
  try {
    await ctx.doc.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    if (errorName(error) === "TransactionConflictException") return false;
    if (errorName(error) !== "TransactionCanceledException") throw error;
    const reasons = (error as { CancellationReasons?: Array<{ Code?: string; Message?: string }> })
      .CancellationReasons;
    const fatal = reasons?.find((r) => r.Code !== undefined && !RETRYABLE_CANCELLATIONS.has(r.Code));
    if (fatal) {
      const detail = `${fatal.Code}: ${fatal.Message ?? ""}`;
      if (/size/i.test(detail)) {
        throw new ValidationError(
          "The record is too large to store (DynamoDB items are limited to 400 KB).",
          [],
          "ITEM_TOO_LARGE",
        );
      }
      if (fatal.Code === "ThrottlingError" || fatal.Code === "ProvisionedThroughputExceeded") {
        throw new UpstreamError("STORE_BUSY", `DynamoDB is busy (${fatal.Code}); try again.`, 503);
      }
      throw new UpstreamError("STORE_ERROR", `DynamoDB cancelled the transaction (${detail}).`, 500);
    }
    return false;
  }
}

/**
 * The optimistic write loop: `attempt` reads, checks (throwing the precise core error) and returns the
 * transaction to run, or a result directly; a cancelled transaction is retried with a short backoff.
 * `retry` is true after a cancellation: checks that the transaction's own conditions enforce can be left
 * to DynamoDB on the first attempt and run only to explain a cancellation.
 */
export async function optimistic<T>(
  ctx: DynamoContext,
  attempt: (retry: boolean) => Promise<{ items: TransactItem[]; result: () => T } | { done: T }>,
): Promise<T> {
  for (let n = 0; n < ctx.maxAttempts; n++) {
    const plan = await attempt(n > 0);
    if ("done" in plan) return plan.done;
    if (await transact(ctx, plan.items)) return plan.result();
    await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** n) * (0.5 + Math.random())));
  }
  throw new ConflictError("CONCURRENT_UPDATE", "The record kept changing while it was being written; retry.");
}

// ---------------------------------------------------------------------------------------------------------
// Queries.

/** Reads every page of a query. */
export async function queryAll(ctx: DynamoContext, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.doc.send(
      new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The transaction's Put of an item's next version, on condition that the stored one is still `expectedVersion`. */
export function putNextVersion(table: string, item: Item, expectedVersion: number): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: item,
      ConditionExpression: "Version = :expected",
      ExpressionAttributeValues: { ":expected": expectedVersion },
    },
  };
}

/** Every document of a table (consistent scan, all pages), parsed from its `Doc` attribute. */
export async function scanDocs<T>(ctx: DynamoContext, table: string): Promise<T[]> {
  const docs: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.doc.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) docs.push(parseDoc<T>(item.Doc));
    start = page.LastEvaluatedKey;
  } while (start);
  return docs;
}

/** Name order, case-insensitively, then ID: the order of named resources' listings. */
export function byNameThenId<T extends { name: string }>(id: (value: T) => string) {
  return (a: T, b: T): number => {
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    return x < y ? -1 : x > y ? 1 : id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0;
  };
}

/**
 * Reads pages in key order until `want` items pass `accept` (or the partition ends). Returns at most
 * `want` accepted items and whether more pages might exist.
 */
export async function queryUntil(
  ctx: DynamoContext,
  input: QueryCommandInput,
  want: number,
  accept: (item: Item) => boolean,
): Promise<Item[]> {
  const found: Item[] = [];
  if (want <= 0) return found;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.doc.send(
      new QueryCommand({
        ...input,
        Limit: Math.min(1000, Math.max(want - found.length + 1, 25)),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of (page.Items ?? []) as Item[]) {
      if (!accept(item)) continue;
      found.push(item);
      if (found.length >= want) return found;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// Encoding.

export function pad(value: number, width: number): string {
  return String(Math.max(0, Math.floor(value))).padStart(width, "0");
}

export function gzipJson(value: unknown): Uint8Array {
  return gzipSync(Buffer.from(JSON.stringify(value), "utf8"), { level: 6 });
}

export function gunzipJson<T>(bytes: Uint8Array): T {
  return JSON.parse(gunzipSync(bytes).toString("utf8")) as T;
}

export function parseDoc<T>(value: unknown): T {
  if (typeof value !== "string")
    throw new UpstreamError("STORE_CORRUPT", "A stored record has no document.", 500);
  return JSON.parse(value) as T;
}

export function str(item: Item, name: string): string | undefined {
  const value = item[name];
  return typeof value === "string" ? value : undefined;
}

export function num(item: Item, name: string): number | undefined {
  const value = item[name];
  return typeof value === "number" ? value : undefined;
}

export function bytes(item: Item, name: string): Uint8Array | undefined {
  const value = item[name];
  return value instanceof Uint8Array ? value : undefined;
}
