import type { WaveAction } from "../domain/actions.js";
import type { DrsTarget } from "../domain/drs.js";

export interface ActionContext {
  executionId: string;
  waveId: string;
  actionId: string;
  /** A wave retry re-runs the action: each re-run (1, 2, …) is a new run with its own idempotency key. */
  rerun?: number;
  executionType: string;
  /** Where the wave's servers live (SSM actions run there). */
  targets: DrsTarget[];
  /** EC2 instance IDs of the wave's recovered servers, by account/region key. */
  instances: Record<string, string[]>;
}

export type ActionProgress =
  | { status: "SUCCEEDED"; output?: string }
  | { status: "FAILED"; error: string; output?: string }
  | { status: "RUNNING"; handle?: string; output?: string; checkAfterMs: number };

/** Runs the actions that need I/O (http, ssm-*). wait and approval are handled by the engine itself. */
export interface ActionRunner {
  supports(type: WaveAction["type"]): boolean;
  start(action: WaveAction, context: ActionContext): Promise<ActionProgress>;
  poll(action: WaveAction, context: ActionContext, handle: string): Promise<ActionProgress>;
  /** Whether an SSM document exists where the wave's servers live (plan readiness); absent when not supported. */
  documentExists?(documentName: string, target: DrsTarget): Promise<boolean>;
}
