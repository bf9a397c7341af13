import type {
  Job,
  JobLog,
  LaunchConfiguration as SdkLaunchConfiguration,
  RecoveryInstance as SdkRecoveryInstance,
  RecoverySnapshot as SdkRecoverySnapshot,
  SourceServer as SdkSourceServer,
} from "@aws-sdk/client-drs";
import {
  type DataReplicationState,
  type DrsJob,
  type DrsTarget,
  type JobLogItem,
  type LaunchConfiguration,
  type RecoveryInstance,
  type RecoverySnapshot,
  readinessOf,
  type SourceServer,
} from "@drso/core";

const NOT_SYNCED: ReadonlySet<string> = new Set(["INITIATING", "INITIAL_SYNC", "STOPPED", "DISCONNECTED"]);

export function toSourceServer(target: DrsTarget, s: SdkSourceServer): SourceServer {
  const state = (s.dataReplicationInfo?.dataReplicationState ?? "UNKNOWN") as
    | DataReplicationState
    | "UNKNOWN";
  const hints = s.sourceProperties?.identificationHints;
  const id = s.sourceServerID ?? "";
  const server: SourceServer = {
    ...target,
    sourceServerId: id,
    hostname: hints?.hostname ?? hints?.fqdn ?? id,
    tags: { ...(s.tags ?? {}) },
    replicationState: state,
    readiness: readinessOf(state, !NOT_SYNCED.has(state)),
    originEnvironment: s.sourceCloudProperties?.originRegion ? "AWS" : "ON_PREMISES",
  };
  if (s.arn) server.arn = s.arn;
  const err = s.dataReplicationInfo?.dataReplicationError?.error;
  if (err) server.replicationError = err;
  if (s.dataReplicationInfo?.lagDuration) server.lagDuration = s.dataReplicationInfo.lagDuration;
  if (s.lastLaunchResult) server.lastLaunchResult = s.lastLaunchResult;
  if (s.recoveryInstanceId) server.recoveryInstanceId = s.recoveryInstanceId;
  if (s.sourceProperties?.os?.fullString) server.os = s.sourceProperties.os.fullString;
  if (s.sourceCloudProperties?.originRegion) server.originRegion = s.sourceCloudProperties.originRegion;
  if (s.replicationDirection) server.replicationDirection = s.replicationDirection;
  if (s.reversedDirectionSourceServerArn)
    server.reversedDirectionSourceServerArn = s.reversedDirectionSourceServerArn;
  if (s.sourceProperties?.recommendedInstanceType)
    server.recommendedInstanceType = s.sourceProperties.recommendedInstanceType;
  const disks = s.sourceProperties?.disks;
  if (disks && disks.length > 0) server.diskBytes = disks.reduce((sum, d) => sum + (d.bytes ?? 0), 0);
  return server;
}

export function toJob(target: DrsTarget, j: Job): DrsJob {
  const job: DrsJob = {
    ...target,
    jobId: j.jobID ?? "",
    type: (j.type ?? "LAUNCH") as DrsJob["type"],
    status: (j.status ?? "PENDING") as DrsJob["status"],
    tags: { ...(j.tags ?? {}) },
    participants: (j.participatingServers ?? []).map((p) => {
      const participant: DrsJob["participants"][number] = {
        sourceServerId: p.sourceServerID ?? "",
        launchStatus: (p.launchStatus ?? "PENDING") as DrsJob["participants"][number]["launchStatus"],
      };
      if (p.recoveryInstanceID) participant.recoveryInstanceId = p.recoveryInstanceID;
      return participant;
    }),
  };
  if (j.initiatedBy) job.initiatedBy = j.initiatedBy;
  if (j.creationDateTime) job.createdAt = j.creationDateTime;
  if (j.endDateTime) job.endedAt = j.endDateTime;
  return job;
}

export function toJobLogItem(l: JobLog): JobLogItem {
  const item: JobLogItem = { at: l.logDateTime ?? "", event: l.event ?? "UNKNOWN" };
  const d = l.eventData;
  if (d?.sourceServerID) item.sourceServerId = d.sourceServerID;
  if (d?.conversionServerID) item.conversionServerId = d.conversionServerID;
  if (d?.targetInstanceID) item.targetInstanceId = d.targetInstanceID;
  if (d?.rawError) item.rawError = d.rawError;
  return item;
}

export function toRecoverySnapshot(s: SdkRecoverySnapshot): RecoverySnapshot {
  const snapshot: RecoverySnapshot = {
    snapshotId: s.snapshotID ?? "",
    sourceServerId: s.sourceServerID ?? "",
    expectedTimestamp: s.expectedTimestamp ?? "",
  };
  if (s.timestamp) snapshot.timestamp = s.timestamp;
  return snapshot;
}

export function toRecoveryInstance(target: DrsTarget, r: SdkRecoveryInstance): RecoveryInstance {
  const instance: RecoveryInstance = {
    ...target,
    recoveryInstanceId: r.recoveryInstanceID ?? "",
    sourceServerId: r.sourceServerID ?? "",
    isDrill: r.isDrill ?? false,
    tags: { ...(r.tags ?? {}) },
  };
  if (r.ec2InstanceID) instance.ec2InstanceId = r.ec2InstanceID;
  if (r.ec2InstanceState) instance.ec2State = r.ec2InstanceState as NonNullable<RecoveryInstance["ec2State"]>;
  if (r.jobID) instance.jobId = r.jobID;
  if (r.originEnvironment) instance.originEnvironment = r.originEnvironment;
  if (r.pointInTimeSnapshotDateTime) instance.pointInTimeSnapshotDateTime = r.pointInTimeSnapshotDateTime;
  if (r.failback?.state)
    instance.failbackState = r.failback.state as NonNullable<RecoveryInstance["failbackState"]>;
  const replicationError = r.dataReplicationInfo?.dataReplicationError;
  if (replicationError?.error)
    instance.failbackError = replicationError.rawError
      ? `${replicationError.error}: ${replicationError.rawError}`
      : replicationError.error;
  const ip = r.recoveryInstanceProperties?.networkInterfaces?.find((n) => n.isPrimary)?.ips?.[0];
  if (ip) instance.privateIp = ip;
  return instance;
}

export function toLaunchConfiguration(c: SdkLaunchConfiguration): LaunchConfiguration {
  const config: LaunchConfiguration = { sourceServerId: c.sourceServerID ?? "" };
  if (c.name !== undefined) config.name = c.name;
  if (c.ec2LaunchTemplateID !== undefined) config.ec2LaunchTemplateId = c.ec2LaunchTemplateID;
  if (c.launchDisposition !== undefined) config.launchDisposition = c.launchDisposition;
  if (c.targetInstanceTypeRightSizingMethod !== undefined) {
    config.targetInstanceTypeRightSizingMethod = c.targetInstanceTypeRightSizingMethod as NonNullable<
      LaunchConfiguration["targetInstanceTypeRightSizingMethod"]
    >;
  }
  if (c.copyPrivateIp !== undefined) config.copyPrivateIp = c.copyPrivateIp;
  if (c.copyTags !== undefined) config.copyTags = c.copyTags;
  if (c.licensing?.osByol !== undefined) config.licensing = { osByol: c.licensing.osByol };
  if (c.postLaunchEnabled !== undefined) config.postLaunchEnabled = c.postLaunchEnabled;
  return config;
}
