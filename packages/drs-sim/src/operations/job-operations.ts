import { type DrsError, errors, type FieldProblem, QUOTA_CODES } from "../model/drs-error.js";
import { createLaunchJob, type LaunchItem } from "../model/launch-job.js";
import { checkJobQuotas } from "../model/quotas.js";
import { readinessOf } from "../model/replication.js";
import { parseIsoDateTime } from "../model/time-format.js";
import { renderJob, renderJobLog } from "../model/wire-views.js";
import { paginate } from "../protocol/pagination.js";
import type { OperationHandler } from "./operation-context.js";

type Body = Record<string, unknown>;

function pageRequest(body: Body) {
  return {
    maxResults: body.maxResults as number | undefined,
    nextToken: body.nextToken as string | undefined,
  };
}

function validationFailed(message: string, fieldList: FieldProblem[]): DrsError {
  return errors.validation(message, fieldList);
}

/**
 * StartRecovery (spec §4.5): after schema validation, in this order: uninitialized (checked by the
 * pipeline), duplicates, unknown servers, the three job quotas, one job per server, readiness (knob), and
 * the requested point in time. One call creates one LAUNCH job.
 */
export const startRecovery: OperationHandler = (ctx, { body }) => {
  const sim = ctx.sim;
  const config = sim.config;
  const requested = body.sourceServers as { sourceServerID: string; recoverySnapshotID?: string }[];
  const isDrill = body.isDrill === true;
  const tags = (body.tags ?? {}) as Record<string, string>;
  ctx.note.sourceServerIDs = requested.map((s) => s.sourceServerID);

  const duplicates: FieldProblem[] = [];
  const seen = new Set<string>();
  requested.forEach((s, i) => {
    if (seen.has(s.sourceServerID))
      duplicates.push({
        name: `sourceServers.${i}.sourceServerID`,
        message: `Duplicate source server ${s.sourceServerID}`,
      });
    seen.add(s.sourceServerID);
  });
  if (duplicates.length > 0) throw validationFailed("Duplicate source servers in the request", duplicates);

  const region = ctx.region();
  const items: LaunchItem[] = [];
  const unknown: FieldProblem[] = [];
  requested.forEach((s, i) => {
    const server = region?.servers.get(s.sourceServerID);
    if (server) {
      items.push({ sourceServerID: s.sourceServerID, recoverySnapshotID: s.recoverySnapshotID });
      return;
    }
    if (config.unknownServerOnStart === "rnf") throw errors.notFound("SOURCE_SERVER", s.sourceServerID);
    if (config.unknownServerOnStart === "skipInJob") {
      items.push({ sourceServerID: s.sourceServerID, unknown: true });
      return;
    }
    unknown.push({
      name: `sourceServers.${i}.sourceServerID`,
      message: `Source server ${s.sourceServerID} not found`,
    });
  });
  if (unknown.length > 0) throw validationFailed("Unknown source servers in the request", unknown);

  checkJobQuotas(sim, region, requested.length);

  if (region) {
    const busy = sim.serversInActiveJobs(region);
    for (const item of items) {
      const jobId = busy.get(item.sourceServerID);
      if (!jobId) continue;
      const message = `Source server ${item.sourceServerID} is already part of active job ${jobId}`;
      if (config.perServerJobConflictAs === "quota") {
        throw errors.quota(QUOTA_CODES.jobsPerServer, message, {
          resourceId: item.sourceServerID,
          resourceType: "SOURCE_SERVER",
        });
      }
      throw errors.conflict("SOURCE_SERVER", item.sourceServerID, message);
    }
  }

  const pitProblems: FieldProblem[] = [];
  items.forEach((item, i) => {
    const server = item.unknown ? undefined : region?.servers.get(item.sourceServerID);
    if (!server) return;
    if (config.notReadyOnStart === "conflict" && readinessOf(server) === "NOT_READY") {
      throw errors.conflict(
        "SOURCE_SERVER",
        server.id,
        `Source server ${server.id} is not ready for recovery`,
      );
    }
    if (!item.recoverySnapshotID) return;
    const found = sim.snapshotsOf(server).some((s) => s.snapshotID === item.recoverySnapshotID);
    if (found) return;
    const message = `Recovery snapshot ${item.recoverySnapshotID} does not belong to source server ${server.id} or has expired`;
    if (config.snapshotMismatchOnStart === "conflict")
      throw errors.conflict("SNAPSHOT", item.recoverySnapshotID, message);
    pitProblems.push({ name: `sourceServers.${i}.recoverySnapshotID`, message });
  });
  if (pitProblems.length > 0) throw validationFailed("Invalid recovery snapshots", pitProblems);

  const job = createLaunchJob(sim, region ?? ctx.ensureRegion(), items, isDrill, tags);
  ctx.note.jobID = job.id;
  return { job: renderJob(ctx.view(), job) };
};

export const describeJobs: OperationHandler = (ctx, { body }) => {
  const filters = (body.filters ?? {}) as { jobIDs?: string[]; fromDate?: string; toDate?: string };
  const ids = filters.jobIDs?.length ? new Set(filters.jobIDs) : undefined;
  const from = filters.fromDate ? parseIsoDateTime(filters.fromDate) : undefined;
  const to = filters.toDate ? parseIsoDateTime(filters.toDate) : undefined;
  const jobs = (ctx.region()?.sortedJobs() ?? []).filter(
    (job) =>
      ctx.visible(job.createdMs) &&
      (!ids || ids.has(job.id)) &&
      (from === undefined || job.createdMs >= from) &&
      (to === undefined || job.createdMs <= to),
  );
  const page = paginate(jobs, (job) => [-job.createdMs, -job.seq], pageRequest(body), {
    filters: { op: "DescribeJobs", ids: filters.jobIDs, from: filters.fromDate, to: filters.toDate },
    config: ctx.sim.config,
    now: ctx.sim.now(),
  });
  const view = ctx.view();
  const stale = ctx.sim.config.staleReadProbability;
  return {
    items: page.items.map((job) =>
      renderJob(view, job, job.previous !== undefined && ctx.reads.chance(stale)),
    ),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
};

export const describeJobLogItems: OperationHandler = (ctx, { body }) => {
  const jobID = body.jobID as string;
  const job = ctx.region()?.jobs.get(jobID);
  if (!job || !ctx.visible(job.createdMs)) {
    if (ctx.sim.config.jobLogUnknownJob === "rnf") throw errors.notFound("JOB", jobID);
    return { items: [] };
  }
  const entries = job.log.map((entry, index) => ({ entry, index }));
  const page = paginate(entries, (e) => [e.index], pageRequest(body), {
    filters: { op: "DescribeJobLogItems", jobID },
    config: ctx.sim.config,
    now: ctx.sim.now(),
  });
  const view = ctx.view();
  return {
    items: page.items.map((e) => renderJobLog(view, e.entry)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
};

export const deleteJob: OperationHandler = (ctx, { body }) => {
  const jobID = body.jobID as string;
  const job = ctx.region()?.jobs.get(jobID);
  if (!job) throw errors.notFound("JOB", jobID);
  if (job.status !== "COMPLETED") throw errors.conflict("JOB", jobID, `Job ${jobID} is still ${job.status}`);
  ctx.sim.world.removeJob(jobID);
  ctx.sim.scheduler.remove((step) => "job" in step && step.job === jobID);
  return undefined;
};
