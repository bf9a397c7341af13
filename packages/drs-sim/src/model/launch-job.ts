import type { FailurePhase } from "../faults/sim-config.js";
import { launchKnob } from "../faults/sim-config.js";
import { isTerminalLaunchStatus } from "./drs-enums.js";
import { appendLog, failParticipant, participantFinished, scheduleNewJob, setLaunchStatus } from "./jobs.js";
import type { JobRecord, ParticipantRecord, RecoveryInstanceRecord, SourceServerRecord } from "./records.js";
import { readinessOf } from "./replication.js";
import { stableHex } from "./seeded-stream.js";
import type { LaunchPhase, SimContext } from "./sim-context.js";
import type { RegionState } from "./world.js";

/** Default `rawError` texts (spec §7.5, from the DRS troubleshooting guide where one exists). */
export const DEFAULT_RAW_ERRORS: Record<FailurePhase | "notReady" | "unknownServer" | "pitMissing", string> =
  {
    snapshot: "Failed to take snapshot",
    usingPrevious: "Failed to use the previous point in time snapshot",
    conversionServer: "Conversion server launch failed",
    conversion: "Conversion failed",
    launch: "The EBS encryption key could not be found in this account",
    silent: "",
    cleanup: "Failed to clean up the previous recovery instance",
    notReady: "instance not launched because server lifecycle state is not READY_FOR_TEST",
    unknownServer: "Source server not found",
    pitMissing: "Recovery snapshot not found or expired",
  };

export interface LaunchItem {
  sourceServerID: string;
  recoverySnapshotID?: string | undefined;
  /** Kept in the job although the server does not exist (`unknownServerOnStart: skipInJob`). */
  unknown?: boolean;
}

/** StartRecovery accepted: the job is PENDING and each server's last launch is PENDING (spec §4.5, §7.6). */
export function createLaunchJob(
  sim: SimContext,
  region: RegionState,
  items: LaunchItem[],
  isDrill: boolean,
  tags: Record<string, string>,
): JobRecord {
  const now = sim.now();
  const id = sim.ids.job();
  const job: JobRecord = {
    id,
    accountId: region.accountId,
    region: region.region,
    seq: sim.nextJobSeq(),
    type: "LAUNCH",
    initiatedBy: isDrill ? "START_DRILL" : "START_RECOVERY",
    isDrill,
    createdMs: now,
    status: "PENDING",
    tags: { ...tags },
    participants: items.map((item) => ({
      sourceServerID: item.sourceServerID,
      launchStatus: "PENDING",
      ...(item.recoverySnapshotID ? { recoverySnapshotID: item.recoverySnapshotID } : {}),
      ...(item.unknown ? { unknown: true } : {}),
    })),
    log: [],
  };
  sim.world.addJob(job);
  for (const item of items) {
    const server = item.unknown ? undefined : sim.world.server(item.sourceServerID);
    if (!server) continue;
    server.lastLaunchResult = "PENDING";
    server.lastLaunch = {
      apiCallMs: now,
      jobID: id,
      type: isDrill ? "DRILL" : "RECOVERY",
      status: "PENDING",
    };
  }
  scheduleNewJob(sim, job);
  return job;
}

/** After JOB_START: each server's work begins, slightly staggered. */
export function beginLaunchJob(sim: SimContext, job: JobRecord): void {
  const now = sim.now();
  job.participants.forEach((p, index) => {
    if (isTerminalLaunchStatus(p.launchStatus)) return;
    sim.schedule(now + sim.duration("serverStagger"), {
      kind: "launchPhase",
      job: job.id,
      index,
      phase: "begin",
    });
    const stall = p.sourceServerID ? sim.config.servers[p.sourceServerID]?.stallAt : undefined;
    if (stall && p.sourceServerID)
      sim.schedule(now + stall.afterMs, { kind: "stall", server: p.sourceServerID });
  });
  participantFinished(sim, job);
}

function rawError(
  sim: SimContext,
  job: JobRecord,
  serverId: string | undefined,
  phase: FailurePhase,
): string {
  return launchKnob(sim.config, job.id, serverId, "launchRawError") ?? DEFAULT_RAW_ERRORS[phase];
}

