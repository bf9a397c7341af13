import { createHash } from "node:crypto";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  dueIds,
  type Execution,
  type ExecutionCommand,
  type ExecutionEvent,
  type ExecutionRepository,
  type ExecutionStatus,
  type ExecutionSummary,
  type ExecutionType,
  type ExecutionUsage,
  earliestWake,
  isActiveExecution,
  maybeDue,
  type NewExecutionEvent,
  type ScheduleRow,
  serverKeysOf,
  summarize,
  usageOf,
} from "@drso/core";
import { createDynamoJobLogs } from "./dynamo-job-logs.js";
import { usageCounters, usageCounterUpdates } from "./dynamo-quota-counters.js";
import { createStartLock } from "./dynamo-start-lock.js";
import {
  bytes,
  type DynamoContext,
  guarded,
  gunzipJson,
  gzipJson,
  type Item,
  isConditionalCheckFailed,
  num,
  optimistic,
  pad,
  queryAll,
  queryUntil,
  str,
  type TransactItem,
} from "./dynamo-support.js";
import {
  decodeCursor,
  encodeCursor,
  executionSortDirs,
  executionSortKey,
  executionSortShape,
  normalizeExecutionQuery,
  pageLimit,
  paginate,
  queryHash,
  rowLimit,
} from "./paging.js";
import { alreadyExists, notFound, versionMismatch } from "./store-errors.js";

const ENTITY = "execution";
const ACTIVE = "active";
const TIME_WIDTH = 15;
const SEQ_WIDTH = 10;
const MAX_SEQ = "9".repeat(SEQ_WIDTH);
/** One event item holds at most this much JSON; a save with more events writes several items. */
const EVENT_BATCH_BYTES = 300_000;

const startKey = (startTime: number, executionId: string) => `${pad(startTime, TIME_WIDTH)}#${executionId}`;
const eventKey = (lastSeq: number) => `event#${pad(lastSeq, SEQ_WIDTH)}`;
const commandKey = (seq: number) => `command#${pad(seq, SEQ_WIDTH)}`;
const chunkPrefix = (generation: number) => `doc#${pad(generation, SEQ_WIDTH)}#`;
const chunkKey = (generation: number, n: number) => `${chunkPrefix(generation)}${pad(n, 6)}`;
const SERVER_KEYS = "serverkeys";
/** Reads of a document that restart from the head when saves removed its generation meanwhile. */
const READ_ATTEMPTS = 6;

interface Head {
  version: number;
  eventSeq: number;
  lastCommandSeq: number;
  appliedCommandSeq: number;
  docChunks: number;
  docGeneration: number;
  serverKeysHash: string | undefined;
  usage: ExecutionUsage;
  /** The generation before the current one, kept for readers that read the head just before the last save. */
  prevDocGeneration: number | undefined;
  prevDocChunks: number;
}

/**
 * Executions on DynamoDB (DESIGN §5).
 *
 * Document: the execution JSON is gzipped into the Binary attribute `Data` of chunk items
 * `doc#<generation>#<n>` in execution-items (one chunk unless the gzip exceeds `documentChunkBytes`,
 * 256 KiB by default). A 3,000-server execution is about 1 MB of JSON, over DynamoDB's 400 KB item limit,
 * and a few hundred KB gzipped. The chunks are written in the same TransactWriteItems as the execution
 * item, which records their count and generation (= version); the previous generation's chunks are deleted
 * in that transaction too, so readers, who follow the generation the execution item names, never see a
 * half-written document.
 *
 * The execution item in the seed's execution-history table holds only the filter/sort attributes, Summary,
 * Usage, the scheduling fields, the lease and the counters: it stays around a kilobyte whatever the
 * execution's size, so the frequent lease and command updates (billed by item size) stay cheap, and the
 * listing indexes project only those attributes, so listings never read documents. The server keys (for
 * quota accounting) are a separate gzip item, rewritten only when they change.
 *
 * Saves are UpdateItem with `Version = :expected` (and the command counter as read), never a full put,
 * so the lease and the command counter, which other writers change, are never overwritten.
 */
