import { errors, QUOTA_CODES } from "./drs-error.js";
import type { SimContext } from "./sim-context.js";
import type { RegionState } from "./world.js";

/**
 * Job quotas of spec §8, checked in the order of §4.5 (steps 4–6): servers in this job, concurrent active
 * jobs, servers across all active jobs. All of them are per account and region and configurable.
 */
export function checkJobQuotas(sim: SimContext, region: RegionState | undefined, serverCount: number): void {
  const quotas = sim.config.quotas;
  if (serverCount > quotas.serversPerJob) {
    throw errors.quota(
      QUOTA_CODES.serversPerJob,
      `Max source servers in a single job exceeded: ${serverCount} requested, quota is ${quotas.serversPerJob}`,
    );
  }
  const active = region?.activeJobs() ?? [];
  if (active.length >= quotas.concurrentJobs) {
    throw errors.quota(
      QUOTA_CODES.concurrentJobs,
      `Concurrent jobs in progress quota exceeded: ${active.length} active jobs, quota is ${quotas.concurrentJobs}`,
    );
  }
  const inJobs = active.reduce((sum, job) => sum + job.participants.length, 0);
  if (inJobs + serverCount > quotas.serversInAllJobs) {
    throw errors.quota(
      QUOTA_CODES.serversInAllJobs,
      `Max source servers in all active jobs exceeded: ${inJobs} in active jobs + ${serverCount} requested, quota is ${quotas.serversInAllJobs}`,
    );
  }
}
