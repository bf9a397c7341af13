import { instanceKnob } from "../faults/sim-config.js";
import type { FailbackReplicationError } from "./drs-enums.js";
import { isTerminalLaunchStatus } from "./drs-enums.js";
import { DrsError, errors, QUOTA_CODES } from "./drs-error.js";
import { arnFor, parseDrsArn } from "./ids.js";
import { appendLog, failParticipant, participantFinished, scheduleNewJob, setLaunchStatus } from "./jobs.js";
import type { JobRecord, RecoveryInstanceRecord, SourceServerRecord } from "./records.js";
import { isReplicating, setReplicationState, transferMs } from "./replication.js";
import type { SimContext } from "./sim-context.js";
import { newLaunchConfiguration } from "./source-server-factory.js";
import type { RegionState } from "./world.js";

export type FailbackAction = "clientConnected" | "replicationHealthy" | "error";

/**
 * Drives the Failback Client of an on-premises recovery instance (spec §7.8, §12). The client's steps are
 * not visible through the DRS API, so the control plane (or `autoFailbackReady`) triggers them:
 * clientConnected → NOT_READY_FOR_LAUNCH while replication runs → READY_FOR_LAUNCH when it is healthy.
 */
export function driveFailback(
  sim: SimContext,
  instance: RecoveryInstanceRecord,
  action: FailbackAction,
  error?: FailbackReplicationError,
): void {
  const now = sim.now();
  const fb = instance.failback;
  const rep = instance.failbackReplication;
  if (instance.originEnvironment === "AWS") {
    throw errors.conflict(
      "RECOVERY_INSTANCE",
      instance.id,
      "Recovery instance originated in EC2: fail back with ReverseReplication",
    );
  }
  if (sim.activeJobForInstance(instance) || fb.state === "FAILBACK_IN_PROGRESS") {
    throw errors.conflict(
      "RECOVERY_INSTANCE",
      instance.id,
      "Recovery instance has a failback launch in progress",
    );
  }
  rep.epoch++;
  rep.since = now;
  rep.error = undefined;
  rep.phaseStart = undefined;
  rep.phaseEnd = undefined;
  fb.failbackClientID ??= sim.ids.failbackClient();
  fb.clientLastSeenMs = now;
  switch (action) {
    case "clientConnected": {
      if (
        sim.config.failbackClientNeverSeen ||
        instanceKnob(sim.config, instance.id, "failbackClientNeverSeen")
      ) {
        fb.state = "FAILBACK_LAUNCH_STATE_NOT_AVAILABLE";
        fb.clientLastSeenMs = undefined;
        rep.state = "REPLICATION_STATE_NOT_AVAILABLE";
        rep.error = { error: "FAILBACK_CLIENT_NOT_SEEN" };
        return;
      }
      fb.state = "FAILBACK_NOT_READY_FOR_LAUNCH";
      rep.state = "INITIATING";
      rep.phaseStart = now;
      rep.phaseEnd = now + sim.duration("failbackPairingDelay");
      sim.schedule(rep.phaseEnd, { kind: "failbackReplication", instance: instance.id, epoch: rep.epoch });
      return;
    }
    case "replicationHealthy":
      fb.firstByteMs ??= now;
      rep.state = "CONTINUOUS";
      fb.state = "FAILBACK_READY_FOR_LAUNCH";
      return;
    case "error":
      fb.state = "FAILBACK_ERROR";
      rep.state = "STALLED";
      rep.error = {
        error: error ?? instanceKnob(sim.config, instance.id, "failbackError") ?? "FAILBACK_CLIENT_NOT_SEEN",
      };
      return;
  }
}

/** Scheduled progress of failback replication: INITIATING → INITIAL_SYNC → CONTINUOUS (READY_FOR_LAUNCH). */
export function onFailbackReplication(sim: SimContext, instanceId: string, epoch: number): void {
  const instance = sim.world.instance(instanceId);
  if (!instance || instance.failbackReplication.epoch !== epoch) return;
  const now = sim.now();
  const rep = instance.failbackReplication;
  const probability =
    instanceKnob(sim.config, instance.id, "failbackErrorProbability") ?? sim.config.failbackErrorProbability;
  if (sim.outcomes.chance(probability)) {
    rep.epoch++;
    rep.state = "STALLED";
    rep.since = now;
    rep.error = {
      error:
        instanceKnob(sim.config, instance.id, "failbackError") ??
        "FAILED_TO_ESTABLISH_RECOVERY_INSTANCE_COMMUNICATION",
    };
    instance.failback.state = "FAILBACK_ERROR";
    return;
  }
  if (rep.state === "INITIATING") {
    rep.epoch++;
    rep.state = "INITIAL_SYNC";
    rep.since = now;
    instance.failback.firstByteMs = now;
    const bytes = instance.disks.reduce((sum, d) => sum + d.bytes, 0);
    const custom = sim.config.failbackReplicationDelay;
    const throttle = instance.failbackConfig.bandwidthThrottling;
    const mbps =
      throttle > 0 ? Math.min(throttle, sim.config.failbackBandwidthMbps) : sim.config.failbackBandwidthMbps;
    rep.phaseStart = now;
    rep.phaseEnd = now + (custom ? sim.sample(custom) : transferMs(sim, bytes, mbps));
    sim.schedule(rep.phaseEnd, { kind: "failbackReplication", instance: instance.id, epoch: rep.epoch });
    return;
  }
  if (rep.state === "INITIAL_SYNC") {
    rep.epoch++;
    rep.state = "CONTINUOUS";
    rep.since = now;
    rep.phaseStart = undefined;
    rep.phaseEnd = undefined;
    instance.failback.state = "FAILBACK_READY_FOR_LAUNCH";
  }
}