function isServerStuck(sim: SimContext, serverId: string): boolean {
  return sim.config.stuckServer === serverId || sim.config.servers[serverId]?.stuck === true;
}

/** One step of one server's pipeline in a LAUNCH job (spec §7.4, §7.5). */
export function onLaunchPhase(sim: SimContext, jobId: string, index: number, phase: LaunchPhase): void {
  const job = sim.world.job(jobId);
  const p = job?.participants[index];
  if (!job || !p || job.status !== "STARTED" || isTerminalLaunchStatus(p.launchStatus)) return;
  const server = p.sourceServerID && !p.unknown ? sim.world.server(p.sourceServerID) : undefined;
  const sourceServerID = p.sourceServerID;
  if (!server) {
    appendLog(sim, job, "SERVER_SKIPPED", { sourceServerID, rawError: DEFAULT_RAW_ERRORS.unknownServer });
    failParticipant(sim, job, p);
    return;
  }
  const next = (delay: number, nextPhase: LaunchPhase) =>
    sim.schedule(sim.now() + delay, { kind: "launchPhase", job: job.id, index, phase: nextPhase });

  switch (phase) {
    case "begin": {
      if (readinessOf(server) === "NOT_READY") {
        appendLog(sim, job, "SERVER_SKIPPED", { sourceServerID, rawError: DEFAULT_RAW_ERRORS.notReady });
        failParticipant(sim, job, p);
        return;
      }
      setLaunchStatus(sim, job, p, "IN_PROGRESS");
      if (server.lastLaunch?.jobID === job.id) server.lastLaunch.status = "IN_PROGRESS";
      if (isServerStuck(sim, server.id)) return;
      if (sim.outcomes.chance(launchKnob(sim.config, job.id, server.id, "launchFailureRate"))) {
        p.plannedFailure = launchKnob(sim.config, job.id, server.id, "failurePhase");
      }
      if (server.launchedInstanceIds.length > 0) {
        appendLog(sim, job, "CLEANUP_START", { sourceServerID });
        next(sim.duration("cleanupDelay"), "cleanupEnd");
        return;
      }
      startSnapshot(sim, job, index, p, server);
      return;
    }
    case "cleanupEnd": {
      if (p.plannedFailure === "cleanup") {
        appendLog(sim, job, "CLEANUP_FAIL", {
          sourceServerID,
          rawError: rawError(sim, job, server.id, "cleanup"),
        });
        if (sim.config.cleanupFailureFatal) {
          failParticipant(sim, job, p);
          return;
        }
      } else {
        appendLog(sim, job, "CLEANUP_END", { sourceServerID });
        cleanUpPreviousInstances(sim, server);
      }
      startSnapshot(sim, job, index, p, server);
      return;
    }
    case "snapshotEnd": {
      if (p.recoverySnapshotID) {
        // `pitLaunchEvents: snapshotPair`: the requested PIT shows as a SNAPSHOT_START/END pair.
        const snapshot = sim.snapshotsOf(server).find((s) => s.snapshotID === p.recoverySnapshotID);
        if (!snapshot || p.plannedFailure === "snapshot" || p.plannedFailure === "usingPrevious") {
          const text = snapshot ? rawError(sim, job, server.id, "snapshot") : DEFAULT_RAW_ERRORS.pitMissing;
          appendLog(sim, job, "SNAPSHOT_FAIL", { sourceServerID, rawError: text });
          failParticipant(sim, job, p);
          return;
        }
        p.pointInTimeMs = snapshot.takenMs;
        appendLog(sim, job, "SNAPSHOT_END", { sourceServerID });
        startConversion(sim, job, index, p, server);
        return;
      }
      const readiness = readinessOf(server);
      const failed =
        p.plannedFailure === "snapshot" ||
        readiness === "DEGRADED" ||
        readiness === "NOT_READY" ||
        (readiness === "READY_WITH_LAG" && sim.outcomes.chance(sim.config.lagSnapshotFailureProbability));
      if (failed) {
        appendLog(sim, job, "SNAPSHOT_FAIL", {
          sourceServerID,
          rawError: rawError(sim, job, server.id, "snapshot"),
        });
        const latest = sim.snapshotsOf(server).at(-1);
        if (!latest) {
          failParticipant(sim, job, p); // F1
          return;
        }
        // S3: the launch continues from the last point in time.
        appendLog(sim, job, "USING_PREVIOUS_SNAPSHOT", { sourceServerID });
        p.pointInTimeMs = latest.takenMs;
        next(sim.duration("usingPreviousDelay"), "usingPreviousEnd");
        return;
      }
      appendLog(sim, job, "SNAPSHOT_END", { sourceServerID });
      p.pointInTimeMs = sim.now();
      if (p.plannedFailure === "silent") {
        // F6: no failure event; the server just ends FAILED some minutes later.
        next(sim.duration("conversionDelay"), "silentFail");
        return;
      }
      startConversion(sim, job, index, p, server);
      return;
    }
    case "usingPreviousEnd": {
      if (p.plannedFailure === "usingPrevious") {
        appendLog(sim, job, "USING_PREVIOUS_SNAPSHOT_FAILED", {
          sourceServerID,
          rawError: rawError(sim, job, server.id, "usingPrevious"),
        });
        failParticipant(sim, job, p);
        return;
      }
      if (p.pointInTimeMs === undefined) {
        const snapshot = sim.snapshotsOf(server).find((s) => s.snapshotID === p.recoverySnapshotID);
        if (!snapshot) {
          appendLog(sim, job, "USING_PREVIOUS_SNAPSHOT_FAILED", {
            sourceServerID,
            rawError: DEFAULT_RAW_ERRORS.pitMissing,
          });
          failParticipant(sim, job, p);
          return;
        }
        p.pointInTimeMs = snapshot.takenMs;
      }
      startConversion(sim, job, index, p, server);
      return;
    }
    case "conversionEnd": {
      if (p.plannedFailure === "conversionServer" || p.plannedFailure === "conversion") {
        appendLog(sim, job, "CONVERSION_FAIL", {
          sourceServerID,
          conversionServerID: p.conversionServerID,
          rawError: rawError(sim, job, server.id, p.plannedFailure),
        });
        failParticipant(sim, job, p);
        return;
      }
      appendLog(sim, job, "CONVERSION_END", {
        sourceServerID,
        conversionServerID: p.conversionServerID,
        conversionProperties: conversionProperties(sim, job, server, p),
      });
      startLaunch(sim, job, index, p, server);
      return;
    }
    case "launchEnd": {
      if (p.plannedFailure === "launch") {
        appendLog(sim, job, "LAUNCH_FAILED", {
          sourceServerID,
          targetInstanceID: p.targetInstanceID,
          rawError: rawError(sim, job, server.id, "launch"),
        });
        failParticipant(sim, job, p);
        return;
      }
      finishLaunch(sim, job, index, p, server);
      return;
    }
    case "silentFail":
      failParticipant(sim, job, p);
      return;
  }
}