export function createDynamoExecutions(ctx: DynamoContext): ExecutionRepository {
  const table = ctx.tables.executionHistory;
  const itemsTable = ctx.tables.executionItems;

  async function head(executionId: string): Promise<Head | undefined> {
    const out = await ctx.doc.send(
      new GetCommand({
        TableName: table,
        Key: { ExecutionId: executionId },
        ConsistentRead: true,
        ProjectionExpression:
          "Version, EventSeq, LastCommandSeq, AppliedCommandSeq, DocChunks, DocGeneration, PrevDocChunks, PrevDocGeneration, ServerKeysHash, #usage",
        ExpressionAttributeNames: { "#usage": "Usage" },
      }),
    );
    if (!out.Item) return undefined;
    return {
      version: num(out.Item, "Version") ?? 0,
      eventSeq: num(out.Item, "EventSeq") ?? 0,
      lastCommandSeq: num(out.Item, "LastCommandSeq") ?? 0,
      appliedCommandSeq: num(out.Item, "AppliedCommandSeq") ?? 0,
      docChunks: num(out.Item, "DocChunks") ?? 0,
      docGeneration: num(out.Item, "DocGeneration") ?? 0,
      serverKeysHash: str(out.Item, "ServerKeysHash"),
      usage: JSON.parse(str(out.Item, "Usage") ?? "{}") as ExecutionUsage,
      prevDocGeneration: num(out.Item, "PrevDocGeneration"),
      prevDocChunks: num(out.Item, "PrevDocChunks") ?? 0,
    };
  }

  /** The document as gzip, in as many chunk items of generation `generation` as it needs. */
  function documentChunks(executionId: string, stored: Execution, generation: number) {
    const doc = gzipJson(stored);
    const chunks: TransactItem[] = [];
    for (let offset = 0, n = 0; offset < doc.byteLength || n === 0; offset += ctx.documentChunkBytes, n++) {
      chunks.push({
        Put: {
          TableName: itemsTable,
          Item: {
            ExecutionId: executionId,
            ItemKey: chunkKey(generation, n),
            Data: doc.subarray(offset, Math.min(offset + ctx.documentChunkBytes, doc.byteLength)),
          },
        },
      });
    }
    return chunks;
  }

  /** The server keys item, written only when they changed (the snapshot is frozen at start). */
  function serverKeysItem(executionId: string, execution: Execution, previousHash: string | undefined) {
    const keys = serverKeysOf(execution);
    const hash = createHash("sha256").update(JSON.stringify(keys)).digest("base64url");
    const items: TransactItem[] =
      hash === previousHash
        ? []
        : [
            {
              Put: {
                TableName: itemsTable,
                Item: {
                  ExecutionId: executionId,
                  ItemKey: SERVER_KEYS,
                  ServerKeys: gzipJson(keys),
                  ExecutionType: execution.executionType,
                },
              },
            },
          ];
    return { hash, items };
  }

  function deleteChunks(executionId: string, generation: number, count: number): TransactItem[] {
    return Array.from({ length: count }, (_, n) => ({
      Delete: { TableName: itemsTable, Key: { ExecutionId: executionId, ItemKey: chunkKey(generation, n) } },
    }));
  }

  /** Event items for `events` numbered after `lastSeq`: batches keyed by their last sequence number. */
  function eventItems(
    executionId: string,
    lastSeq: number,
    events: readonly NewExecutionEvent[] | undefined,
  ): { items: TransactItem[]; eventSeq: number } {
    const items: TransactItem[] = [];
    let seq = lastSeq;
    let batch: ExecutionEvent[] = [];
    let size = 0;
    const flush = () => {
      if (batch.length === 0) return;
      items.push({
        Put: {
          TableName: itemsTable,
          Item: { ExecutionId: executionId, ItemKey: eventKey(seq), Events: JSON.stringify(batch) },
          // Events are append-only: an event item is never overwritten.
          ConditionExpression: "attribute_not_exists(ItemKey)",
        },
      });
      batch = [];
      size = 0;
    };
    for (const event of events ?? []) {
      const stored: ExecutionEvent = { ...event, executionId, seq: seq + 1 };
      const length = JSON.stringify(stored).length;
      if (size > 0 && size + length > EVENT_BATCH_BYTES) flush();
      seq += 1;
      batch.push(stored);
      size += length;
    }
    flush();
    return { items, eventSeq: seq };
  }

  /** Attributes derived from the document (everything but the lease and the command counter). */
  function derived(
    execution: Execution,
    version: number,
    lastCommandSeq: number,
  ): { set: Item; remove: string[] } {
    const set: Item = {
      PlanId: execution.planId,
      Entity: ENTITY,
      ExecutionType: execution.executionType,
      Status: execution.status,
      InitiatedBy: execution.initiatedBy,
      StartTime: execution.startTime,
      StartKey: startKey(execution.startTime, execution.executionId),
      AppliedCommandSeq: execution.appliedCommandSeq,
      Version: version,
      Summary: JSON.stringify(summarize(execution)),
      Usage: JSON.stringify(usageOf(execution)),
    };
    const remove: string[] = [];
    if (execution.endTime !== undefined) set.EndTime = execution.endTime;
    else remove.push("EndTime");
    if (execution.wakeAt !== undefined) set.WakeAt = execution.wakeAt;
    else remove.push("WakeAt");
    if (maybeDue({ ...execution, lastCommandSeq })) set.ActiveKey = ACTIVE;
    else remove.push("ActiveKey");
    return { set, remove };
  }

  /**
   * One whole saved version: the head names the generation, then its chunks are read. A save keeps the generation
   * before its own, so a reader whose head read came just before a save still finds its chunks; only when two
   * saves passed in between are they gone, and the read starts again from the head (a few times, then fails).
   */
  async function readDocument(executionId: string): Promise<Execution | undefined> {
    for (let attempt = 0; ; attempt++) {
      const out = await ctx.doc.send(
        new GetCommand({
          TableName: table,
          Key: { ExecutionId: executionId },
          ConsistentRead: true,
          ProjectionExpression: "DocChunks, DocGeneration, Version",
        }),
      );
      if (!out.Item) return undefined;
      const count = num(out.Item, "DocChunks") ?? 0;
      const generation = num(out.Item, "DocGeneration") ?? 0;
      const chunks = await queryAll(ctx, {
        TableName: itemsTable,
        ConsistentRead: true,
        KeyConditionExpression: "ExecutionId = :id AND begins_with(ItemKey, :prefix)",
        ExpressionAttributeValues: { ":id": executionId, ":prefix": chunkPrefix(generation) },
      });
      const parts = chunks.map((c) => bytes(c, "Data")).filter((b): b is Uint8Array => b !== undefined);
      if (parts.length === count && count > 0) return gunzipJson<Execution>(Buffer.concat(parts));
      if (attempt >= READ_ATTEMPTS - 1)
        throw new Error(`execution ${executionId}: expected ${count} document chunks, found ${parts.length}`);
      await new Promise((r) => setTimeout(r, 5 * 2 ** attempt * (0.5 + Math.random())));
    }
  }

  async function exists(executionId: string): Promise<boolean> {
    const out = await ctx.doc.send(
      new GetCommand({
        TableName: table,
        Key: { ExecutionId: executionId },
        ConsistentRead: true,
        ProjectionExpression: "ExecutionId",
      }),
    );
    return out.Item !== undefined;
  }

  async function serverKeysOfStored(executionId: string): Promise<string[]> {
    const out = await ctx.doc.send(
      new GetCommand({
        TableName: itemsTable,
        Key: { ExecutionId: executionId, ItemKey: SERVER_KEYS },
        ConsistentRead: true,
        ProjectionExpression: "ServerKeys",
      }),
    );
    const packed = out.Item ? bytes(out.Item, "ServerKeys") : undefined;
    return packed ? gunzipJson<string[]>(packed) : [];
  }

  const startLock = createStartLock(ctx, {
    summary: (executionId) => repository.getSummary(executionId),
    serverKeys: serverKeysOfStored,
  });

  /** An ActiveIndex item as the schedule rules read it. */
  function scheduleRow(item: Item): ScheduleRow {
    return {
      executionId: String(item.ExecutionId),
      status: item.Status as ExecutionStatus,
      wakeAt: num(item, "WakeAt"),
      lastCommandSeq: num(item, "LastCommandSeq") ?? 0,
      appliedCommandSeq: num(item, "AppliedCommandSeq") ?? 0,
      lease: str(item, "LeaseOwner") === undefined ? undefined : { until: num(item, "LeaseUntil") ?? 0 },
    };
  }

  async function activeItems(): Promise<Item[]> {
    return queryAll(ctx, {
      TableName: table,
      IndexName: "ActiveIndex",
      KeyConditionExpression: "ActiveKey = :a",
      ExpressionAttributeValues: { ":a": ACTIVE },
    });
  }

  async function deleteAllItems(executionId: string): Promise<void> {
    const keys = await queryAll(ctx, {
      TableName: itemsTable,
      ConsistentRead: true,
      KeyConditionExpression: "ExecutionId = :id",
      ExpressionAttributeValues: { ":id": executionId },
      ProjectionExpression: "ExecutionId, ItemKey",
    });
    for (let i = 0; i < keys.length; i += 25) {
      let requests: Array<{ DeleteRequest: { Key: Item } }> | undefined = keys
        .slice(i, i + 25)
        .map((k) => ({ DeleteRequest: { Key: { ExecutionId: k.ExecutionId, ItemKey: k.ItemKey } } }));
      for (let attempt = 0; requests && requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const out = await ctx.doc.send(new BatchWriteCommand({ RequestItems: { [itemsTable]: requests } }));
        requests = out.UnprocessedItems?.[itemsTable] as typeof requests;
        if (attempt > 10 && requests && requests.length > 0)
          throw new Error("DynamoDB kept refusing deletes");
      }
    }
  }

  const jobLogs = createDynamoJobLogs(ctx, itemsTable, exists);

  const repository: ExecutionRepository = {
    create(execution, options) {
      const stored: Execution = { ...execution, version: 1 };
      const write = () =>
        optimistic(ctx, async (retry) => {
          if (retry) {
            if (await exists(execution.executionId)) throw alreadyExists("execution", execution.executionId);
            // A cancelled create of an unknown ID met items left by an interrupted delete of the same ID.
            await deleteAllItems(execution.executionId);
          }
          const claim = options?.exclusiveServers ? await startLock.claimServers(stored) : [];
          const { set } = derived(stored, 1, 0);
          const chunks = documentChunks(execution.executionId, stored, 1);
          const serverKeys = serverKeysItem(execution.executionId, stored, undefined);
          const events = eventItems(execution.executionId, 0, options?.events);
          // An execution is normally created holding nothing; one that holds DRS work counts from the start.
          const counters = await usageCounterUpdates(ctx, {}, usageOf(stored), undefined);
          const item: Item = {
            ExecutionId: execution.executionId,
            ...set,
            DocChunks: chunks.length,
            DocGeneration: 1,
            ServerKeysHash: serverKeys.hash,
            EventSeq: events.eventSeq,
            LastCommandSeq: 0,
          };
          return {
            items: [
              {
                Put: {
                  TableName: table,
                  Item: item,
                  ConditionExpression: "attribute_not_exists(ExecutionId)",
                },
              },
              ...events.items,
              ...chunks,
              ...serverKeys.items,
              ...claim,
              ...counters,
            ],
            result: () => structuredClone(stored),
          };
        });
      return options?.exclusiveServers ? startLock.run(write) : write();
    },

    async get(executionId) {
      return readDocument(executionId);
    },

    async getSummary(executionId) {
      const out = await ctx.doc.send(
        new GetCommand({
          TableName: table,
          Key: { ExecutionId: executionId },
          ConsistentRead: true,
          ProjectionExpression: "Summary",
        }),
      );
      const summary = out.Item ? str(out.Item, "Summary") : undefined;
      return summary === undefined ? undefined : (JSON.parse(summary) as ExecutionSummary);
    },

    save(execution, expectedVersion, options) {
      const version = expectedVersion + 1;
      const stored: Execution = { ...execution, version };
      return optimistic(ctx, async () => {
        const current = await head(execution.executionId);
        if (!current) throw notFound("execution", execution.executionId);
        if (current.version !== expectedVersion) {
          throw versionMismatch("execution", execution.executionId, expectedVersion, current.version);
        }
        const { set, remove } = derived(stored, version, current.lastCommandSeq);
        const chunks = documentChunks(execution.executionId, stored, version);
        const serverKeys = serverKeysItem(execution.executionId, stored, current.serverKeysHash);
        const events = eventItems(execution.executionId, current.eventSeq, options?.events);
        const counters = await usageCounterUpdates(ctx, current.usage, usageOf(stored), options?.quotas);
        Object.assign(set, {
          DocChunks: chunks.length,
          DocGeneration: version,
          PrevDocChunks: current.docChunks,
          PrevDocGeneration: current.docGeneration,
          ServerKeysHash: serverKeys.hash,
          EventSeq: events.eventSeq,
        });
        const names: Record<string, string> = {};
        const values: Record<string, unknown> = {
          ":expected": expectedVersion,
          ":commands": current.lastCommandSeq,
        };
        const assignments = Object.entries(set).map(([key, value], i) => {
          names[`#s${i}`] = key;
          values[`:s${i}`] = value;
          return `#s${i} = :s${i}`;
        });
        const removals = remove.map((key, i) => {
          names[`#r${i}`] = key;
          return `#r${i}`;
        });
        names["#version"] = "Version";
        names["#commands"] = "LastCommandSeq";
        return {
          items: [
            {
              Update: {
                TableName: table,
                Key: { ExecutionId: execution.executionId },
                UpdateExpression: `SET ${assignments.join(", ")}${removals.length > 0 ? ` REMOVE ${removals.join(", ")}` : ""}`,
                ConditionExpression: "#version = :expected AND #commands = :commands",
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
              },
            },
            ...events.items,
            ...chunks,
            ...serverKeys.items,
            // The current generation stays as the previous one (for readers); the one before it goes.
            ...(current.prevDocGeneration === undefined
              ? []
              : deleteChunks(execution.executionId, current.prevDocGeneration, current.prevDocChunks)),
            ...counters,
          ],
          result: () => structuredClone(stored),
        };
      });
    },

    async list(filter, sort, page) {
      const normalized = normalizeExecutionQuery(filter, sort);
      const f = normalized.filter;
      const { by, order } = normalized.sort;
      const hash = queryHash("executions", normalized);
      const shape = executionSortShape(by);
      const after = page.nextToken === undefined ? undefined : decodeCursor(page.nextToken, hash, shape);
      const limit = pageLimit(page);
      const matches = (item: Item) =>
        (f.status === undefined || f.status.includes(item.Status as ExecutionStatus)) &&
        (f.executionType === undefined || item.ExecutionType === f.executionType) &&
        (f.initiatedBy === undefined || item.InitiatedBy === f.initiatedBy) &&
        (f.startFrom === undefined || (num(item, "StartTime") ?? 0) >= f.startFrom) &&
        (f.startTo === undefined || (num(item, "StartTime") ?? 0) <= f.startTo);
      const partition =
        f.planId !== undefined
          ? { IndexName: "PlanIdIndex", cond: "PlanId = :p", value: f.planId }
          : { IndexName: "StartTimeIndex", cond: "Entity = :p", value: ENTITY };
      // The indexes are ordered by StartKey = startTime#executionId: the range and the cursor become
      // inclusive key bounds, and the cursor's own item is skipped.
      let lower = f.startFrom === undefined ? undefined : pad(f.startFrom, TIME_WIDTH);
      let upper = f.startTo === undefined ? undefined : `${pad(f.startTo, TIME_WIDTH)}$`;
      let skipKey: string | undefined;
      if (by === "startTime" && after) {
        skipKey = startKey(after[0] as number, after[1] as string);
        if (order === "asc") lower = lower === undefined || skipKey > lower ? skipKey : lower;
        else upper = upper === undefined || skipKey < upper ? skipKey : upper;
      }
      let keyCondition = `${partition.cond}`;
      const values: Record<string, unknown> = { ":p": partition.value };
      if (lower !== undefined && upper !== undefined) {
        if (lower > upper) return { items: [] };
        keyCondition += " AND StartKey BETWEEN :lo AND :hi";
        values[":lo"] = lower;
        values[":hi"] = upper;
      } else if (lower !== undefined) {
        keyCondition += " AND StartKey >= :lo";
        values[":lo"] = lower;
      } else if (upper !== undefined) {
        keyCondition += " AND StartKey <= :hi";
        values[":hi"] = upper;
      }
      const input = {
        TableName: table,
        IndexName: partition.IndexName,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeValues: values,
        ScanIndexForward: by === "startTime" ? order === "asc" : true,
      };
      const sortable = (item: Item) => ({
        executionId: (str(item, "ExecutionId") ?? "") as string,
        status: (str(item, "Status") ?? "") as string,
        startTime: num(item, "StartTime") ?? 0,
        endTime: num(item, "EndTime"),
        summary: str(item, "Summary") ?? "{}",
      });
      if (by === "startTime") {
        // Native keyset paging in index order: only the pages needed are read.
        const found = await queryUntil(
          ctx,
          input,
          limit + 1,
          (item) => item.StartKey !== skipKey && matches(item),
        );
        const rows = found.map(sortable);
        const pageRows = rows.slice(0, limit);
        const result: { items: ExecutionSummary[]; nextToken?: string } = {
          items: pageRows.map((r) => JSON.parse(r.summary) as ExecutionSummary),
        };
        const last = pageRows[pageRows.length - 1];
        if (rows.length > limit && last) result.nextToken = encodeCursor(hash, executionSortKey(last, by));
        return result;
      }
      // endTime and status orders: every matching summary is read (projections only), then keyset-paged.
      const rows = (await queryAll(ctx, input)).filter(matches).map(sortable);
      return paginate(rows, {
        scope: "executions",
        query: normalized,
        page,
        keyOf: (r) => executionSortKey(r, by),
        dirs: executionSortDirs(by, order),
        shape,
        map: (r) => JSON.parse(r.summary) as ExecutionSummary,
      });
    },

    async delete(executionIds) {
      let count = 0;
      for (const executionId of new Set(executionIds)) {
        await deleteAllItems(executionId);
        try {
          await ctx.doc.send(
            new DeleteCommand({
              TableName: table,
              Key: { ExecutionId: executionId },
              ConditionExpression: "attribute_exists(ExecutionId)",
            }),
          );
          count += 1;
        } catch (error) {
          if (!isConditionalCheckFailed(error)) throw error;
        }
      }
      return count;
    },

    async listActive() {
      const items = (await activeItems()).filter((item) => isActiveExecution(scheduleRow(item)));
      const serverKeys = new Map<string, string[]>();
      const types = new Map<string, ExecutionType>();
      for (let i = 0; i < items.length; i += 100) {
        let keys: Item[] | undefined = items
          .slice(i, i + 100)
          .map((item) => ({ ExecutionId: item.ExecutionId, ItemKey: SERVER_KEYS }));
        for (let attempt = 0; keys && keys.length > 0; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
          const out = await ctx.doc.send(
            new BatchGetCommand({
              RequestItems: {
                [itemsTable]: {
                  Keys: keys,
                  ConsistentRead: true,
                  ProjectionExpression: "ExecutionId, ServerKeys, ExecutionType",
                },
              },
            }),
          );
          for (const got of out.Responses?.[itemsTable] ?? []) {
            const packed = bytes(got, "ServerKeys");
            serverKeys.set(String(got.ExecutionId), packed ? gunzipJson<string[]>(packed) : []);
            const type = str(got, "ExecutionType");
            if (type) types.set(String(got.ExecutionId), type as ExecutionType);
          }
          keys = out.UnprocessedKeys?.[itemsTable]?.Keys as Item[] | undefined;
          if (attempt > 10 && keys && keys.length > 0) throw new Error("DynamoDB kept refusing reads");
        }
      }
      // Executions stored before the type was kept beside their server keys: read it from their summary.
      for (const item of items) {
        const id = String(item.ExecutionId);
        if (!types.has(id)) types.set(id, (await repository.getSummary(id))?.executionType ?? "RECOVERY");
      }
      return items.map((item) => {
        const executionId = String(item.ExecutionId);
        return {
          executionId,
          executionType: types.get(executionId) ?? "RECOVERY",
          status: item.Status as ExecutionStatus,
          usage: JSON.parse(str(item, "Usage") ?? "{}") as ExecutionUsage,
          serverKeys: serverKeys.get(executionId) ?? [],
        };
      });
    },

    usageIn(keys) {
      return usageCounters(ctx, keys);
    },

    async listDue(now, limit) {
      return dueIds((await activeItems()).map(scheduleRow), now, rowLimit(limit));
    },

    async nextWakeAt() {
      return earliestWake((await activeItems()).map(scheduleRow));
    },

    async acquireLease(executionId, owner, now, ttlMs) {
      try {
        await ctx.doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { ExecutionId: executionId },
            UpdateExpression: "SET LeaseOwner = :owner, LeaseUntil = :until",
            ConditionExpression:
              "attribute_exists(ExecutionId) AND (attribute_not_exists(LeaseOwner) OR LeaseOwner = :owner OR LeaseUntil <= :now)",
            ExpressionAttributeValues: { ":owner": owner, ":until": now + ttlMs, ":now": now },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return false;
        throw error;
      }
    },

    async releaseLease(executionId, owner) {
      try {
        await ctx.doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { ExecutionId: executionId },
            UpdateExpression: "REMOVE LeaseOwner, LeaseUntil",
            ConditionExpression: "LeaseOwner = :owner",
            ExpressionAttributeValues: { ":owner": owner },
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    },

    appendCommand(executionId, command) {
      return optimistic(ctx, async () => {
        const current = await head(executionId);
        if (!current) throw notFound("execution", executionId);
        const seq = current.lastCommandSeq + 1;
        return {
          items: [
            {
              Update: {
                TableName: table,
                Key: { ExecutionId: executionId },
                UpdateExpression: "SET LastCommandSeq = :seq, ActiveKey = :active",
                ConditionExpression: "LastCommandSeq = :last",
                ExpressionAttributeValues: {
                  ":seq": seq,
                  ":last": current.lastCommandSeq,
                  ":active": ACTIVE,
                },
              },
            },
            {
              Put: {
                TableName: itemsTable,
                Item: {
                  ExecutionId: executionId,
                  ItemKey: commandKey(seq),
                  Command: JSON.stringify({ ...command, seq }),
                },
              },
            },
          ],
          result: () => seq,
        };
      });
    },

    async commandsAfter(executionId, afterSeq) {
      const items = await queryAll(ctx, {
        TableName: itemsTable,
        ConsistentRead: true,
        KeyConditionExpression: "ExecutionId = :id AND ItemKey BETWEEN :lo AND :hi",
        ExpressionAttributeValues: {
          ":id": executionId,
          ":lo": commandKey(Math.max(0, Math.floor(afterSeq)) + 1),
          ":hi": `command#${MAX_SEQ}`,
        },
      });
      return items.map((item) => JSON.parse(str(item, "Command") ?? "{}") as ExecutionCommand);
    },

    async events(executionId, afterSeq, limit) {
      const want = rowLimit(limit);
      if (want === 0) return [];
      const from = Math.max(0, Math.floor(afterSeq)) + 1;
      const result: ExecutionEvent[] = [];
      // Batches are keyed by their last sequence number: the first batch at or after `from` holds it.
      await queryUntil(
        ctx,
        {
          TableName: itemsTable,
          ConsistentRead: true,
          KeyConditionExpression: "ExecutionId = :id AND ItemKey BETWEEN :lo AND :hi",
          ExpressionAttributeValues: { ":id": executionId, ":lo": eventKey(from), ":hi": `event#${MAX_SEQ}` },
        },
        1,
        (item) => {
          for (const event of JSON.parse(str(item, "Events") ?? "[]") as ExecutionEvent[]) {
            if (event.seq > afterSeq && result.length < want) result.push(event);
          }
          return result.length >= want;
        },
      );
      return result;
    },

    appendJobLog: (executionId, jobId, items) => jobLogs.append(executionId, jobId, items),
    jobLog: (executionId, q) => jobLogs.read(executionId, q),
  };

  return guarded(repository);
}