/** Demo knob `autoFailbackReady`: the failback client shows up by itself after a recovery. */
export function onFailbackAutoConnect(sim: SimContext, instanceId: string): void {
  const instance = sim.world.instance(instanceId);
  if (!instance || instance.disconnected || instance.failback.state !== "FAILBACK_NOT_STARTED") return;
  if (sim.activeJobForInstance(instance)) {
    // The launch job that created the instance (or another one) still holds it: the client boots once it is
    // done. Dropping the connect here left every instance but the job's last one FAILBACK_NOT_STARTED forever.
    sim.schedule(sim.now() + sim.duration("failbackPairingDelay"), {
      kind: "failbackAutoConnect",
      instance: instance.id,
    });
    return;
  }
  driveFailback(sim, instance, "clientConnected");
}

/** StopFailback: back to FAILBACK_NOT_STARTED, failback replication stopped (SDK doc). */
export function stopFailback(sim: SimContext, instance: RecoveryInstanceRecord): void {
  instance.failback.state = "FAILBACK_NOT_STARTED";
  instance.failback.failbackClientID = undefined;
  instance.failback.clientLastSeenMs = undefined;
  const rep = instance.failbackReplication;
  rep.epoch++;
  rep.state = "NOT_STARTED";
  rep.since = sim.now();
  rep.error = undefined;
  rep.phaseStart = undefined;
  rep.phaseEnd = undefined;
}

/** StartFailbackLaunch: a LAUNCH job initiated by FAILBACK (spec §4.13) [INFERRED]. */
export function createFailbackJob(
  sim: SimContext,
  region: RegionState,
  instances: RecoveryInstanceRecord[],
  tags: Record<string, string>,
): JobRecord {
  const now = sim.now();
  const job: JobRecord = {
    id: sim.ids.job(),
    accountId: region.accountId,
    region: region.region,
    seq: sim.nextJobSeq(),
    type: "LAUNCH",
    initiatedBy: "FAILBACK",
    isDrill: false,
    createdMs: now,
    status: "PENDING",
    tags: { ...tags },
    participants: instances.map((i) => ({
      sourceServerID: i.sourceServerID,
      recoveryInstanceID: i.id,
      launchStatus: "PENDING" as const,
    })),
    log: [],
  };
  sim.world.addJob(job);
  for (const instance of instances) {
    instance.failback.state = "FAILBACK_IN_PROGRESS";
    instance.failback.failbackJobID = job.id;
    instance.failback.initiationMs = now;
  }
  scheduleNewJob(sim, job);
  return job;
}

export function beginFailbackJob(sim: SimContext, job: JobRecord): void {
  const now = sim.now();
  job.participants.forEach((p, index) => {
    if (isTerminalLaunchStatus(p.launchStatus)) return;
    sim.schedule(now + sim.duration("serverStagger"), {
      kind: "failbackPhase",
      job: job.id,
      index,
      phase: "begin",
    });
  });
  participantFinished(sim, job);
}

/**
 * A failback launch runs conversion on the failback client and reboots the machine (SDK doc): CONVERSION_START,
 * CONVERSION_END and LAUNCH_START, then LAUNCHED and FAILBACK_COMPLETED [INFERRED event choice].
 */
export function onFailbackPhase(
  sim: SimContext,
  jobId: string,
  index: number,
  phase: "begin" | "converted" | "end",
  remainingMs = 0,
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
  const now = sim.now();
  if (phase === "begin") {
    setLaunchStatus(sim, job, p, "IN_PROGRESS");
    appendLog(sim, job, "CONVERSION_START", { sourceServerID });
    const total = sim.duration("failbackLaunchDelay");
    const conversion = Math.round(total * 0.7);
    sim.schedule(now + conversion, {
      kind: "failbackPhase",
      job: job.id,
      index,
      phase: "converted",
      remainingMs: total - conversion,
    });
    return;
  }
  if (phase === "converted") {
    if (instanceKnob(sim.config, instance.id, "failbackLaunchFails")) {
      appendLog(sim, job, "CONVERSION_FAIL", { sourceServerID, rawError: "Conversion failed" });
      failParticipant(sim, job, p);
      return;
    }
    appendLog(sim, job, "CONVERSION_END", { sourceServerID });
    appendLog(sim, job, "LAUNCH_START", { sourceServerID });
    sim.schedule(now + remainingMs, { kind: "failbackPhase", job: job.id, index, phase: "end" });
    return;
  }
  setLaunchStatus(sim, job, p, "LAUNCHED");
  instance.failback.state = "FAILBACK_COMPLETED";
  const rep = instance.failbackReplication;
  rep.epoch++;
  rep.state = "STOPPED";
  rep.since = now;
  participantFinished(sim, job);
}

