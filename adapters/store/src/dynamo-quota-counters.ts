import { GetCommand } from "@aws-sdk/lib-dynamodb";
import {
  type ExecutionUsage,
  grownKeys,
  othersUsage,
  type QuotaLimits,
  quotaExceededError,
  quotaExcess,
} from "@drso/core";
import { type DynamoContext, num, type TransactItem } from "./dynamo-support.js";

/** The claims-table item counting the DRS jobs and servers all executions hold in one account/region. */
export const usageCounterKey = (key: string) => `usage#${key}`;

/** What all executions hold in these account/regions: their counters, read consistently (one read per key). */
export async function usageCounters(ctx: DynamoContext, keys: readonly string[]): Promise<ExecutionUsage> {
  const usage: ExecutionUsage = {};
  await Promise.all(
    [...new Set(keys)].map(async (key) => {
      const out = await ctx.doc.send(
        new GetCommand({
          TableName: ctx.tables.claims,
          Key: { ClaimKey: usageCounterKey(key) },
          ConsistentRead: true,
        }),
      );
      const jobs = out.Item ? (num(out.Item, "Jobs") ?? 0) : 0;
      const servers = out.Item ? (num(out.Item, "Servers") ?? 0) : 0;
      if (jobs !== 0 || servers !== 0) usage[key] = { jobs, servers };
    }),
  );
  return usage;
}

/**
 * Quota accounting across executions on DynamoDB: one counter item per account/region in the claims table, moved
 * by every execution save in the same transaction as the execution (so it is exactly the sum of the stored
 * executions' usage). Where a save grows its usage and `limits` are given, the counter's update is conditional:
 * it holds only while the other executions leave room (`counter - own before + own after <= limit`), so two
 * racing saves cannot both pass. The counter is also read first (consistently), so a refusal is reported as
 * QUOTA_EXCEEDED rather than retried; a race lost between that read and the transaction cancels it, and the
 * caller's retry reads again.
 */
export async function usageCounterUpdates(
  ctx: DynamoContext,
  before: ExecutionUsage,
  after: ExecutionUsage,
  limits: QuotaLimits | undefined,
): Promise<TransactItem[]> {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const grown = new Set(limits ? grownKeys(before, after) : []);
  const items: TransactItem[] = [];
  for (const key of keys) {
    const was = before[key] ?? { jobs: 0, servers: 0 };
    const now = after[key] ?? { jobs: 0, servers: 0 };
    const jobs = now.jobs - was.jobs;
    const servers = now.servers - was.servers;
    if (jobs === 0 && servers === 0) continue;
    const update: NonNullable<TransactItem["Update"]> = {
      TableName: ctx.tables.claims,
      Key: { ClaimKey: usageCounterKey(key) },
      UpdateExpression: "ADD Jobs :jobs, Servers :servers",
      ExpressionAttributeValues: { ":jobs": jobs, ":servers": servers },
    };
    if (limits && grown.has(key)) {
      const others = othersUsage(await usageCounters(ctx, [key]), { [key]: was });
      const excess = quotaExcess({ [key]: was }, { [key]: now }, [others], limits);
      if (excess) throw quotaExceededError(excess);
      update.ConditionExpression =
        "(attribute_not_exists(Jobs) OR Jobs <= :maxJobs) AND (attribute_not_exists(Servers) OR Servers <= :maxServers)";
      Object.assign(update.ExpressionAttributeValues ?? {}, {
        ":maxJobs": limits.concurrentJobs - jobs,
        ":maxServers": limits.serversInAllJobs - servers,
      });
    }
    items.push({ Update: update });
  }
  return items;
}