function startSnapshot(
  sim: SimContext,
  job: JobRecord,
  index: number,
  p: ParticipantRecord,
  server: SourceServerRecord,
): void {
  const sourceServerID = server.id;
  if (p.recoverySnapshotID && sim.config.pitLaunchEvents === "usingPrevious") {
    appendLog(sim, job, "USING_PREVIOUS_SNAPSHOT", { sourceServerID });
    sim.schedule(sim.now() + sim.duration("usingPreviousDelay"), {
      kind: "launchPhase",
      job: job.id,
      index,
      phase: "usingPreviousEnd",
    });
    return;
  }
  appendLog(sim, job, "SNAPSHOT_START", { sourceServerID });
  sim.schedule(sim.now() + sim.duration("snapshotDelay"), {
    kind: "launchPhase",
    job: job.id,
    index,
    phase: "snapshotEnd",
  });
}

function startConversion(
  sim: SimContext,
  job: JobRecord,
  index: number,
  p: ParticipantRecord,
  server: SourceServerRecord,
): void {
  const mode = server.origin.environment === "AWS" ? sim.config.conversionForAwsOrigin : "normal";
  if (mode === "skip" && p.plannedFailure !== "conversion" && p.plannedFailure !== "conversionServer") {
    startLaunch(sim, job, index, p, server);
    return;
  }
  p.conversionServerID = sim.ids.instance();
  appendLog(sim, job, "CONVERSION_START", {
    sourceServerID: server.id,
    conversionServerID: p.conversionServerID,
  });
  let delay =
    p.plannedFailure === "conversionServer"
      ? sim.duration("conversionServerFailureDelay")
      : sim.duration("conversionDelay");
  if (mode === "fast") delay = Math.round(delay / 10);
  sim.schedule(sim.now() + delay, { kind: "launchPhase", job: job.id, index, phase: "conversionEnd" });
}

