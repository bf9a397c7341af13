import { isTerminalLaunchStatus, type JobLogEvent, type LaunchStatus } from "./drs-enums.js";
import type { JobRecord, ParticipantRecord } from "./records.js";
import type { SimContext } from "./sim-context.js";

/** Job mechanics shared by LAUNCH, TERMINATE and failback jobs (spec §7.3). */

export function appendLog(
  sim: SimContext,
  job: JobRecord,
  event: JobLogEvent,
  data?: Record<string, unknown>,
): void {
  job.log.push({ ms: sim.now(), event, data: data ?? {} });
}

/** Keeps the job as it was, for `staleReadProbability` (only when that knob is on: it costs a copy). */
export function rememberPrevious(sim: SimContext, job: JobRecord): void {
  if (!(sim.config.staleReadProbability > 0)) return;
  job.previous = {
    status: job.status,
    endMs: job.endMs,
    participants: job.participants.map((p) => ({ ...p })),
  };
}

export function setLaunchStatus(
  sim: SimContext,
  job: JobRecord,
  p: ParticipantRecord,
  status: LaunchStatus,
): void {
  if (p.launchStatus === status) return;
  rememberPrevious(sim, job);
  p.launchStatus = status;
}

/** Where a job is stuck by the `stuckJob` / `jobs[id].stuck` knobs, if anywhere. */
export function jobStuckAt(sim: SimContext, job: JobRecord): "PENDING" | "STARTED" | undefined {
  const own = sim.config.jobs[job.id]?.stuck;
  if (own) return own;
  const stuck = sim.config.stuckJob;
  if (!stuck) return undefined;
  if (stuck.servers && stuck.servers.length > 0) {
    const hit = job.participants.some((p) => p.sourceServerID && stuck.servers?.includes(p.sourceServerID));
    if (!hit) return undefined;
  }
  return stuck.where;
}

/** After creation: the PENDING → STARTED transition and the optional timeout. */
export function scheduleNewJob(sim: SimContext, job: JobRecord): void {
  const now = sim.now();
  sim.schedule(now + sim.duration("pendingDelay"), { kind: "jobStart", job: job.id });
  const timeout = sim.config.jobs[job.id]?.jobTimeoutMs ?? sim.config.jobTimeoutMs;
  if (timeout !== null && timeout !== undefined) {
    sim.schedule(now + timeout, { kind: "jobCancel", job: job.id, reason: "timeout" });
  }
}

/** PENDING → STARTED with JOB_START. Returns false when the job must not progress any further. */
export function startJob(sim: SimContext, job: JobRecord): boolean {
  if (job.status !== "PENDING") return false;
  const stuck = jobStuckAt(sim, job);
  if (stuck === "PENDING") return false;
  rememberPrevious(sim, job);
  job.status = "STARTED";
  appendLog(sim, job, "JOB_START");
  if (sim.config.jobs[job.id]?.cancel || sim.outcomes.chance(sim.config.jobCancelProbability)) {
    const at = sim.now() + Math.round(sim.duration("conversionDelay") * sim.outcomes.next());
    sim.schedule(at, { kind: "jobCancel", job: job.id, reason: "cancel" });
  }
  return stuck !== "STARTED";
}

/** Once every participant is terminal, the job ends a little later (JOB_END, COMPLETED). */
export function participantFinished(sim: SimContext, job: JobRecord): void {
  if (job.endScheduled || job.status === "COMPLETED") return;
  if (!job.participants.every((p) => isTerminalLaunchStatus(p.launchStatus))) return;
  job.endScheduled = true;
  sim.schedule(sim.now() + sim.duration("jobEndDelay"), { kind: "jobEnd", job: job.id });
}

/** Marks one participant FAILED with the side effects its job type implies. */
export function failParticipant(sim: SimContext, job: JobRecord, p: ParticipantRecord): void {
  setLaunchStatus(sim, job, p, "FAILED");
  if (job.type === "LAUNCH" && job.initiatedBy !== "FAILBACK" && p.sourceServerID) {
    const server = sim.world.server(p.sourceServerID);
    if (server?.lastLaunch?.jobID === job.id) {
      server.lastLaunchResult = "FAILED";
      server.lastLaunch.status = "FAILED";
    }
  }
  if (job.initiatedBy === "FAILBACK" && p.recoveryInstanceID) {
    const instance = sim.world.instance(p.recoveryInstanceID);
    if (instance && instance.failback.failbackJobID === job.id) instance.failback.state = "FAILBACK_ERROR";
  }
  participantFinished(sim, job);
}

/** JOB_END: the job is COMPLETED (there is no FAILED job status; spec §14). */
export function completeJob(sim: SimContext, job: JobRecord): void {
  if (job.status === "COMPLETED") return;
  rememberPrevious(sim, job);
  appendLog(sim, job, "JOB_END");
  job.status = "COMPLETED";
  job.endMs = sim.now();
  if (job.type === "TERMINATE") {
    // "will delete the Recovery Instances from the Elastic Disaster Recovery service" (SDK doc).
    for (const p of job.participants) {
      if (p.launchStatus === "TERMINATED" && p.recoveryInstanceID)
        sim.world.removeInstance(p.recoveryInstanceID);
    }
  }
  sim.scheduler.remove((step) => "job" in step && step.job === job.id && step.kind !== "launchActions");
}

/** Knob-driven internal cancellation or timeout (F8): JOB_CANCEL, unfinished servers FAILED, JOB_END. */
export function cancelJob(sim: SimContext, job: JobRecord, reason: "timeout" | "cancel"): void {
  if (job.status === "COMPLETED") return;
  appendLog(sim, job, "JOB_CANCEL", {
    rawError: reason === "timeout" ? "Job timed out" : "Job was cancelled by the service",
  });
  job.endScheduled = true;
  for (const p of job.participants) {
    if (!isTerminalLaunchStatus(p.launchStatus)) failParticipant(sim, job, p);
  }
  completeJob(sim, job);
}
