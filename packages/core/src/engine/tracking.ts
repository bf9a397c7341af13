import type { DrsJob, JobParticipant } from "../domain/drs.js";
import type { BatchRun, ServerRun } from "../domain/execution.js";
import { plural } from "../domain/text.js";
import { type BatchIn, toActive, toDone } from "./batch-state.js";
import { failBatch } from "./batches.js";
import type { Round } from "./round.js";
import { describeBatch, REISSUE_MS, SERVER_DONE } from "./rules.js";
import { backoffMs, MAX_CONSECUTIVE_ERRORS, nextPollDelayMs } from "./timing.js";
import type { Effect, EffectError, EffectValue } from "./types.js";

/**
 * Following DRS jobs: polling (batched per account/region), applying each participant's launch status to
 * its server, and the job's end.
 */

/** A running job's log is refreshed at most this often (and always once the job completes). */
const LOG_INTERVAL_MS = 15_000;

/** Poll interval once some servers of a job have their outcome. */
const SETTLING_POLL_MS = 2000;

/** Poll interval once every server of a job has its outcome and only the job's end is awaited. */
const SETTLED_POLL_MS = 1000;

export function activate(
  r: Round,
  b: BatchRun,
  job: DrsJob,
  eventType: "batch.launched" | "batch.recovered",
) {
  const a = toActive(b, job.jobId, r.now);
  a.jobStatus = job.status;
  if (job.createdAt) a.jobCreatedAt = job.createdAt;
  a.errorCount = 0;
  delete a.lastError;
  a.nextPollAt = r.now + r.ctx.settings.fastPollSeconds * 1000;
  const scope = r.scopeOf(a);
  r.event(
    eventType,
    `${eventType === "batch.launched" ? "Started" : "Found"} DRS job ${job.jobId} for ${describeBatch(b)}`,
    { batchId: a.batchId, jobId: job.jobId, servers: a.sourceServerIds.length },
    scope,
  );
  trackJob(r, a, job);
}

/** Applies a DRS job's state to the batch and its servers. */
export function trackJob(r: Round, b: BatchIn<"ACTIVE">, job: DrsJob) {
  b.jobStatus = job.status;
  if (job.createdAt) b.jobCreatedAt = job.createdAt;
  for (const p of job.participants) applyParticipant(r, b, p, job.jobId);
  if (job.status === "COMPLETED") {
    toDone(b, r.now);
    if (job.endedAt) b.jobEndedAt = job.endedAt;
    const endedAt = job.endedAt ? Date.parse(job.endedAt) : Number.NaN;
    for (const s of r.serversOfBatch(b)) {
      if (!SERVER_DONE.has(s.status))
        r.closeServer(s, "FAILED", `DRS job ${job.jobId} completed without a result for this server`);
      // Noticed late (an outage): the server was launched by the time DRS ended the job, not when we looked.
      if (s.status === "LAUNCHED" && s.launchedAt && endedAt < Date.parse(s.launchedAt))
        s.launchedAt = new Date(endedAt).toISOString();
    }
    if (b.kind === "terminate") {
      for (const i of r.e.termination?.instances ?? []) {
        if (b.recoveryInstanceIds?.includes(i.recoveryInstanceId) && i.status === "TERMINATING") {
          i.status = "FAILED";
          i.error = `DRS job ${job.jobId} completed without terminating it`;
        }
      }
    }
    const failed = r.serversOfBatch(b).filter((s) => s.status === "FAILED").length;
    r.event(
      "batch.completed",
      `DRS job ${job.jobId} completed for ${describeBatch(b)}${failed ? `: ${plural(failed, "server")} failed` : ""}`,
      { batchId: b.batchId, jobId: job.jobId, failed },
      r.scopeOf(b),
    );
  } else {
    const runningFor = r.now - (b.submittedAt ?? r.now);
    // Every server has its outcome: DRS ends the job seconds later (spec §10.2), so look again soon.
    // Servers of one job finish close together: once the first has its outcome, watch the rest closely.
    const done = job.participants.filter(
      (p) => p.launchStatus === "LAUNCHED" || p.launchStatus === "FAILED" || p.launchStatus === "TERMINATED",
    ).length;
    const delay =
      done > 0 && done === job.participants.length
        ? SETTLED_POLL_MS
        : done > 0
          ? Math.min(SETTLING_POLL_MS, nextPollDelayMs(runningFor, r.ctx.settings))
          : nextPollDelayMs(runningFor, r.ctx.settings);
    b.nextPollAt = r.now + delay;
  }
}

