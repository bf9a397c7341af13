import { INITIATION_STEPS, RECOVERY_INSTANCE_INITIATION_STEPS } from "./drs-enums.js";
import { arnFor, parseDrsArn } from "./ids.js";
import type {
  JobLogRecord,
  JobRecord,
  ParticipantRecord,
  RecoveryInstanceRecord,
  SourceServerRecord,
} from "./records.js";
import type { SimContext } from "./sim-context.js";
import type { SnapshotInfo } from "./snapshots.js";
import { formatTime, type TimestampStyle } from "./time-format.js";
import { isoDuration } from "./timing.js";

/** Renders internal records as the wire shapes of spec §5 (what the SDK deserializes). */

type Json = Record<string, unknown>;

export interface ViewContext {
  now: number;
  style: TimestampStyle;
  sim: SimContext;
}

export function viewContext(sim: SimContext): ViewContext {
  return { now: sim.now(), style: sim.config.timestampStyle, sim };
}

function fraction(now: number, start: number | undefined, end: number | undefined): number {
  if (start === undefined || end === undefined || end <= start) return 0;
  return Math.min(1, Math.max(0, (now - start) / (end - start)));
}

export function renderSourceServer(ctx: ViewContext, s: SourceServerRecord): Json {
  const t = (ms: number) => formatTime(ms, ctx.style);
  const rep = s.replication;
  const lastSeen =
    rep.state === "DISCONNECTED" || rep.state === "STOPPED" || rep.error?.error === "AGENT_NOT_SEEN"
      ? rep.since
      : ctx.now;
  const out: Json = {
    sourceServerID: s.id,
    arn: arnFor(s.region, s.accountId, "source-server", s.id),
    tags: { ...s.tags },
    lastLaunchResult: s.lastLaunchResult,
    dataReplicationInfo: renderServerReplication(ctx, s),
    lifeCycle: {
      addedToServiceDateTime: t(s.addedMs),
      firstByteDateTime: t(s.firstByteMs),
      elapsedReplicationDuration: isoDuration(Math.max(0, ctx.now - s.firstByteMs)),
      lastSeenByServiceDateTime: t(Math.min(lastSeen, ctx.now)),
      ...(s.lastLaunch
        ? {
            lastLaunch: {
              initiated: {
                apiCallDateTime: t(s.lastLaunch.apiCallMs),
                jobID: s.lastLaunch.jobID,
                type: s.lastLaunch.type,
              },
              status: s.lastLaunch.status,
            },
          }
        : {}),
    },
    sourceProperties: {
      lastUpdatedDateTime: t(s.addedMs),
      recommendedInstanceType: s.recommendedInstanceType,
      identificationHints: {
        fqdn: s.fqdn,
        hostname: s.hostname,
        ...(s.vmWareUuid ? { vmWareUuid: s.vmWareUuid } : {}),
        ...(s.awsInstanceID ? { awsInstanceID: s.awsInstanceID } : {}),
      },
      networkInterfaces: [{ macAddress: s.macAddress, ips: [...s.ips], isPrimary: true }],
      disks: s.disks.map((d) => ({ deviceName: d.deviceName, bytes: d.bytes })),
      cpus: s.cpus.map((c) => ({ ...c })),
      ramBytes: s.ramBytes,
      os: { fullString: s.osFullString },
      supportsNitroInstances: true,
    },
    stagingArea: { status: "NOT_EXTENDED" },
    replicationDirection: s.replicationDirection,
    agentVersion: s.agentVersion,
  };
  if (s.recoveryInstanceId) out.recoveryInstanceId = s.recoveryInstanceId;
  if (s.origin.environment === "AWS") {
    out.sourceCloudProperties = {
      originAccountID: s.origin.accountId,
      originRegion: s.origin.region,
      originAvailabilityZone: s.origin.availabilityZone,
    };
  }
  if (s.reversedDirectionSourceServerArn)
    out.reversedDirectionSourceServerArn = s.reversedDirectionSourceServerArn;
  return out;
}

