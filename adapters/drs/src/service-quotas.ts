import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  type ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import type { DrsTarget } from "@drso/core";

/** The DRS quotas the engine plans launches by (shared/specs/drs-api.md, quota table). */
export interface DrsQuotas {
  /** L-B827C881: source servers in one recovery job. */
  serversPerJob?: number;
  /** L-D88FAC3A: jobs in progress at once. */
  concurrentJobs?: number;
  /** L-05AFA8C6: source servers across all active jobs. */
  serversInAllJobs?: number;
}

export const DRS_QUOTA_CODES: Readonly<Record<keyof DrsQuotas, string>> = {
  serversPerJob: "L-B827C881",
  concurrentJobs: "L-D88FAC3A",
  serversInAllJobs: "L-05AFA8C6",
};

export interface ServiceQuotasReaderOptions {
  /**
   * A Service Quotas client for the region (and, for cross-account targets, with the target account's
   * credentials: Service Quotas answers for the account whose credentials sign the request).
   */
  clientFor(region: string, accountId: string): ServiceQuotasClient;
  /** How long an answer is kept per account/region. Default one hour. */
  cacheTtlMs?: number;
  /** Injected for tests. */
  now?: () => number;
}

/** Quota look-ups that a retry will not change: remembered like an answer (fields stay undefined). */
const SETTLED_ERRORS = new Set([
  "AccessDeniedException",
  "NoSuchResourceException",
  "IllegalArgumentException",
]);

function errorName(error: unknown): string {
  return typeof error === "object" && error !== null && "name" in error
    ? String((error as { name: unknown }).name)
    : "Error";
}

/**
 * Reads the DRS quotas of an account/region from Service Quotas (service code `drs`): the applied value,
 * or AWS's default when the account has none (NoSuchResource). An answer is cached per account/region for
 * an hour. A quota that cannot be read (AccessDenied, no such quota) is left undefined, so the engine falls
 * back to the quotas in settings; a transient failure (throttling, network) is left undefined too but not
 * cached, so the next call asks again.
 */
export function createServiceQuotasReader(
  options: ServiceQuotasReaderOptions,
): (target: DrsTarget) => Promise<DrsQuotas> {
  const ttl = options.cacheTtlMs ?? 3_600_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; quotas: Promise<DrsQuotas> }>();

  async function readOne(
    client: ServiceQuotasClient,
    quotaCode: string,
  ): Promise<{ value?: number; settled: boolean }> {
    try {
      const out = await client.send(new GetServiceQuotaCommand({ ServiceCode: "drs", QuotaCode: quotaCode }));
      const value = out.Quota?.Value;
      return typeof value === "number" && Number.isFinite(value)
        ? { value, settled: true }
        : { settled: true };
    } catch (error) {
      if (errorName(error) === "NoSuchResourceException") {
        try {
          const out = await client.send(
            new GetAWSDefaultServiceQuotaCommand({ ServiceCode: "drs", QuotaCode: quotaCode }),
          );
          const value = out.Quota?.Value;
          return typeof value === "number" && Number.isFinite(value)
            ? { value, settled: true }
            : { settled: true };
        } catch (fallbackError) {
          return { settled: SETTLED_ERRORS.has(errorName(fallbackError)) };
        }
      }
      return { settled: SETTLED_ERRORS.has(errorName(error)) };
    }
  }

  async function read(target: DrsTarget, key: string): Promise<DrsQuotas> {
    const client = options.clientFor(target.region, target.accountId);
    const entries = await Promise.all(
      (Object.entries(DRS_QUOTA_CODES) as Array<[keyof DrsQuotas, string]>).map(
        async ([field, code]) => [field, await readOne(client, code)] as const,
      ),
    );
    const quotas: DrsQuotas = {};
    for (const [field, result] of entries) {
      if (result.value !== undefined) quotas[field] = Math.floor(result.value);
    }
    // Only a complete answer is kept for the hour; a transient failure is asked again next time.
    if (!entries.every(([, result]) => result.settled)) cache.delete(key);
    return quotas;
  }

  return (target) => {
    const key = `${target.accountId}/${target.region}`;
    const cached = cache.get(key);
    if (cached && now() - cached.at < ttl) return cached.quotas.then((q) => ({ ...q }));
    const quotas = read(target, key);
    cache.set(key, { at: now(), quotas });
    quotas.catch(() => cache.delete(key));
    return quotas.then((q) => ({ ...q }));
  };
}
