import { z } from "zod";
import { ConflictError } from "../errors.js";
import type { WaveAction } from "./actions.js";
import { SourceServerIdSchema } from "./common.js";
import type { Ec2State, FailbackState, LaunchStatus } from "./drs.js";
import type { ProtectionGroup } from "./protection-group.js";
import type { OnFailure, RecoveryPlan, Wave } from "./recovery-plan.js";

export const EXECUTION_TYPES = ["DRILL", "RECOVERY", "FAILBACK"] as const;
export type ExecutionType = (typeof EXECUTION_TYPES)[number];

export const EXECUTION_STATUSES = [
  "PENDING",
  "RUNNING",
  "PAUSED",
  "CANCELLING",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const TERMINAL_STATUSES: readonly ExecutionStatus[] = ["COMPLETED", "FAILED", "CANCELLED"];
export const ACTIVE_STATUSES: readonly ExecutionStatus[] = ["PENDING", "RUNNING", "PAUSED", "CANCELLING"];

export function isTerminal(status: ExecutionStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export const RecoverySnapshotIdSchema = z
  .string()
  .regex(/^pit-[0-9a-zA-Z]{17}$/, "must be a DRS recovery snapshot ID (pit- followed by 17 characters)")
  .max(21);

/**
 * Which point in time the servers recover to: `latest` (the default: DRS's latest data), an ISO time T (each
 * server recovers from its latest snapshot taken at or before T; refused when one has none), or explicit
 * snapshot IDs per server (servers not named recover from the latest).
 */
export const PointInTimeSchema = z
  .union([
    z.literal("latest"),
    z.iso.datetime({ offset: true }).max(64),
    z.strictObject({
      snapshotIds: z
        .record(SourceServerIdSchema, RecoverySnapshotIdSchema)
        .refine((m) => Object.keys(m).length >= 1, "name at least one server")
        .refine((m) => Object.keys(m).length <= 3000, "at most 3000 servers"),
    }),
  ])
  .meta({
    id: "PointInTime",
    description:
      "latest (default), an ISO time (each server's latest snapshot at or before it), or {snapshotIds: {sourceServerId: snapshotId}}",
  });
export type PointInTime = z.infer<typeof PointInTimeSchema>;

export const StartExecutionSchema = z
  .strictObject({
    executionType: z.enum(EXECUTION_TYPES),
    /** RECOVERY only: must equal the plan's name, so that nobody starts a real recovery by accident. */
    confirm: z.string().max(256).optional(),
    /** FAILBACK only: run waves in reverse plan order (dependencies reversed). */
    reverseWaveOrder: z.boolean().optional(),
    comment: z.string().max(1024).optional(),
    /** DRILL and RECOVERY: the point in time to recover to (default latest). */
    pointInTime: PointInTimeSchema.optional(),
    /** DRILL: hours until its instances are terminated (default: the settings' drillTtlHours). */
    drillTtlHours: z.number().int().min(1).max(720).optional(),
  })
  .meta({ id: "StartExecution" });
export type StartExecution = z.infer<typeof StartExecutionSchema>;

/** A protection group as frozen at start: the servers it resolved to then. */
export interface GroupSnapshot {
  groupId: string;
  name: string;
  accountId: string;
  region: string;
  selectionMode: ProtectionGroup["selectionMode"];
  launchSettings?: ProtectionGroup["launchSettings"];
  servers: Array<{
    sourceServerId: string;
    hostname: string;
    readiness?: string;
    originEnvironment?: "ON_PREMISES" | "AWS";
    /** OPTIONAL: its failure does not fail its wave (absent: CRITICAL). */
    impact?: "OPTIONAL";
    /** Point-in-time recovery: the snapshot chosen at start (absent: the latest data). */
    snapshot?: ChosenSnapshot;
  }>;
}

/** A point-in-time snapshot chosen for a server when its execution started. */
export interface ChosenSnapshot {
  snapshotId: string;
  /** When DRS took it (ISO). */
  takenAt: string;
}

export interface PlanSnapshot {
  plan: Pick<RecoveryPlan, "planId" | "name" | "rpoSeconds" | "rtoSeconds" | "version"> & { waves: Wave[] };
  groups: GroupSnapshot[];
}

/**
 * `TIMED_OUT`: the wave's deadline passed with DRS work still unfinished (DRS was asked once at the deadline). Its
 * DRS jobs are still followed to their end and every recovery instance they launch is recorded (issue 13 item 1).
 */
export type WaveStatus =
  | "PENDING"
  | "WAITING"
  | "RUNNING"
  | "COMPLETED"
  | "FAILED"
  | "TIMED_OUT"
  | "CANCELLED"
  | "SKIPPED";
export type WavePhase = "pre-actions" | "launching" | "post-actions";

export type ServerOutcome = "NOT_STARTED" | LaunchStatus | "CANCELLED" | "SKIPPED";

export interface ServerRun {
  sourceServerId: string;
  hostname: string;
  accountId: string;
  region: string;
  groupId: string;
  status: ServerOutcome;
  /** OPTIONAL: its failure is reported but does not fail the wave (absent: CRITICAL). */
  impact?: "OPTIONAL";
  /** How many times a person retried this server's launch (wave retries). */
  retries?: number;
  /** Point-in-time recovery: the snapshot this server launches from (absent: the latest data). */
  snapshot?: ChosenSnapshot;
  batchId?: string;
  jobId?: string;
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
  ec2State?: Ec2State;
  /** FAILBACK: the source server launched in the origin region (EC2 origin) or the instance failed back. */
  failback?: FailbackProgress;
  error?: string;
  launchedAt?: string;
}

export interface FailbackProgress {
  origin: "ON_PREMISES" | "AWS";
  recoveryInstanceId?: string;
  /** EC2 origin: the reversed-direction source server in the origin region. */
  reversedSourceServerId?: string;
  originAccountId?: string;
  originRegion?: string;
  /**
   * `waiting-client`: DRS has not seen the failback client of the recovery instance yet (the operator boots the
   * DRS Failback Client on the original machine); `replicating`: the client replicates back (DRS reports
   * FAILBACK_NOT_READY_FOR_LAUNCH, or reverse replication for an EC2 origin).
   */
  phase: "resolve" | "reverse" | "waiting-client" | "replicating" | "ready" | "launching" | "done" | "failed";
  /** The recovery instance's failback state as DRS last reported it (on-premises origin). */
  drsState?: FailbackState;
  nextCheckAt?: number;
}

/**
 * One DRS job as the engine tracks it. `LAUNCHING` is the recorded intent: the StartRecovery call may or may
 * not have happened; the engine resolves it by looking the job up by its tags before it ever calls again.
 */
/** What every batch has, whatever its status (history fields stay once known). */
interface BatchCore {
  batchId: string;
  kind: "recovery" | "failback-launch" | "terminate";
  accountId: string;
  region: string;
  sourceServerIds: string[];
  /** Failback launches and terminations address recovery instances rather than source servers. */
  recoveryInstanceIds?: string[];
  attempt: number;
  /** When the last launch intent was recorded (saved before the DRS call). */
  intentAt?: number;
  jobStatus?: "PENDING" | "STARTED" | "COMPLETED";
  submittedAt?: number;
  completedAt?: number;
  jobCreatedAt?: string;
  jobEndedAt?: string;
  lastPolledAt?: number;
  /** When the job log is next fetched (logs are fetched less often than the job is polled). */
  nextLogAt?: number;
  logCount: number;
  lastError?: string;
  errorCount: number;
}

/** Fields that belong to some statuses only (`never` elsewhere, dropped by the engine's `moveBatch`). */
interface BatchStateFields {
  /** PLANNED: not launched before this time (retry backoff). */
  notBefore?: number;
  /** UNKNOWN, ACTIVE: when DRS is asked next. */
  nextPollAt?: number;
  /** UNKNOWN: the last launch attempt hit ConflictException: the lookup also reports jobs holding these servers. */
  conflict?: boolean;
  /** UNKNOWN: other DRS jobs found holding the batch's servers: the batch waits (with backoff) for them to end. */
  heldBy?: string[];
  /** UNKNOWN: how often the holders were looked up while waiting (drives the backoff). */
  heldChecks?: number;
  /** ACTIVE, DONE (and FAILED/CANCELLED once a job existed): the DRS job. */
  jobId?: string;
}

type Only<K extends keyof BatchStateFields> = Pick<BatchStateFields, K> & {
  [F in Exclude<keyof BatchStateFields, K>]?: never;
};

/**
 * A launch (or termination) batch: one DRS job's worth of servers. A union by status, so a state cannot carry the
 * fields of another (an ACTIVE batch always has its job, a PLANNED one never has one, only an UNKNOWN one waits for
 * holders). The engine changes status only through `moveBatch` (engine/batches.ts).
 */
export type BatchRun =
  | (BatchCore & { status: "PLANNED" } & Only<"notBefore">)
  | (BatchCore & { status: "LAUNCHING"; intentAt: number } & Only<never>)
  | (BatchCore & { status: "UNKNOWN"; intentAt: number } & Only<
        "nextPollAt" | "conflict" | "heldBy" | "heldChecks"
      >)
  | (BatchCore & { status: "ACTIVE"; jobId: string; submittedAt: number } & Only<"jobId" | "nextPollAt">)
  | (BatchCore & { status: "DONE"; jobId: string; completedAt: number } & Only<"jobId">)
  | (BatchCore & { status: "FAILED"; lastError: string } & Only<"jobId">)
  | (BatchCore & { status: "CANCELLED" } & Only<"jobId">);

export type BatchStatus = BatchRun["status"];

export type ActionStatus =
  | "PENDING"
  | "RUNNING"
  | "WAITING_APPROVAL"
  | "SUCCEEDED"
  | "FAILED"
  | "SKIPPED"
  | "CANCELLED";

export interface ActionRun {
  actionId: string;
  phase: "pre" | "post";
  index: number;
  action: WaveAction;
  status: ActionStatus;
  startedAt?: number;
  endedAt?: number;
  deadlineAt?: number;
  nextCheckAt?: number;
  attempts: number;
  /**
   * The attempt issued and not yet answered (set before the effect runs, saved with the step): if it is still
   * set when the action is issued again, the answer was lost (a crash, a timeout) and the re-issue says so.
   */
  awaiting?: number;
  /** How many times a wave retry re-ran this action (each re-run gets its own idempotency key). */
  reruns?: number;
  /** External handle (SSM automation execution ID, command ID). */
  handle?: string;
  output?: string;
  error?: string;
  decision?: { decision: "approve" | "reject"; by: string; at: string; comment?: string };
}

export interface WaveRun {
  waveId: string;
  name: string;
  status: WaveStatus;
  phase?: WavePhase;
  onFailure: OnFailure;
  dependsOn: string[];
  pauseBefore: boolean;
  pauseCleared: boolean;
  startTime?: number;
  endTime?: number;
  deadlineAt?: number;
  /** The deadline passed and DRS was asked once more before deciding (set once, when the check starts). */
  deadlineCheckAt?: number;
  servers: ServerRun[];
  batches: BatchRun[];
  actions: ActionRun[];
  error?: string;
  /**
   * The last decision a person took about this wave (run control): `retry` relaunches its failed servers,
   * `skip` skips it before it starts (or accepts its failure and goes on), `abort` ends the execution as failed.
   */
  decision?: WaveDecision;
  /** How many times the wave was retried. */
  retries?: number;
}

export type WaveDecisionType = "retry" | "skip" | "abort";

export interface WaveDecision {
  decision: WaveDecisionType;
  by: string;
  at: number;
  comment?: string;
  /** What the wave was when the decision was taken. */
  fromStatus: WaveStatus;
}

export interface PauseState {
  /** `failure`: a wave whose onFailure is pause failed and waits for a person (retry, skip or abort). */
  reason: "pauseBefore" | "user" | "approval" | "failure";
  waveId?: string;
  actionId?: string;
  since: number;
  by?: string;
}

/** One interval the execution was paused (waiting for a person): before a wave, for an approval, by a user. */
export interface PauseRecord {
  reason: PauseState["reason"];
  waveId?: string;
  actionId?: string;
  by?: string;
  from: number;
  /** Unset while the pause lasts. */
  to?: number;
}

/** Closes the open pause record (if any) at `at`. */
export function closePauses(e: Pick<Execution, "pauses">, at: number): void {
  for (const p of e.pauses ?? []) if (p.to === undefined) p.to = Math.max(p.from, at);
}

export interface TerminationRun {
  requestedBy: string;
  requestedAt: number;
  reason: "user" | "drill-ttl";
  status: "RUNNING" | "COMPLETED" | "FAILED";
  batches: BatchRun[];
  instances: Array<{
    recoveryInstanceId: string;
    sourceServerId: string;
    status: "PENDING" | "TERMINATING" | "TERMINATED" | "FAILED";
    error?: string;
  }>;
  /**
   * Besides the recorded instances, DRS is asked for every recovery instance of the execution's servers that one
   * of its launch jobs created (found by job, not by what the engine recorded): `pending` are the account/region
   * keys not answered yet; `doneAt` once every target answered (or gave up after repeated errors).
   */
  discovery?: { pending: string[]; nextAt?: number; errors: number; doneAt?: number; found: number };
  completedAt?: number;
}

export interface Execution {
  executionId: string;
  planId: string;
  planName: string;
  executionType: ExecutionType;
  status: ExecutionStatus;
  initiatedBy: string;
  comment?: string;
  startTime: number;
  endTime?: number;
  options: { reverseWaveOrder: boolean };
  /**
   * The point in time asked for at start (absent: latest). Frozen: each server's chosen snapshot is on its
   * ServerRun (`snapshot`).
   */
  pointInTime?: { mode: "time"; at: string } | { mode: "snapshots" };
  /**
   * FAILBACK: the replication allowance (settings.failbackReplicationTimeoutHours) frozen when the execution
   * starts, so a later settings change does not move a running failback's deadlines (decision 005).
   */
  failbackAllowanceSeconds?: number;
  snapshot: PlanSnapshot;
  waves: WaveRun[];
  pause?: PauseState;
  /** Every pause so far, in order (human time: the report's RTO with and without it). */
  pauses?: PauseRecord[];
  /** A user asked to pause: no new wave starts until resume. */
  pauseRequested?: { by: string; at: number };
  cancelRequested?: { by: string; at: number };
  /** Highest command sequence number already applied (commands are idempotent by sequence). */
  appliedCommandSeq: number;
  /** When the engine next needs to look at this execution; undefined = only on a command. */
  wakeAt?: number;
  termination?: TerminationRun;
  /** DRILL: the drill TTL asked for at start (a scheduled drill's), instead of the settings' drillTtlHours. */
  drillTtlHours?: number;
  /** DRILL: instances are terminated automatically at this time unless already terminated. */
  cleanupAt?: number;
  error?: { code: string; message: string };
  /** Step Functions: the task token of the current pause (AWS driver only). */
  taskToken?: string;
  createdAt: number;
  updatedAt: number;
  version: number;
}

export type ExecutionCommand =
  | { seq: number; at: number; by: string; type: "pause" }
  | { seq: number; at: number; by: string; type: "resume" }
  | {
      seq: number;
      at: number;
      by: string;
      type: "cancel";
      /** Why, when the orchestrator cancels on someone's behalf (a RECOVERY that needs this drill's servers). */
      reason?: string;
      /** The execution this cancel makes way for. */
      forExecutionId?: string;
    }
  | { seq: number; at: number; by: string; type: "terminate-instances"; reason?: "user" | "drill-ttl" }
  | { seq: number; at: number; by: string; type: "approve" | "reject"; actionId?: string; comment?: string }
  | {
      seq: number;
      at: number;
      by: string;
      type: "wave-decision";
      waveId: string;
      decision: WaveDecisionType;
      comment?: string;
    };

export type NewExecutionCommand = ExecutionCommand extends infer C
  ? C extends { seq: number }
    ? Omit<C, "seq">
    : never
  : never;

export interface ExecutionEvent {
  executionId: string;
  seq: number;
  at: number;
  type: string;
  waveId?: string;
  message: string;
  data?: Record<string, unknown>;
}

export type NewExecutionEvent = Omit<ExecutionEvent, "seq" | "executionId">;

/** The light listing shape, stored beside each execution so lists never parse whole documents. */
export interface ExecutionSummary {
  executionId: string;
  planId: string;
  planName: string;
  executionType: ExecutionType;
  status: ExecutionStatus;
  initiatedBy: string;
  startTime: string;
  endTime?: string;
  waveCount: number;
  wavesCompleted: number;
  wavesFailed: number;
  serverCount: number;
  serversLaunched: number;
  serversFailed: number;
  /** Of `serversFailed`, the OPTIONAL servers (their failure did not fail their wave). */
  optionalServersFailed?: number;
  paused?: PauseState["reason"];
  targetRtoSeconds?: number;
  achievedRtoSeconds?: number;
  instancesTerminated?: boolean;
}

/** DRS work this execution currently holds, per `account/region` (for quotas across executions). */
export type ExecutionUsage = Record<string, { jobs: number; servers: number }>;

export function summarize(execution: Execution): ExecutionSummary {
  const servers = execution.waves.flatMap((w) => w.servers);
  const summary: ExecutionSummary = {
    executionId: execution.executionId,
    planId: execution.planId,
    planName: execution.planName,
    executionType: execution.executionType,
    status: execution.status,
    initiatedBy: execution.initiatedBy,
    startTime: new Date(execution.startTime).toISOString(),
    waveCount: execution.waves.length,
    wavesCompleted: execution.waves.filter((w) => w.status === "COMPLETED").length,
    wavesFailed: execution.waves.filter((w) => w.status === "FAILED" || w.status === "TIMED_OUT").length,
    serverCount: servers.length,
    serversLaunched: servers.filter((s) => s.status === "LAUNCHED" || s.status === "TERMINATED").length,
    serversFailed: servers.filter((s) => s.status === "FAILED").length,
  };
  const optionalFailed = servers.filter((s) => s.status === "FAILED" && s.impact === "OPTIONAL").length;
  if (optionalFailed > 0) summary.optionalServersFailed = optionalFailed;
  if (execution.endTime !== undefined) {
    summary.endTime = new Date(execution.endTime).toISOString();
    summary.achievedRtoSeconds = Math.round((execution.endTime - execution.startTime) / 1000);
  }
  if (execution.pause) summary.paused = execution.pause.reason;
  if (execution.snapshot.plan.rtoSeconds !== undefined)
    summary.targetRtoSeconds = execution.snapshot.plan.rtoSeconds;
  if (execution.termination?.status === "COMPLETED") summary.instancesTerminated = true;
  return summary;
}

/** Jobs and servers this execution holds in DRS right now, by account/region. */
export function usageOf(execution: Execution): ExecutionUsage {
  const usage: ExecutionUsage = {};
  const add = (accountId: string, region: string, servers: number) => {
    const key = `${accountId}/${region}`;
    const entry = usage[key] ?? { jobs: 0, servers: 0 };
    entry.jobs += 1;
    entry.servers += servers;
    usage[key] = entry;
  };
  for (const wave of execution.waves) {
    for (const b of wave.batches) {
      if (b.status === "LAUNCHING" || b.status === "UNKNOWN" || b.status === "ACTIVE") {
        add(b.accountId, b.region, b.recoveryInstanceIds?.length ?? b.sourceServerIds.length);
      }
    }
  }
  for (const b of execution.termination?.batches ?? []) {
    if (b.status === "LAUNCHING" || b.status === "UNKNOWN" || b.status === "ACTIVE")
      add(b.accountId, b.region, b.recoveryInstanceIds?.length ?? 0);
  }
  return usage;
}

/**
 * The account/regions (`account/region` keys) where this execution may hold DRS work: its groups' and those of
 * every batch it planned (failback and termination batches included). What its quota checks read.
 */
export function usageKeysOf(execution: Execution): string[] {
  const keys = new Set(execution.snapshot.groups.map((g) => `${g.accountId}/${g.region}`));
  for (const b of [...execution.waves.flatMap((w) => w.batches), ...(execution.termination?.batches ?? [])])
    keys.add(`${b.accountId}/${b.region}`);
  return [...keys].sort();
}

/** Server keys (`account/region/serverId`) this execution covers, used to refuse overlapping executions. */
export function serverKeysOf(execution: Pick<Execution, "snapshot">): string[] {
  return execution.snapshot.groups.flatMap((g) =>
    g.servers.map((s) => `${g.accountId}/${g.region}/${s.sourceServerId}`),
  );
}

/** An active execution as the one-execution-per-server rule sees it. */
export interface ServerHolder {
  executionId: string;
  executionType: ExecutionType;
  status: ExecutionStatus;
  serverKeys: readonly string[];
}

/**
 * One active execution per server: the first server of `candidate` that an active execution holds, with the
 * holder; undefined when it may start. A RECOVERY may start over servers a DRILL holds (it cancels the drill; the
 * worst day wins). Every store applies this rule inside its create (a transaction or a conditional write), so
 * racing starts cannot both win.
 */
export function serverConflict(
  candidate: { executionType: ExecutionType; serverKeys: readonly string[] },
  active: readonly ServerHolder[],
): { holder: ServerHolder; serverKey: string } | undefined {
  const keys = new Set(candidate.serverKeys);
  for (const holder of active) {
    if (isTerminal(holder.status)) continue;
    if (candidate.executionType === "RECOVERY" && holder.executionType === "DRILL") continue;
    const serverKey = holder.serverKeys.find((k) => keys.has(k));
    if (serverKey) return { holder, serverKey };
  }
  return undefined;
}

/** The 409 a store raises when `serverConflict` finds a holder. */
export function serverConflictError(found: { holder: ServerHolder; serverKey: string }): ConflictError {
  const sourceServerId = found.serverKey.split("/")[2] ?? found.serverKey;
  return new ConflictError(
    "SERVER_IN_ACTIVE_EXECUTION",
    `Source server ${sourceServerId} is already in active ${found.holder.executionType} execution ${found.holder.executionId}.`,
    { executionId: found.holder.executionId, sourceServerId, executionType: found.holder.executionType },
  );
}
