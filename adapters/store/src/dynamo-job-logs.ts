import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { ExecutionRepository, JobLogItem } from "@drso/core";
import { type DynamoContext, isConditionalCheckFailed, num, pad, queryUntil, str } from "./dynamo-support.js";
import { rowLimit } from "./paging.js";
import { notFound } from "./store-errors.js";

type JobLogEntry = JobLogItem & { jobId: string; index: number };

const SEQ_WIDTH = 10;
const MAX_SEQ = "9".repeat(SEQ_WIDTH);
/** `joblog#<jobId>#<index>` in execution-items: one item per log item, in (jobId, index) order. */
const jobLogKey = (jobId: string, index: number) => `joblog#${jobId}#${pad(index, SEQ_WIDTH)}`;

/** An execution's DRS job log items on DynamoDB (part of `createDynamoExecutions`). */
export function createDynamoJobLogs(
  ctx: DynamoContext,
  itemsTable: string,
  exists: (executionId: string) => Promise<boolean>,
) {
  return {
    async append(executionId: string, jobId: string, items: Array<JobLogItem & { index: number }>) {
      if (!(await exists(executionId))) throw notFound("execution", executionId);
      const first = new Map<number, JobLogItem & { index: number }>();
      for (const item of items) if (!first.has(item.index)) first.set(item.index, item);
      const pending = [...first.values()];
      const worker = async () => {
        for (let item = pending.shift(); item; item = pending.shift()) {
          const stored: JobLogEntry = { ...item, jobId };
          try {
            await ctx.doc.send(
              new PutCommand({
                TableName: itemsTable,
                Item: {
                  ExecutionId: executionId,
                  ItemKey: jobLogKey(jobId, item.index),
                  ItemIndex: item.index,
                  Entry: JSON.stringify(stored),
                },
                ConditionExpression: "attribute_not_exists(ItemKey)",
              }),
            );
          } catch (error) {
            // Idempotent: the first item stored for (execution, job, index) wins.
            if (!isConditionalCheckFailed(error)) throw error;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(8, pending.length) }, worker));
    },

    async read(executionId: string, q: Parameters<ExecutionRepository["jobLog"]>[1]): Promise<JobLogEntry[]> {
      const want = rowLimit(q.limit);
      if (want === 0) return [];
      const values: Record<string, unknown> = { ":id": executionId };
      let condition: string;
      if (q.jobId !== undefined && q.afterJobId !== undefined && q.afterJobId !== q.jobId) {
        // One job's items after a cursor in another job: all of them, or none (as the other stores answer).
        if (q.afterJobId > q.jobId) return [];
        return this.read(executionId, { jobId: q.jobId, limit: q.limit });
      }
      if (q.jobId !== undefined) {
        condition = "ExecutionId = :id AND ItemKey BETWEEN :lo AND :hi";
        values[":lo"] = jobLogKey(
          q.jobId,
          q.afterIndex === undefined ? 0 : Math.max(0, Math.floor(q.afterIndex) + 1),
        );
        values[":hi"] = `joblog#${q.jobId}#${MAX_SEQ}`;
      } else if (q.afterJobId !== undefined) {
        // The keys after (afterJobId, afterIndex): "joblog$" sorts after every "joblog#…" key.
        condition = "ExecutionId = :id AND ItemKey BETWEEN :lo AND :hi";
        values[":lo"] = jobLogKey(q.afterJobId, Math.max(0, Math.floor(q.afterIndex ?? -1) + 1));
        values[":hi"] = "joblog$";
      } else {
        condition = "ExecutionId = :id AND begins_with(ItemKey, :prefix)";
        values[":prefix"] = "joblog#";
      }
      const found = await queryUntil(
        ctx,
        {
          TableName: itemsTable,
          ConsistentRead: true,
          KeyConditionExpression: condition,
          ExpressionAttributeValues: values,
        },
        want,
        // With a cursor the key range already starts after it; afterIndex alone applies within every job.
        (item) =>
          q.afterJobId !== undefined ||
          q.afterIndex === undefined ||
          (num(item, "ItemIndex") ?? 0) > q.afterIndex,
      );
      return found.map((item) => JSON.parse(str(item, "Entry") ?? "{}") as JobLogEntry);
    },
  };
}