function renderServerReplication(ctx: ViewContext, s: SourceServerRecord): Json {
  const t = (ms: number) => formatTime(ms, ctx.style);
  const rep = s.replication;
  const state = rep.state;
  const done = fraction(ctx.now, rep.phaseStart, rep.phaseEnd);
  const neverSynced = ctx.sim.config.servers[s.id]?.neverSynced === true;
  const syncFraction = neverSynced ? Math.min(done, 0.97) : done;
  const backlog = rep.backlogBytes ?? 0;
  const disks = s.disks.map((d, i) => {
    let replicated = d.bytes;
    let rescanned = 0;
    let backlogged = 0;
    if (state === "INITIATING" || state === "STOPPED") replicated = 0;
    if (state === "INITIAL_SYNC") replicated = Math.floor(d.bytes * syncFraction);
    if (state === "RESCAN") rescanned = Math.floor(d.bytes * done);
    if (state === "BACKLOG" && i === 0) backlogged = backlog;
    if (state === "DISCONNECTED") {
      return {
        deviceName: d.deviceName,
        totalStorageBytes: 0,
        replicatedStorageBytes: 0,
        rescannedStorageBytes: 0,
        backloggedStorageBytes: 0,
      };
    }
    return {
      deviceName: d.deviceName,
      totalStorageBytes: d.bytes,
      replicatedStorageBytes: replicated,
      rescannedStorageBytes: rescanned,
      backloggedStorageBytes: backlogged,
      volumeStatus: "REGULAR",
    };
  });
  const out: Json = {
    dataReplicationState: state,
    replicatedDisks: disks,
    stagingAvailabilityZone: s.stagingAvailabilityZone,
  };
  switch (state) {
    case "CONTINUOUS":
    case "CREATING_SNAPSHOT":
      out.lagDuration = "PT0S";
      break;
    case "BACKLOG": {
      out.lagDuration = isoDuration((rep.lagSeconds ?? 0) * 1000);
      const bytesPerMs = (ctx.sim.config.replicationBandwidthMbps * 1_000_000) / 8 / 1000;
      out.etaDateTime = t(ctx.now + Math.round(ctx.sim.scaled(backlog / bytesPerMs)));
      break;
    }
    case "STALLED":
    case "PAUSED":
      out.lagDuration = isoDuration(Math.max(0, ctx.now - rep.since) + (rep.lagSeconds ?? 0) * 1000);
      break;
    case "INITIAL_SYNC":
    case "RESCAN":
      if (rep.phaseEnd !== undefined && !neverSynced) out.etaDateTime = t(Math.max(rep.phaseEnd, ctx.now));
      break;
    case "INITIATING":
      out.dataReplicationInitiation = {
        startDateTime: t(rep.since),
        ...(rep.failedStep ? { nextAttemptDateTime: t(ctx.now + 10 * 60_000) } : {}),
        steps: initiationSteps(INITIATION_STEPS, done, rep.failedStep),
      };
      break;
    default:
      break;
  }
  if (rep.error) out.dataReplicationError = { ...rep.error };
  return out;
}

function initiationSteps(names: readonly string[], done: number, failedStep: string | undefined): Json[] {
  const failedAt = failedStep ? names.indexOf(failedStep) : -1;
  const current = failedAt >= 0 ? failedAt : Math.min(names.length - 1, Math.floor(done * names.length));
  return names.map((name, i) => ({
    name,
    status:
      i < current ? "SUCCEEDED" : i === current ? (failedAt >= 0 ? "FAILED" : "IN_PROGRESS") : "NOT_STARTED",
  }));
}

