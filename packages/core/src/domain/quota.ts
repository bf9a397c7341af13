import { ConflictError } from "../errors.js";
import type { ExecutionUsage } from "./execution.js";
import type { DrsQuotas } from "./settings.js";

/** The DRS limits that span executions: concurrent jobs and servers in all jobs, per account and region. */
export type QuotaLimits = Pick<DrsQuotas, "concurrentJobs" | "serversInAllJobs">;

const NONE = { jobs: 0, servers: 0 };

/** The `account/region` keys where `after` holds more jobs or more servers than `before`. */
export function grownKeys(before: ExecutionUsage, after: ExecutionUsage): string[] {
  return Object.entries(after)
    .filter(([key, u]) => {
      const was = before[key] ?? NONE;
      return u.jobs > was.jobs || u.servers > was.servers;
    })
    .map(([key]) => key)
    .sort();
}

/** What a refused save would have held in one account/region, against the limits. */
export interface QuotaExcess {
  key: string;
  jobs: number;
  servers: number;
  limits: QuotaLimits;
}

/**
 * Quota accounting across executions, the one rule every store applies inside its save (a transaction, or a
 * conditional write on per-account/region counters): a save whose usage grows in an account/region is refused
 * when the usage of every other active execution there plus its own new usage exceeds a limit. A save whose usage
 * does not grow always passes, so an execution can always wind down, even after the limits were lowered.
 */
export function quotaExcess(
  before: ExecutionUsage,
  after: ExecutionUsage,
  others: readonly ExecutionUsage[],
  limits: QuotaLimits,
): QuotaExcess | undefined {
  for (const key of grownKeys(before, after)) {
    const own = after[key] ?? NONE;
    let jobs = own.jobs;
    let servers = own.servers;
    for (const usage of others) {
      jobs += usage[key]?.jobs ?? 0;
      servers += usage[key]?.servers ?? 0;
    }
    if (jobs > limits.concurrentJobs || servers > limits.serversInAllJobs)
      return { key, jobs, servers, limits };
  }
  return undefined;
}

/** The 409 a store raises when `quotaExcess` (or its counters) refuse a save. */
export function quotaExceededError(excess: QuotaExcess): ConflictError {
  const [accountId, region] = excess.key.split("/");
  return new ConflictError(
    "QUOTA_EXCEEDED",
    `Launching now would hold ${excess.jobs} DRS jobs and ${excess.servers} servers in ${accountId} ${region}; the limits are ${excess.limits.concurrentJobs} concurrent jobs and ${excess.limits.serversInAllJobs} servers in all jobs.`,
    { key: excess.key, accountId, region, jobs: excess.jobs, servers: excess.servers, limits: excess.limits },
  );
}

/** The sum of several executions' usage, over `keys` only when given. */
export function sumUsage(usages: Iterable<ExecutionUsage>, keys?: readonly string[]): ExecutionUsage {
  const wanted = keys ? new Set(keys) : undefined;
  const total: ExecutionUsage = {};
  for (const usage of usages)
    for (const [key, u] of Object.entries(usage)) {
      if (wanted && !wanted.has(key)) continue;
      const entry = total[key] ?? { jobs: 0, servers: 0 };
      entry.jobs += u.jobs;
      entry.servers += u.servers;
      total[key] = entry;
    }
  return total;
}

/** What the others hold: `total` (everyone's, this execution's stored usage included) minus `own`. */
export function othersUsage(total: ExecutionUsage, own: ExecutionUsage): ExecutionUsage {
  const others: ExecutionUsage = {};
  for (const [key, u] of Object.entries(total)) {
    const mine = own[key] ?? NONE;
    others[key] = { jobs: Math.max(0, u.jobs - mine.jobs), servers: Math.max(0, u.servers - mine.servers) };
  }
  return others;
}
