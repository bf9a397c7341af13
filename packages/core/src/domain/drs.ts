/**
 * DRS as the orchestrator sees it: normalized shapes produced by the DrsGateway port, independent of the
 * AWS SDK. Field meanings follow shared/specs/drs-api.md.
 */
export type DataReplicationState =
  | "STOPPED"
  | "INITIATING"
  | "INITIAL_SYNC"
  | "BACKLOG"
  | "CREATING_SNAPSHOT"
  | "CONTINUOUS"
  | "PAUSED"
  | "RESCAN"
  | "STALLED"
  | "DISCONNECTED";

export type Readiness = "READY" | "READY_WITH_LAG" | "DEGRADED" | "NOT_READY";

export type LaunchStatus = "PENDING" | "IN_PROGRESS" | "LAUNCHED" | "FAILED" | "TERMINATED";
export type JobStatus = "PENDING" | "STARTED" | "COMPLETED";
export type Ec2State =
  | "PENDING"
  | "RUNNING"
  | "STOPPING"
  | "STOPPED"
  | "SHUTTING-DOWN"
  | "TERMINATED"
  | "NOT_FOUND";
export type FailbackState =
  | "FAILBACK_NOT_STARTED"
  | "FAILBACK_IN_PROGRESS"
  | "FAILBACK_READY_FOR_LAUNCH"
  | "FAILBACK_COMPLETED"
  | "FAILBACK_ERROR"
  | "FAILBACK_NOT_READY_FOR_LAUNCH"
  | "FAILBACK_LAUNCH_STATE_NOT_AVAILABLE";

export interface DrsTarget {
  accountId: string;
  region: string;
}

export interface SourceServer extends DrsTarget {
  sourceServerId: string;
  arn?: string;
  hostname: string;
  tags: Record<string, string>;
  replicationState: DataReplicationState | "UNKNOWN";
  replicationError?: string;
  readiness: Readiness;
  lagDuration?: string;
  lastLaunchResult?: "NOT_STARTED" | "PENDING" | "SUCCEEDED" | "FAILED";
  recoveryInstanceId?: string;
  os?: string;
  originEnvironment: "ON_PREMISES" | "AWS";
  originRegion?: string;
  replicationDirection?: "FAILOVER" | "FAILBACK";
  reversedDirectionSourceServerArn?: string;
  recommendedInstanceType?: string;
  diskBytes?: number;
}

export interface JobParticipant {
  sourceServerId: string;
  recoveryInstanceId?: string;
  launchStatus: LaunchStatus;
}

export interface DrsJob extends DrsTarget {
  jobId: string;
  type: "LAUNCH" | "TERMINATE" | "CREATE_CONVERTED_SNAPSHOT";
  initiatedBy?: string;
  status: JobStatus;
  createdAt?: string;
  endedAt?: string;
  tags: Record<string, string>;
  participants: JobParticipant[];
}

export interface JobLogItem {
  at: string;
  event: string;
  sourceServerId?: string;
  conversionServerId?: string;
  targetInstanceId?: string;
  rawError?: string;
}

export interface RecoveryInstance extends DrsTarget {
  recoveryInstanceId: string;
  sourceServerId: string;
  ec2InstanceId?: string;
  ec2State?: Ec2State;
  jobId?: string;
  isDrill: boolean;
  originEnvironment?: "ON_PREMISES" | "AWS";
  pointInTimeSnapshotDateTime?: string;
  failbackState?: FailbackState;
  /** The failback replication's error as DRS reports it (dataReplicationInfo.dataReplicationError). */
  failbackError?: string;
  tags: Record<string, string>;
  instanceType?: string;
  privateIp?: string;
}

/** A point-in-time snapshot DRS keeps for a source server (DescribeRecoverySnapshots). */
export interface RecoverySnapshot {
  snapshotId: string;
  sourceServerId: string;
  /** When the snapshot was scheduled. */
  expectedTimestamp: string;
  /** When it was actually taken (absent while it is being taken). */
  timestamp?: string;
}

export interface LaunchConfiguration {
  sourceServerId: string;
  name?: string;
  ec2LaunchTemplateId?: string;
  launchDisposition?: "STOPPED" | "STARTED";
  targetInstanceTypeRightSizingMethod?: "NONE" | "BASIC" | "IN_AWS";
  copyPrivateIp?: boolean;
  copyTags?: boolean;
  licensing?: { osByol: boolean };
  postLaunchEnabled?: boolean;
}

/** Readiness classes of spec §7.2. */
export function readinessOf(state: DataReplicationState | "UNKNOWN", initialSyncDone: boolean): Readiness {
  switch (state) {
    case "CONTINUOUS":
      return "READY";
    case "BACKLOG":
    case "CREATING_SNAPSHOT":
    case "RESCAN":
      return initialSyncDone ? "READY_WITH_LAG" : "NOT_READY";
    case "STALLED":
    case "PAUSED":
      return initialSyncDone ? "DEGRADED" : "NOT_READY";
    default:
      return "NOT_READY";
  }
}

/** The key that identifies a source server across accounts and regions. */
export function serverKey(target: DrsTarget, sourceServerId: string): string {
  return `${target.accountId}/${target.region}/${sourceServerId}`;
}

export function targetKey(target: DrsTarget): string {
  return `${target.accountId}/${target.region}`;
}