export function renderParticipant(ctx: ViewContext, p: ParticipantRecord): Json {
  const out: Json = {};
  if (p.sourceServerID) out.sourceServerID = p.sourceServerID;
  if (p.recoveryInstanceID) out.recoveryInstanceID = p.recoveryInstanceID;
  out.launchStatus = p.launchStatus;
  if (p.launchActions) {
    out.launchActionsStatus = {
      ssmAgentDiscoveryDatetime: formatTime(p.launchActions.ssmAgentDiscoveryMs, ctx.style),
      runs: p.launchActions.runs.map((run, i) => ({
        action: {
          actionId: run.runId,
          actionCode: "AWS-RunShellScript",
          type: "SSM_COMMAND",
          name: run.actionName,
          active: true,
          order: 2 + i,
          actionVersion: "$DEFAULT",
          optional: true,
          parameters: {},
          description: "Simulated post-launch action",
          category: "VALIDATION",
        },
        runId: run.runId,
        status: run.status,
        ...(run.failureReason ? { failureReason: run.failureReason } : {}),
      })),
    };
  }
  return out;
}

export function renderJob(ctx: ViewContext, job: JobRecord, stale = false): Json {
  const state = stale && job.previous ? job.previous : job;
  return {
    jobID: job.id,
    arn: arnFor(job.region, job.accountId, "job", job.id),
    type: job.type,
    initiatedBy: job.initiatedBy,
    creationDateTime: formatTime(job.createdMs, ctx.style),
    ...(state.endMs !== undefined && state.status === "COMPLETED"
      ? { endDateTime: formatTime(state.endMs, ctx.style) }
      : {}),
    status: state.status,
    participatingServers: state.participants.map((p) => renderParticipant(ctx, p)),
    tags: { ...job.tags },
  };
}

export function renderJobLog(ctx: ViewContext, entry: JobLogRecord): Json {
  return {
    logDateTime: formatTime(entry.ms, ctx.style),
    event: entry.event,
    eventData: renderEventData(ctx, entry.data ?? {}),
  };
}

function renderEventData(ctx: ViewContext, data: Record<string, unknown>): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    if (typeof value === "object" && value !== null && "$time" in value) {
      out[key] = formatTime((value as { $time: number }).$time, ctx.style);
    } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      out[key] = renderEventData(ctx, value as Record<string, unknown>);
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function renderRecoveryInstance(ctx: ViewContext, ri: RecoveryInstanceRecord): Json {
  const t = (ms: number) => formatTime(ms, ctx.style);
  const fb = ri.failback;
  return {
    ec2InstanceID: ri.id,
    ec2InstanceState: ri.ec2State,
    jobID: ri.jobID,
    recoveryInstanceID: ri.id,
    sourceServerID: ri.sourceServerID,
    arn: arnFor(ri.region, ri.accountId, "recovery-instance", ri.id),
    tags: { ...ri.tags },
    failback: {
      state: fb.state,
      ...(fb.failbackClientID ? { failbackClientID: fb.failbackClientID } : {}),
      ...(fb.failbackJobID ? { failbackJobID: fb.failbackJobID } : {}),
      ...(fb.initiationMs !== undefined ? { failbackInitiationTime: t(fb.initiationMs) } : {}),
      ...(fb.clientLastSeenMs !== undefined
        ? {
            failbackClientLastSeenByServiceDateTime: t(fb.clientLastSeenMs),
            agentLastSeenByServiceDateTime: t(ctx.now),
          }
        : {}),
      failbackToOriginalServer: fb.toOriginalServer,
      ...(fb.firstByteMs !== undefined
        ? {
            firstByteDateTime: t(fb.firstByteMs),
            elapsedReplicationDuration: isoDuration(ctx.now - fb.firstByteMs),
          }
        : {}),
      failbackLaunchType: fb.launchType,
    },
    dataReplicationInfo: renderInstanceReplication(ctx, ri),
    recoveryInstanceProperties: {
      lastUpdatedDateTime: t(ri.createdMs),
      identificationHints: { hostname: ri.hostname, awsInstanceID: ri.id },
      networkInterfaces: [{ macAddress: ri.macAddress, ips: [ri.privateIp], isPrimary: true }],
      disks: ri.disks.map((d) => ({ ...d })),
      cpus: ri.cpus.map((c) => ({ ...c })),
      ramBytes: ri.ramBytes,
      os: { fullString: ri.osFullString },
    },
    pointInTimeSnapshotDateTime: t(ri.pointInTimeMs),
    isDrill: ri.isDrill,
    originEnvironment: ri.originEnvironment,
    ...(ri.originAvailabilityZone ? { originAvailabilityZone: ri.originAvailabilityZone } : {}),
    agentVersion: ri.agentVersion,
  };
}

