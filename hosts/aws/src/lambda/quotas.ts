import type { DrsTarget, Execution, Settings } from "@drso/core";

export type QuotaReader = (
  target: DrsTarget,
) => Promise<{ serversPerJob?: number; concurrentJobs?: number; serversInAllJobs?: number }>;

/**
 * The engine's settings for one execution with the DRS quotas of its accounts and regions applied: for each
 * quota, the lowest of the settings and what Service Quotas reports for any target of the execution. Settings
 * can lower a quota (leave room for other tools), never raise it above AWS's; a quota that cannot be read
 * leaves the settings value.
 */
export function quotaAwareSettings(read: QuotaReader) {
  return async (execution: Execution, settings: Settings): Promise<Settings> => {
    const targets = new Map<string, DrsTarget>();
    for (const g of execution.snapshot.groups)
      targets.set(`${g.accountId}/${g.region}`, { accountId: g.accountId, region: g.region });
    const quotas = { ...settings.quotas };
    for (const target of targets.values()) {
      const read_ = await read(target).catch(() => ({}) as Awaited<ReturnType<QuotaReader>>);
      for (const key of ["serversPerJob", "concurrentJobs", "serversInAllJobs"] as const) {
        const value = read_[key];
        if (typeof value === "number" && value >= 1) quotas[key] = Math.min(quotas[key], Math.floor(value));
      }
    }
    return { ...settings, quotas };
  };
}
