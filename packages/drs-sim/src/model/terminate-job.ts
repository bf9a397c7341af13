import { instanceKnob } from "../faults/sim-config.js";
import { isTerminalLaunchStatus } from "./drs-enums.js";
import { appendLog, failParticipant, participantFinished, scheduleNewJob, setLaunchStatus } from "./jobs.js";
import type { JobRecord } from "./records.js";
import type { SimContext } from "./sim-context.js";
import type { RegionState } from "./world.js";

/**
 * TerminateRecoveryInstances (spec §4.10): a TERMINATE job; each instance goes SHUTTING-DOWN then TERMINATED
 * and, when the job completes, leaves DRS. Unknown IDs stay in the job as FAILED [INFERRED].
 */
export function createTerminateJob(sim: SimContext, region: RegionState, instanceIds: string[]): JobRecord {
  const now = sim.now();
  const job: JobRecord = {
    id: sim.ids.job(),
    accountId: region.accountId,
    region: region.region,
    seq: sim.nextJobSeq(),
    type: "TERMINATE",
    initiatedBy: "TERMINATE_RECOVERY_INSTANCES",
    isDrill: false,
    createdMs: now,
    status: "PENDING",
    tags: {},
    participants: instanceIds.map((id) => {
      const instance = region.instances.get(id);
      return instance
        ? {
            sourceServerID: instance.sourceServerID,
            recoveryInstanceID: id,
            launchStatus: "PENDING" as const,
          }
        : { recoveryInstanceID: id, launchStatus: "FAILED" as const, unknown: true };
    }),
    log: [],
  };
  sim.world.addJob(job);
  scheduleNewJob(sim, job);
  return job;
}

export function beginTerminateJob(sim: SimContext, job: JobRecord): void {
  const now = sim.now();
  job.participants.forEach((p, index) => {
    if (isTerminalLaunchStatus(p.launchStatus)) return;
    sim.schedule(now + sim.duration("serverStagger"), {
      kind: "terminatePhase",
      job: job.id,
      index,
      phase: "begin",
    });
  });
  participantFinished(sim, job);
}

export function onTerminatePhase(
  sim: SimContext,
  jobId: string,
  index: number,
  phase: "begin" | "end",
): void {
  const job = sim.world.job(jobId);
  const p = job?.participants[index];
  if (!job || !p || job.status !== "STARTED" || isTerminalLaunchStatus(p.launchStatus)) return;
  const instance = p.recoveryInstanceID ? sim.world.instance(p.recoveryInstanceID) : undefined;
  if (!instance) {
    failParticipant(sim, job, p);
    return;
  }
  const sourceServerID = instance.sourceServerID;
  if (phase === "begin") {
    setLaunchStatus(sim, job, p, "IN_PROGRESS");
    instance.ec2State = "SHUTTING-DOWN";
    appendLog(sim, job, "CLEANUP_START", { sourceServerID });
    sim.schedule(sim.now() + sim.duration("terminateDelay"), {
      kind: "terminatePhase",
      job: job.id,
      index,
      phase: "end",
    });
    return;
  }
  if (instanceKnob(sim.config, instance.id, "terminateFails")) {
    instance.ec2State = "RUNNING";
    appendLog(sim, job, "CLEANUP_FAIL", {
      sourceServerID,
      rawError: "Failed to terminate the recovery instance",
    });
    failParticipant(sim, job, p);
    return;
  }
  instance.ec2State = "TERMINATED";
  appendLog(sim, job, "CLEANUP_END", { sourceServerID });
  setLaunchStatus(sim, job, p, "TERMINATED");
  const server = sim.world.server(sourceServerID);
  if (server) {
    server.launchedInstanceIds = server.launchedInstanceIds.filter((id) => id !== instance.id);
    if (server.recoveryInstanceId === instance.id) {
      server.recoveryInstanceId = undefined;
      if (server.lastLaunch) server.lastLaunch.status = "TERMINATED";
    }
  }
  // The launch that created the instance now reports it TERMINATED (spec §7.4) [INFERRED].
  const launchJob = sim.world.job(instance.jobID);
  const launched = launchJob?.participants.find((q) => q.recoveryInstanceID === instance.id);
  if (launchJob && launched && launched.launchStatus === "LAUNCHED")
    setLaunchStatus(sim, launchJob, launched, "TERMINATED");
  participantFinished(sim, job);
}