function renderInstanceReplication(ctx: ViewContext, ri: RecoveryInstanceRecord): Json {
  // EC2-origin failback: the reversed source server in the origin region carries the replication.
  const reversed = ri.reversedSourceServerArn ? parseDrsArn(ri.reversedSourceServerArn) : undefined;
  const reversedServer = reversed ? ctx.sim.world.server(reversed.id) : undefined;
  if (reversedServer) {
    const info = renderServerReplication(ctx, reversedServer);
    return { ...info, stagingAvailabilityZone: reversedServer.stagingAvailabilityZone };
  }
  const rep = ri.failbackReplication;
  const done = fraction(ctx.now, rep.phaseStart, rep.phaseEnd);
  const out: Json = {
    dataReplicationState: rep.state,
    replicatedDisks: ri.disks.map((d) => ({
      deviceName: d.internalDeviceName,
      totalStorageBytes: ri.disconnected ? 0 : d.bytes,
      replicatedStorageBytes:
        rep.state === "CONTINUOUS" || rep.state === "STOPPED"
          ? d.bytes
          : rep.state === "INITIAL_SYNC"
            ? Math.floor(d.bytes * done)
            : 0,
      rescannedStorageBytes: 0,
      backloggedStorageBytes: 0,
    })),
  };
  if (rep.state === "CONTINUOUS") out.lagDuration = "PT0S";
  if (rep.state === "STALLED") out.lagDuration = isoDuration(ctx.now - rep.since);
  if (rep.state === "INITIAL_SYNC" && rep.phaseEnd !== undefined)
    out.etaDateTime = formatTime(rep.phaseEnd, ctx.style);
  if (rep.state === "INITIATING") {
    out.dataReplicationInitiation = {
      startDateTime: formatTime(rep.since, ctx.style),
      steps: initiationSteps(RECOVERY_INSTANCE_INITIATION_STEPS, done, undefined),
    };
  }
  if (rep.error) out.dataReplicationError = { ...rep.error };
  return out;
}

export function renderSnapshot(ctx: ViewContext, serverId: string, snap: SnapshotInfo): Json {
  return {
    snapshotID: snap.snapshotID,
    sourceServerID: serverId,
    expectedTimestamp: formatTime(snap.expectedMs, ctx.style),
    timestamp: formatTime(snap.takenMs, ctx.style),
    ebsSnapshots: [...snap.ebsSnapshots],
  };
}

export function renderLaunchConfiguration(s: SourceServerRecord): Json {
  const lc = s.launchConfiguration;
  return {
    sourceServerID: s.id,
    name: lc.name,
    ec2LaunchTemplateID: lc.ec2LaunchTemplateID,
    launchDisposition: lc.launchDisposition,
    targetInstanceTypeRightSizingMethod: lc.targetInstanceTypeRightSizingMethod,
    copyPrivateIp: lc.copyPrivateIp,
    copyTags: lc.copyTags,
    licensing: { ...lc.licensing },
    postLaunchEnabled: lc.postLaunchEnabled,
    ...(lc.launchIntoInstanceProperties
      ? { launchIntoInstanceProperties: { ...lc.launchIntoInstanceProperties } }
      : {}),
  };
}
