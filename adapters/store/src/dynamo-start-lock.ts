import { randomUUID } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import {
  ConflictError,
  type Execution,
  type ExecutionSummary,
  isTerminal,
  type ServerHolder,
  serverConflict,
  serverConflictError,
  serverKeysOf,
} from "@drso/core";
import { type DynamoContext, isConditionalCheckFailed, str, type TransactItem } from "./dynamo-support.js";

/** Claims-table items that serialise exclusive creates (see `run`); starts are rare, so cheap. */
const START_LOCK = "execution-start-lock";
const START_HOLDERS = "execution-start-holders";
const START_LOCK_LEASE_MS = 10_000;

/**
 * One active execution per server on DynamoDB (decision 023): exclusive creates run under a leased lock item, and
 * inside it the holders item names the executions created exclusively; `stored` reads an execution's summary and
 * server keys with consistent reads.
 */
export function createStartLock(
  ctx: DynamoContext,
  stored: {
    summary(executionId: string): Promise<ExecutionSummary | undefined>;
    serverKeys(executionId: string): Promise<string[]>;
  },
) {
  /**
   * Exclusive creates run one at a time under a leased mutex item (a single conditional write: atomic on DynamoDB
   * and on the emulator alike). Inside it, the holders item lists the executions created exclusively and not yet
   * seen ended; each is read with consistent reads (never the eventually consistent ActiveIndex, which could miss
   * a start that just won). A crashed holder's lease expires after START_LOCK_LEASE_MS.
   */
  async function run<T>(fn: () => Promise<T>): Promise<T> {
    const owner = randomUUID();
    for (let n = 0; ; n++) {
      try {
        await ctx.doc.send(
          new PutCommand({
            TableName: ctx.tables.claims,
            Item: { ClaimKey: START_LOCK, OwnerId: owner, Until: Date.now() + START_LOCK_LEASE_MS },
            ConditionExpression: "attribute_not_exists(ClaimKey) OR #until < :now",
            ExpressionAttributeNames: { "#until": "Until" },
            ExpressionAttributeValues: { ":now": Date.now() },
          }),
        );
        break;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        if (n >= 60)
          throw new ConflictError("CONCURRENT_UPDATE", "Other executions kept starting; retry the start.");
        await new Promise((r) => setTimeout(r, Math.min(250, 10 * 2 ** n) * (0.5 + Math.random())));
      }
    }
    try {
      return await fn();
    } finally {
      await ctx.doc
        .send(
          new DeleteCommand({
            TableName: ctx.tables.claims,
            Key: { ClaimKey: START_LOCK },
            ConditionExpression: "OwnerId = :me",
            ExpressionAttributeValues: { ":me": owner },
          }),
        )
        .catch((error) => {
          // Our lease expired and someone else holds the lock now: theirs to release.
          if (!isConditionalCheckFailed(error)) throw error;
        });
    }
  }

  /** Under the start lock: applies the one-execution-per-server rule; returns the holders item's update. */
  async function claimServers(execution: Execution): Promise<TransactItem[]> {
    const got = await ctx.doc.send(
      new GetCommand({
        TableName: ctx.tables.claims,
        Key: { ClaimKey: START_HOLDERS },
        ConsistentRead: true,
      }),
    );
    const listed = JSON.parse((got.Item && str(got.Item, "Holders")) ?? "[]") as string[];
    const holders: ServerHolder[] = [];
    for (const executionId of listed) {
      const summary = await stored.summary(executionId);
      if (!summary || isTerminal(summary.status)) continue;
      holders.push({
        executionId,
        executionType: summary.executionType,
        status: summary.status,
        serverKeys: await stored.serverKeys(executionId),
      });
    }
    const found = serverConflict(
      { executionType: execution.executionType, serverKeys: serverKeysOf(execution) },
      holders,
    );
    if (found) throw serverConflictError(found);
    return [
      {
        Put: {
          TableName: ctx.tables.claims,
          Item: {
            ClaimKey: START_HOLDERS,
            OwnerId: START_HOLDERS,
            Holders: JSON.stringify([...holders.map((h) => h.executionId), execution.executionId]),
          },
        },
      },
    ];
  }

  return { run, claimServers };
}
