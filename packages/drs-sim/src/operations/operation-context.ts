import type { SeededStream } from "../model/seeded-stream.js";
import type { Simulation } from "../model/simulation.js";
import { type ViewContext, viewContext } from "../model/wire-views.js";
import type { RegionState } from "../model/world.js";
import type { OperationName } from "../protocol/operations.js";

/** What the request log records about an operation's resources (spec §12). */
export interface RequestNote {
  sourceServerIDs?: string[];
  recoveryInstanceIDs?: string[];
  jobID?: string;
}

export class OperationContext {
  readonly note: RequestNote = {};

  constructor(
    readonly sim: Simulation,
    readonly operation: OperationName,
    readonly accountId: string,
    readonly regionName: string,
    /** Randomness for read-side knobs (stale reads), apart from the model's streams. */
    readonly reads: SeededStream,
  ) {}

  /** The caller's region if it has any state yet (reads never create one). */
  region(): RegionState | undefined {
    return this.sim.world.find(this.accountId, this.regionName);
  }

  /** The caller's region, created if needed (writes). */
  ensureRegion(): RegionState {
    return this.sim.region(this.accountId, this.regionName);
  }

  view(): ViewContext {
    return viewContext(this.sim);
  }

  /** Whether a resource created at `createdMs` is visible yet (`eventualConsistencyMs`). */
  visible(createdMs: number): boolean {
    return createdMs + this.sim.config.eventualConsistencyMs <= this.sim.now();
  }
}

export interface OperationInput {
  body: Record<string, unknown>;
  resourceArn?: string;
  tagKeys?: string[];
}

export type OperationHandler = (
  ctx: OperationContext,
  input: OperationInput,
) => Record<string, unknown> | undefined;
