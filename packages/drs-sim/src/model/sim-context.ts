import type { SimConfig } from "../faults/sim-config.js";
import type { Ec2InstanceState } from "./drs-enums.js";
import type { IdFactory } from "./ids.js";
import type { JobRecord, RecoveryInstanceRecord, SourceServerRecord } from "./records.js";
import type { Scheduler } from "./scheduler.js";
import type { SeededStream } from "./seeded-stream.js";
import type { SnapshotInfo } from "./snapshots.js";
import type { Distribution, TimingName } from "./timing.js";
import type { RegionState, World } from "./world.js";

/**
 * What the job kinds, replication and the other model files may use of the simulation. simulation.ts
 * implements it and dispatches steps to them; they import this module, never simulation.ts, so the model's
 * import graph has no circle (issue 19).
 */

export type LaunchPhase =
  | "begin"
  | "cleanupEnd"
  | "snapshotEnd"
  | "usingPreviousEnd"
  | "conversionEnd"
  | "launchEnd"
  | "silentFail";

/** Everything that happens by itself, as data (so it can be saved in the state file). */
export type Step =
  | { kind: "jobStart"; job: string }
  | { kind: "jobEnd"; job: string }
  | { kind: "jobCancel"; job: string; reason: "timeout" | "cancel" }
  | { kind: "launchPhase"; job: string; index: number; phase: LaunchPhase }
  | { kind: "launchActions"; job: string; index: number }
  | { kind: "terminatePhase"; job: string; index: number; phase: "begin" | "end" }
  | {
      kind: "failbackPhase";
      job: string;
      index: number;
      phase: "begin" | "converted" | "end";
      remainingMs?: number;
    }
  | { kind: "replication"; server: string; epoch: number }
  | { kind: "stall"; server: string }
  | { kind: "ec2"; instance: string; state: Ec2InstanceState }
  | { kind: "failbackReplication"; instance: string; epoch: number }
  | { kind: "failbackAutoConnect"; instance: string };

export interface SimContext {
  readonly config: SimConfig;
  readonly seed: number;
  readonly world: World;
  readonly ids: IdFactory;
  /** Injected failures and other chance outcomes. */
  readonly outcomes: SeededStream;
  readonly scheduler: Pick<Scheduler<Step>, "remove">;
  /** Simulator time; inside a scheduled step, that step's due time. */
  now(): number;
  nextJobSeq(): number;
  nextServerSeq(): number;
  schedule(at: number, step: Step): void;
  /** A phase duration from its knob or the §10.2 default, multiplied by `timeScale`. */
  duration(name: TimingName): number;
  sample(dist: Distribution): number;
  scaled(ms: number): number;
  /** The region's state, created on first use. */
  region(accountId: string, region: string): RegionState;
  snapshotsOf(server: SourceServerRecord, now?: number): SnapshotInfo[];
  /** Active (PENDING/STARTED) launch jobs of the server's region that include it. */
  activeJobsForServer(server: SourceServerRecord): JobRecord[];
  /** The active job that holds a recovery instance, if any. */
  activeJobForInstance(instance: RecoveryInstanceRecord): JobRecord | undefined;
}