/**
 * ReverseReplication (spec §4.13, §7.9): for a recovery instance whose source server originated in EC2,
 * replication starts back to the origin (account and) region. The source server there is created, or
 * reused when an earlier reversal already links one, and its `replicationDirection` is FAILBACK.
 */
export function reverseReplication(sim: SimContext, instance: RecoveryInstanceRecord): string {
  const server = sim.world.server(instance.sourceServerID);
  const originRegion = server?.origin.region;
  if (!server || instance.originEnvironment !== "AWS" || !originRegion) {
    throw new DrsError(
      "ValidationException",
      "ReverseReplication applies only to recovery instances of source servers that originated in EC2",
      { reason: "other" },
    );
  }
  if (sim.activeJobForInstance(instance)) {
    throw errors.conflict("RECOVERY_INSTANCE", instance.id, "Recovery instance is part of an active job");
  }
  const originAccount = server.origin.accountId ?? instance.accountId;
  const target = sim.region(originAccount, originRegion);
  if (!target.record.initialized) throw errors.uninitialized();

  let reversed = linkedServer(sim, server.reversedDirectionSourceServerArn, originAccount, originRegion);
  if (
    reversed &&
    isReplicating(reversed.replication.state) &&
    reversed.reversedFromInstance?.id === instance.id
  ) {
    throw errors.conflict("RECOVERY_INSTANCE", instance.id, "Reverse replication is already active");
  }
  if (reversed && sim.activeJobsForServer(reversed).length > 0) {
    throw errors.conflict("SOURCE_SERVER", reversed.id, "Source server is part of an active job");
  }
  const replicating = countReplicating(sim, originAccount);
  if (!reversed || !isReplicating(reversed.replication.state)) {
    if (replicating >= sim.config.quotas.replicatingServers) {
      throw errors.quota(
        QUOTA_CODES.replicatingServers,
        "Replicating source servers per account quota exceeded",
      );
    }
  }
  const now = sim.now();
  if (!reversed) {
    reversed = reversedServer(sim, server, instance, originAccount, originRegion, now);
    sim.world.addServer(reversed);
  }
  reversed.reversedFromInstance = { accountId: instance.accountId, region: instance.region, id: instance.id };
  reversed.awsInstanceID = instance.id;
  reversed.reversedDirectionSourceServerArn = arnFor(
    server.region,
    server.accountId,
    "source-server",
    server.id,
  );
  const failing =
    sim.config.reverseReplicationFailure ||
    instanceKnob(sim.config, instance.id, "reverseReplicationFailure");
  setReplicationState(sim, reversed, "INITIATING", {
    autoProgress: !failing,
    ...(failing ? { error: "FAILED_TO_CONNECT_AGENT_TO_REPLICATION_SERVER" as const } : {}),
  });
  const arn = arnFor(reversed.region, reversed.accountId, "source-server", reversed.id);
  server.reversedDirectionSourceServerArn = arn;
  instance.reversedSourceServerArn = arn;
  return arn;
}

function linkedServer(
  sim: SimContext,
  arn: string | undefined,
  accountId: string,
  region: string,
): SourceServerRecord | undefined {
  const parsed = arn ? parseDrsArn(arn) : undefined;
  if (!parsed || parsed.accountId !== accountId || parsed.region !== region) return undefined;
  return sim.world.server(parsed.id);
}

export function countReplicating(sim: SimContext, accountId: string): number {
  let count = 0;
  for (const region of sim.world.allRegions()) {
    if (region.accountId !== accountId) continue;
    for (const s of region.servers.values()) if (isReplicating(s.replication.state)) count++;
  }
  return count;
}

function reversedServer(
  sim: SimContext,
  server: SourceServerRecord,
  instance: RecoveryInstanceRecord,
  accountId: string,
  region: string,
  now: number,
): SourceServerRecord {
  const id = sim.ids.sourceServer();
  return {
    ...structuredClone(server),
    id,
    seq: sim.nextServerSeq(),
    accountId,
    region,
    awsInstanceID: instance.id,
    vmWareUuid: undefined,
    ips: [instance.privateIp],
    macAddress: instance.macAddress,
    stagingAvailabilityZone: `${region}a`,
    addedMs: now,
    firstByteMs: now,
    tags: { ...server.tags },
    origin: {
      environment: "AWS",
      accountId: instance.accountId,
      region: instance.region,
      availabilityZone: `${instance.region}a`,
    },
    replicationDirection: "FAILBACK",
    reversedDirectionSourceServerArn: undefined,
    replication: { state: "INITIATING", epoch: 0, since: now, autoProgress: true },
    initialSyncDone: false,
    pitIntervals: [],
    launchConfiguration: newLaunchConfiguration(sim, server.hostname),
    lastLaunchResult: "NOT_STARTED",
    lastLaunch: undefined,
    recoveryInstanceId: undefined,
    launchedInstanceIds: [],
    disconnectedMs: undefined,
  };
}