function conversionProperties(
  sim: SimContext,
  job: JobRecord,
  server: SourceServerRecord,
  p: ParticipantRecord,
): Record<string, unknown> {
  const volumeToConversionMap: Record<string, Record<string, string>> = {};
  const volumeToVolumeSize: Record<string, number> = {};
  server.disks.forEach((disk, i) => {
    const from = `snap-${stableHex(sim.seed, `src:${job.id}:${server.id}:${i}`, 17)}`;
    const to = `snap-${stableHex(sim.seed, `conv:${job.id}:${server.id}:${i}`, 17)}`;
    volumeToConversionMap[disk.deviceName] = { [from]: to };
    volumeToVolumeSize[disk.deviceName] = disk.bytes;
  });
  return {
    rootVolumeName: server.disks[0]?.deviceName ?? "/dev/sda",
    volumeToConversionMap,
    volumeToVolumeSize,
    forceUefi: false,
    // Rendered in the configured timestamp style when the log is read.
    dataTimestamp: { $time: p.pointInTimeMs ?? sim.now() },
  };
}

function startLaunch(
  sim: SimContext,
  job: JobRecord,
  index: number,
  p: ParticipantRecord,
  server: SourceServerRecord,
): void {
  p.targetInstanceID = sim.ids.instance();
  appendLog(sim, job, "LAUNCH_START", { sourceServerID: server.id, targetInstanceID: p.targetInstanceID });
  if (p.plannedFailure !== "launch") {
    const instance = newRecoveryInstance(sim, job, server, p.targetInstanceID, p.pointInTimeMs ?? sim.now());
    sim.world.addInstance(instance);
    p.recoveryInstanceID = instance.id;
  }
  sim.schedule(sim.now() + sim.duration("launchDelay"), {
    kind: "launchPhase",
    job: job.id,
    index,
    phase: "launchEnd",
  });
}

function newRecoveryInstance(
  sim: SimContext,
  job: JobRecord,
  server: SourceServerRecord,
  id: string,
  pointInTimeMs: number,
): RecoveryInstanceRecord {
  const now = sim.now();
  const octet = (n: number) => (n % 250) + 2;
  const h = Number.parseInt(stableHex(sim.seed, `ip:${id}`, 6), 16);
  return {
    id,
    accountId: job.accountId,
    region: job.region,
    sourceServerID: server.id,
    jobID: job.id,
    isDrill: job.isDrill,
    createdMs: now,
    ec2State: "PENDING",
    pointInTimeMs,
    tags: server.launchConfiguration.copyTags ? { ...server.tags } : {},
    originEnvironment: server.origin.environment,
    ...(server.origin.availabilityZone ? { originAvailabilityZone: server.origin.availabilityZone } : {}),
    hostname: server.hostname,
    os: server.os,
    osFullString: server.osFullString,
    cpus: server.cpus.map((c) => ({ ...c })),
    ramBytes: server.ramBytes,
    disks: server.disks.map((d, i) => ({
      internalDeviceName: d.deviceName,
      bytes: d.bytes,
      ebsVolumeID: `vol-${stableHex(sim.seed, `vol:${id}:${i}`, 17)}`,
    })),
    privateIp: server.launchConfiguration.copyPrivateIp
      ? (server.ips[0] ?? "10.0.0.10")
      : `10.${octet(h >> 16)}.${octet(h >> 8)}.${octet(h)}`,
    macAddress: `0e:${stableHex(sim.seed, `mac:${id}`, 10).replace(/(..)(?=.)/g, "$1:")}`,
    agentVersion: server.agentVersion,
    failback: {
      state: "FAILBACK_NOT_STARTED",
      launchType: job.isDrill ? "DRILL" : "RECOVERY",
      toOriginalServer: true,
    },
    failbackReplication: { state: "NOT_STARTED", epoch: 0, since: now },
    failbackConfig: { name: server.hostname, bandwidthThrottling: 0, usePrivateIP: false },
    disconnected: false,
  };
}

