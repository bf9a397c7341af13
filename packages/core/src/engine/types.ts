import type { WaveAction } from "../domain/actions.js";
import type { DrsJob, DrsTarget, RecoveryInstance, SourceServer } from "../domain/drs.js";
import type { Execution, ExecutionCommand, ExecutionUsage, NewExecutionEvent } from "../domain/execution.js";
import type { LaunchOverrides } from "../domain/protection-group.js";
import type { Settings } from "../domain/settings.js";
import type { ActionContext, ActionProgress } from "../ports/action-runner.js";
import type { DrsErrorKind } from "../ports/drs-gateway.js";

/**
 * The engine is one pure function (DESIGN §4):
 *
 *   step(execution, observations, context) → { execution', effects[], events[] }
 *
 * Observations are the results of the previous step's effects (plus user commands). The runner saves the
 * new state BEFORE it runs the effects, so every DRS call is preceded by a durable record of the intent.
 */
export interface StepContext {
  now: number;
  settings: Settings;
  /** DRS jobs and servers held by every OTHER active execution, per `account/region`. */
  otherUsage: ExecutionUsage;
  /**
   * The caller hands `current` over and will not use it again: the step updates it instead of a deep copy.
   * The step handler loads a fresh copy from the store for every step; for a 3,000-server execution the
   * copy was a fifth of the engine's time.
   */
  handOver?: boolean;
}

interface EffectBase {
  /** Unique within a step; observations refer to it. */
  id: string;
}

export type Effect =
  | (EffectBase & {
      kind: "launch";
      waveId: string;
      batchId: string;
      attempt: number;
      target: DrsTarget;
      sourceServerIds: string[];
      isDrill: boolean;
      tags: Record<string, string>;
      /** Applied with UpdateLaunchConfiguration before StartRecovery (idempotent). */
      launchSettings: Array<{ sourceServerId: string; settings: LaunchOverrides }>;
      /** Point-in-time recovery: the snapshot each named server launches from (the latest for the others). */
      snapshotIds?: Record<string, string>;
    })
  | (EffectBase & {
      kind: "failback-launch";
      waveId: string;
      batchId: string;
      attempt: number;
      target: DrsTarget;
      recoveryInstanceIds: string[];
      tags: Record<string, string>;
    })
  | (EffectBase & {
      kind: "terminate";
      batchId: string;
      attempt: number;
      target: DrsTarget;
      recoveryInstanceIds: string[];
      tags: Record<string, string>;
    })
  | (EffectBase & {
      kind: "find-instances";
      /** account/region key of the target, as in TerminationRun.discovery.pending. */
      targetKey: string;
      target: DrsTarget;
      sourceServerIds: string[];
      /** Only instances one of these jobs created count. */
      jobIds: string[];
    })
  | (EffectBase & {
      kind: "find-job";
      /** Wave ID, or "termination". */
      scope: string;
      batchId: string;
      target: DrsTarget;
      /** Jobs carrying all these tags belong to the batch (any attempt). */
      tags: Record<string, string>;
      /** Look at jobs created since then (ISO). */
      since: string;
      /** Also report active jobs holding any of these source servers (ConflictException follow-up). */
      holdingServerIds?: string[];
      /** TerminateRecoveryInstances takes no tags: its jobs are recognised by their recovery instances. */
      matchRecoveryInstanceIds?: string[];
    })
  | (EffectBase & {
      kind: "poll-jobs";
      target: DrsTarget;
      jobIds: string[];
      /** Log items already stored per job. */
      logCounts: Record<string, number>;
      /** Jobs whose log is due: the runner fetches and stores the new items (and always for completed jobs). */
      fetchLogsFor: string[];
    })
  | (EffectBase & {
      kind: "action-start";
      waveId: string;
      actionId: string;
      action: WaveAction;
      context: ActionContext;
    })
  | (EffectBase & {
      kind: "action-poll";
      waveId: string;
      actionId: string;
      action: WaveAction;
      context: ActionContext;
      handle: string;
    })
  | (EffectBase & { kind: "failback-resolve"; waveId: string; target: DrsTarget; sourceServerIds: string[] })
  | (EffectBase & {
      kind: "reverse-replication";
      waveId: string;
      target: DrsTarget;
      sourceServerId: string;
      recoveryInstanceId: string;
    })
  | (EffectBase & {
      kind: "check-source-servers";
      waveId: string;
      target: DrsTarget;
      sourceServerIds: string[];
    });

export type EffectKind = Effect["kind"];

export interface EffectError {
  kind: DrsErrorKind | "internal" | "action";
  message: string;
  retryable: boolean;
  ambiguous: boolean;
  resourceId?: string;
}

export type EffectValue =
  | { kind: "launch" | "failback-launch" | "terminate"; job: DrsJob }
  | { kind: "find-job"; job?: DrsJob; holders: DrsJob[] }
  | { kind: "find-instances"; instances: RecoveryInstance[] }
  /** Recovery instances of LAUNCHED participants of jobs that completed, fetched in the same effect. */
  | { kind: "poll-jobs"; jobs: DrsJob[]; logCounts: Record<string, number>; instances: RecoveryInstance[] }
  | { kind: "failback-resolve"; instances: RecoveryInstance[] }
  | { kind: "action-start" | "action-poll"; progress: ActionProgress }
  | { kind: "reverse-replication"; reversedSourceServerArn: string }
  | { kind: "check-source-servers"; servers: SourceServer[] };

export type Observation =
  | { type: "effect"; effect: Effect; ok: true; value: EffectValue }
  | { type: "effect"; effect: Effect; ok: false; error: EffectError }
  | { type: "command"; command: ExecutionCommand };

export interface StepResult {
  execution: Execution;
  effects: Effect[];
  events: NewExecutionEvent[];
}
