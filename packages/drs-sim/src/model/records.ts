import type {
  DataReplicationErrorString,
  DataReplicationState,
  Ec2InstanceState,
  FailbackReplicationError,
  FailbackState,
  InitiatedBy,
  JobLogEvent,
  JobStatus,
  JobType,
  LastLaunchResult,
  LaunchDisposition,
  LaunchStatus,
  LaunchType,
  OriginEnvironment,
  RecoveryInstanceReplicationState,
  ReplicationDirection,
  RightSizingMethod,
} from "./drs-enums.js";

/**
 * The simulator's internal records. They are plain JSON (times are epoch milliseconds) so the whole world
 * can be written to a state file; the wire shapes are rendered from them in wire-views.ts.
 */

export interface RegionRecord {
  accountId: string;
  region: string;
  initialized: boolean;
}

export interface DiskRecord {
  deviceName: string;
  bytes: number;
}

export interface LaunchConfigurationRecord {
  name: string;
  ec2LaunchTemplateID: string;
  launchDisposition: LaunchDisposition;
  targetInstanceTypeRightSizingMethod: RightSizingMethod;
  copyPrivateIp: boolean;
  copyTags: boolean;
  licensing: { osByol: boolean };
  postLaunchEnabled: boolean;
  launchIntoInstanceProperties?: { launchIntoEC2InstanceID?: string };
}

export interface ReplicationRecord {
  state: DataReplicationState;
  /** Bumped on every state change; scheduled transitions carry it so stale ones are ignored. */
  epoch: number;
  since: number;
  error?: { error: DataReplicationErrorString; rawError?: string } | undefined;
  /** INITIATING / INITIAL_SYNC / RESCAN: when the phase started and when it is due to end. */
  phaseStart?: number | undefined;
  phaseEnd?: number | undefined;
  /** Whether the state moves on by itself (INITIATING → INITIAL_SYNC → CONTINUOUS). */
  autoProgress: boolean;
  lagSeconds?: number | undefined;
  backlogBytes?: number | undefined;
  /** Initiation steps failed at this step (INITIATING with an error). */
  failedStep?: string | undefined;
}

export interface SourceServerRecord {
  id: string;
  /** Creation order: breaks ties between servers added in the same millisecond. */
  seq: number;
  accountId: string;
  region: string;
  hostname: string;
  fqdn: string;
  os: "linux" | "windows";
  osFullString: string;
  cpus: { cores: number; modelName: string }[];
  ramBytes: number;
  disks: DiskRecord[];
  ips: string[];
  macAddress: string;
  recommendedInstanceType: string;
  vmWareUuid?: string | undefined;
  awsInstanceID?: string | undefined;
  agentVersion: string;
  stagingAvailabilityZone: string;
  addedMs: number;
  firstByteMs: number;
  tags: Record<string, string>;
  origin: {
    environment: OriginEnvironment;
    accountId?: string | undefined;
    region?: string | undefined;
    availabilityZone?: string | undefined;
  };
  replicationDirection: ReplicationDirection;
  reversedDirectionSourceServerArn?: string | undefined;
  /** For a FAILBACK-direction server created by ReverseReplication: the recovery instance it replicates. */
  reversedFromInstance?: { accountId: string; region: string; id: string } | undefined;
  replication: ReplicationRecord;
  /** Initial sync has completed at least once (the server was READY at some point). */
  initialSyncDone: boolean;
  /** Periods during which point-in-time snapshots were taken: [start, end or null while ongoing]. */
  pitIntervals: [number, number | null][];
  launchConfiguration: LaunchConfigurationRecord;
  lastLaunchResult: LastLaunchResult;
  lastLaunch?: { apiCallMs: number; jobID: string; type: LaunchType; status: LaunchStatus } | undefined;
  recoveryInstanceId?: string | undefined;
  /** EC2 instance IDs launched for this server and not terminated: what the next launch cleans up. */
  launchedInstanceIds: string[];
  disconnectedMs?: number | undefined;
}

export interface FailbackRecord {
  state: FailbackState;
  launchType: LaunchType;
  failbackClientID?: string | undefined;
  failbackJobID?: string | undefined;
  initiationMs?: number | undefined;
  clientLastSeenMs?: number | undefined;
  firstByteMs?: number | undefined;
  toOriginalServer: boolean;
}

export interface FailbackReplicationRecord {
  state: RecoveryInstanceReplicationState;
  epoch: number;
  since: number;
  phaseStart?: number | undefined;
  phaseEnd?: number | undefined;
  error?: { error: FailbackReplicationError; rawError?: string } | undefined;
}

export interface RecoveryInstanceRecord {
  id: string;
  accountId: string;
  region: string;
  sourceServerID: string;
  jobID: string;
  isDrill: boolean;
  createdMs: number;
  ec2State: Ec2InstanceState;
  pointInTimeMs: number;
  tags: Record<string, string>;
  originEnvironment: OriginEnvironment;
  originAvailabilityZone?: string | undefined;
  hostname: string;
  os: "linux" | "windows";
  osFullString: string;
  cpus: { cores: number; modelName: string }[];
  ramBytes: number;
  disks: { internalDeviceName: string; bytes: number; ebsVolumeID: string }[];
  privateIp: string;
  macAddress: string;
  agentVersion: string;
  failback: FailbackRecord;
  failbackReplication: FailbackReplicationRecord;
  failbackConfig: { name: string; bandwidthThrottling: number; usePrivateIP: boolean };
  disconnected: boolean;
  /** ARN of the source server ReverseReplication created (EC2-origin failback). */
  reversedSourceServerArn?: string | undefined;
  /** Sim-only: when the guest OS is expected to be up (boot time after RUNNING). */
  appReadyMs?: number | undefined;
}

export interface LaunchActionRunRecord {
  runId: string;
  actionName: string;
  status: "IN_PROGRESS" | "SUCCEEDED" | "FAILED";
  failureReason?: string | undefined;
}

export interface ParticipantRecord {
  sourceServerID?: string | undefined;
  recoveryInstanceID?: string | undefined;
  launchStatus: LaunchStatus;
  /** Snapshot the request asked for (S2). */
  recoverySnapshotID?: string | undefined;
  /** Unknown source server kept in the job (`unknownServerOnStart: skipInJob`). */
  unknown?: boolean | undefined;
  /** Injected failure decided when the server's work began. */
  plannedFailure?: string | undefined;
  conversionServerID?: string | undefined;
  targetInstanceID?: string | undefined;
  pointInTimeMs?: number | undefined;
  launchActions?: { ssmAgentDiscoveryMs: number; runs: LaunchActionRunRecord[] } | undefined;
}

export interface JobLogRecord {
  ms: number;
  event: JobLogEvent;
  data?: Record<string, unknown> | undefined;
}

export interface JobRecord {
  id: string;
  accountId: string;
  region: string;
  /** Creation order, to sort jobs created in the same millisecond. */
  seq: number;
  type: JobType;
  initiatedBy: InitiatedBy;
  isDrill: boolean;
  createdMs: number;
  endMs?: number | undefined;
  status: JobStatus;
  tags: Record<string, string>;
  participants: ParticipantRecord[];
  log: JobLogRecord[];
  /** Set once the end of the job has been scheduled. */
  endScheduled?: boolean | undefined;
  /** The job as it was one step ago (served by `staleReadProbability`). */
  previous?: { status: JobStatus; endMs?: number | undefined; participants: ParticipantRecord[] } | undefined;
}