function finishLaunch(
  sim: SimContext,
  job: JobRecord,
  index: number,
  p: ParticipantRecord,
  server: SourceServerRecord,
): void {
  const instance = p.recoveryInstanceID ? sim.world.instance(p.recoveryInstanceID) : undefined;
  if (!instance) {
    appendLog(sim, job, "LAUNCH_FAILED", {
      sourceServerID: server.id,
      targetInstanceID: p.targetInstanceID,
      rawError: "The recovery instance disappeared during launch",
    });
    failParticipant(sim, job, p);
    return;
  }
  const now = sim.now();
  const disposition = sim.config.launchDisposition ?? server.launchConfiguration.launchDisposition;
  instance.ec2State = sim.config.ec2EndState ?? (disposition === "STOPPED" ? "STOPPED" : "RUNNING");
  if (instance.ec2State === "RUNNING") {
    instance.appReadyMs =
      now + sim.duration(instance.os === "windows" ? "bootDelayWindows" : "bootDelayLinux");
  }
  setLaunchStatus(sim, job, p, "LAUNCHED");
  if (server.lastLaunch?.jobID === job.id) {
    server.lastLaunchResult = "SUCCEEDED";
    server.lastLaunch.status = "LAUNCHED";
  }
  server.recoveryInstanceId = instance.id;
  server.launchedInstanceIds.push(instance.id);

  const actions = sim.config.postLaunchActions;
  if (actions && actions.runs > 0) {
    p.launchActions = {
      ssmAgentDiscoveryMs: now,
      runs: Array.from({ length: actions.runs }, (_, i) => ({
        runId: sim.ids.uuid(),
        actionName: `post-launch-action-${i + 1}`,
        status: "IN_PROGRESS" as const,
      })),
    };
    sim.schedule(now + sim.duration("launchDelay"), { kind: "launchActions", job: job.id, index });
  }
  const goneAfter = sim.config.instanceTerminatedExternallyAfterMs;
  if (goneAfter !== null)
    sim.schedule(now + goneAfter, { kind: "ec2", instance: instance.id, state: "NOT_FOUND" });
  if (sim.config.autoFailbackReady && !job.isDrill && instance.originEnvironment === "ON_PREMISES") {
    sim.schedule(now + sim.duration("failbackPairingDelay"), {
      kind: "failbackAutoConnect",
      instance: instance.id,
    });
  }
  participantFinished(sim, job);
}

/** Post-launch actions finish some time after launch (knob `postLaunchActions`). */
export function onLaunchActions(sim: SimContext, jobId: string, index: number): void {
  const p = sim.world.job(jobId)?.participants[index];
  const actions = sim.config.postLaunchActions;
  if (!p?.launchActions) return;
  for (const run of p.launchActions.runs) {
    if (run.status !== "IN_PROGRESS") continue;
    if (sim.outcomes.chance(actions?.failProbability ?? 0)) {
      run.status = "FAILED";
      run.failureReason = "SSM document execution failed";
    } else {
      run.status = "SUCCEEDED";
    }
  }
}

/**
 * "Launch of a new recovery instance from the same source server will clean up all the previous recovery
 * instances, regardless if they have been disconnected and deleted from DRS" (spec §7.5). Instances held
 * by a job or a failback in progress are left alone.
 */
function cleanUpPreviousInstances(sim: SimContext, server: SourceServerRecord): void {
  const kept: string[] = [];
  for (const id of server.launchedInstanceIds) {
    const instance = sim.world.instance(id);
    if (instance) {
      const busy =
        sim.activeJobForInstance(instance) !== undefined ||
        instance.failback.state === "FAILBACK_IN_PROGRESS" ||
        instance.failback.state === "FAILBACK_READY_FOR_LAUNCH";
      if (busy) {
        kept.push(id);
        continue;
      }
      instance.ec2State = "TERMINATED";
      sim.world.removeInstance(id);
    }
    if (server.recoveryInstanceId === id) server.recoveryInstanceId = undefined;
  }
  server.launchedInstanceIds = kept;
}
