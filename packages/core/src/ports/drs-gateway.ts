import type {
  DrsJob,
  DrsTarget,
  JobLogItem,
  LaunchConfiguration,
  RecoveryInstance,
  RecoverySnapshot,
  SourceServer,
} from "../domain/drs.js";

/**
 * DRS as a port. One gateway per account and region (the factory handles credentials: STS role in aws mode,
 * per-account keys in sim mode). Implementations translate SDK errors into DrsError at the boundary.
 */
export type DrsErrorKind =
  | "throttled"
  | "unavailable"
  | "conflict"
  | "quota"
  | "not-found"
  | "validation"
  | "access-denied"
  | "uninitialized"
  | "unknown";

export class DrsError extends Error {
  readonly kind: DrsErrorKind;
  /** True when retrying the same call later may succeed (throttling, 5xx, network, quota). */
  readonly retryable: boolean;
  /** True when the call may have taken effect despite the error (5xx, timeouts, malformed responses). */
  readonly ambiguous: boolean;
  readonly resourceId: string | undefined;
  readonly quotaCode: string | undefined;
  readonly operation: string;

  constructor(
    operation: string,
    kind: DrsErrorKind,
    message: string,
    options: { retryable?: boolean; ambiguous?: boolean; resourceId?: string; quotaCode?: string } = {},
  ) {
    super(message);
    this.name = "DrsError";
    this.operation = operation;
    this.kind = kind;
    this.retryable =
      options.retryable ?? (kind === "throttled" || kind === "unavailable" || kind === "quota");
    this.ambiguous = options.ambiguous ?? kind === "unavailable";
    this.resourceId = options.resourceId;
    this.quotaCode = options.quotaCode;
  }
}

export interface StartRecoveryRequest {
  sourceServerIds: string[];
  isDrill: boolean;
  tags: Record<string, string>;
  /** Point-in-time recovery: the snapshot to launch from, per source server (the latest when absent). */
  snapshotIds?: Record<string, string>;
}

export interface DrsGateway {
  readonly target: DrsTarget;
  /** All pages. */
  describeSourceServers(filter?: { sourceServerIds?: string[] }): Promise<SourceServer[]>;
  /** Throws DrsError kind "uninitialized" when DRS is not initialized in this account and region. */
  checkInitialized(): Promise<boolean>;
  startRecovery(request: StartRecoveryRequest): Promise<DrsJob>;
  /** All pages; `fromDate` is compared with the job creation time. */
  describeJobs(filter?: { jobIds?: string[]; fromDate?: string }): Promise<DrsJob[]>;
  /** All items of a job's log in chronological order. */
  describeJobLogItems(jobId: string): Promise<JobLogItem[]>;
  describeRecoveryInstances(filter?: {
    recoveryInstanceIds?: string[];
    sourceServerIds?: string[];
  }): Promise<RecoveryInstance[]>;
  /**
   * All pages of a server's point-in-time snapshots, newest first, optionally taken within [from, to] (ISO times).
   */
  describeRecoverySnapshots(
    sourceServerId: string,
    filter?: { from?: string; to?: string },
  ): Promise<RecoverySnapshot[]>;
  terminateRecoveryInstances(recoveryInstanceIds: string[]): Promise<DrsJob>;
  getLaunchConfiguration(sourceServerId: string): Promise<LaunchConfiguration>;
  updateLaunchConfiguration(config: LaunchConfiguration): Promise<LaunchConfiguration>;
  startFailbackLaunch(recoveryInstanceIds: string[], tags: Record<string, string>): Promise<DrsJob>;
  /** Returns the ARN of the reversed-direction source server (in the origin region). */
  reverseReplication(recoveryInstanceId: string): Promise<string>;
}

export interface DrsGatewayFactory {
  forTarget(target: DrsTarget): DrsGateway;
  /** The mode the factory talks to, for display and for plan validation (SSM actions need aws). */
  readonly mode: "sim" | "aws";
}