export function applyParticipant(r: Round, b: BatchRun, p: JobParticipant, jobId: string) {
  if (b.kind === "terminate") {
    const instance = r.e.termination?.instances.find(
      (i) =>
        i.recoveryInstanceId === p.recoveryInstanceId ||
        (!p.recoveryInstanceId && i.sourceServerId === p.sourceServerId),
    );
    if (!instance) return;
    if (p.launchStatus === "TERMINATED" && instance.status !== "TERMINATED") {
      instance.status = "TERMINATED";
      for (const s of r.allServers())
        if (s.recoveryInstanceId === instance.recoveryInstanceId) s.ec2State = "TERMINATED";
    } else if (p.launchStatus === "FAILED" && instance.status !== "FAILED") {
      instance.status = "FAILED";
      instance.error = `DRS job ${jobId} could not terminate it`;
    }
    return;
  }
  const s = serverOfParticipant(r, b, p);
  if (!s || SERVER_DONE.has(s.status)) return;
  s.jobId = jobId;
  if (p.recoveryInstanceId) s.recoveryInstanceId = p.recoveryInstanceId;
  switch (p.launchStatus) {
    case "PENDING":
    case "IN_PROGRESS":
      s.status = p.launchStatus;
      return;
    case "LAUNCHED":
      s.status = "LAUNCHED";
      s.launchedAt = new Date(r.now).toISOString();
      if (r.findWave(r.scopeOf(b) ?? "")?.status === "TIMED_OUT")
        s.error = `launched after the wave timed out (DRS job ${jobId})`;
      else delete s.error;
      if (s.failback) s.failback.phase = "done";
      return;
    case "FAILED":
    case "TERMINATED":
      r.closeServer(
        s,
        "FAILED",
        p.launchStatus === "FAILED"
          ? `DRS reported the launch as FAILED in job ${jobId}; see the job log`
          : `instance terminated during job ${jobId}`,
      );
      if (s.failback) s.failback.phase = "failed";
      return;
  }
}

export function serverOfParticipant(r: Round, b: BatchRun, p: JobParticipant): ServerRun | undefined {
  const servers = r.serversOfBatch(b);
  return (
    servers.find(
      (s) =>
        s.failback?.reversedSourceServerId === p.sourceServerId &&
        b.kind === "recovery" &&
        r.e.executionType === "FAILBACK",
    ) ??
    servers.find(
      (s) =>
        p.recoveryInstanceId !== undefined &&
        b.kind === "failback-launch" &&
        s.failback?.recoveryInstanceId === p.recoveryInstanceId,
    ) ??
    servers.find((s) => s.sourceServerId === p.sourceServerId)
  );
}

export function emitPolls(r: Round) {
  const due = new Map<string, BatchRun[]>();
  for (const b of r.allBatches()) {
    if (b.status !== "ACTIVE" || !b.jobId) continue;
    if (b.nextPollAt !== undefined && r.now < b.nextPollAt) continue;
    const key = `${b.accountId}/${b.region}`;
    due.set(key, [...(due.get(key) ?? []), b]);
  }
  for (const [key, batches] of due) {
    const fetchLogsFor: string[] = [];
    for (const b of batches) {
      b.nextPollAt = r.now + REISSUE_MS;
      if (b.jobStatus !== "PENDING" && (b.nextLogAt === undefined || r.now >= b.nextLogAt)) {
        fetchLogsFor.push(b.jobId!);
        b.nextLogAt = r.now + LOG_INTERVAL_MS;
      }
    }
    r.effects.push({
      kind: "poll-jobs",
      id: `poll:${key}:${r.now}`,
      target: { accountId: batches[0]!.accountId, region: batches[0]!.region },
      jobIds: batches.map((b) => b.jobId!),
      logCounts: Object.fromEntries(batches.map((b) => [b.jobId!, b.logCount])),
      fetchLogsFor,
    });
  }
}

export function observePolledJobs(
  r: Round,
  effect: Extract<Effect, { kind: "poll-jobs" }>,
  value: EffectValue,
) {
  if (value.kind !== "poll-jobs") return;
  const byId = new Map(value.jobs.map((j) => [j.jobId, j]));
  for (const jobId of effect.jobIds) {
    const b = r.findBatchByJob(jobId);
    if (b?.status !== "ACTIVE") continue;
    const job = byId.get(jobId);
    if (value.logCounts[jobId] !== undefined) b.logCount = value.logCounts[jobId]!;
    if (!job) {
      b.errorCount += 1;
      b.lastError = `DRS job ${jobId} was not returned by DescribeJobs`;
      if (b.errorCount >= MAX_CONSECUTIVE_ERRORS) failBatch(r, b, `DRS job ${jobId} disappeared`);
      else b.nextPollAt = r.now + backoffMs(b.errorCount, b.batchId);
      continue;
    }
    b.errorCount = 0;
    b.lastPolledAt = r.now;
    delete b.lastError;
    trackJob(r, b, job);
  }
  for (const instance of value.instances) {
    for (const s of r.allServers()) {
      if (s.recoveryInstanceId === instance.recoveryInstanceId) {
        if (instance.ec2InstanceId) s.ec2InstanceId = instance.ec2InstanceId;
        if (instance.ec2State) s.ec2State = instance.ec2State;
      }
    }
  }
}

export function observePollError(
  r: Round,
  effect: Extract<Effect, { kind: "poll-jobs" }>,
  error: EffectError,
) {
  for (const jobId of effect.jobIds) {
    const b = r.findBatchByJob(jobId);
    if (b?.status !== "ACTIVE") continue;
    b.errorCount += 1;
    b.lastError = error.message;
    b.nextPollAt =
      r.now + Math.max(backoffMs(b.errorCount, `${b.batchId}:poll`), r.ctx.settings.fastPollSeconds * 1000);
  }
}
