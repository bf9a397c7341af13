import type {
  ActionRun,
  BatchRun,
  Execution,
  ExecutionUsage,
  NewExecutionEvent,
  ServerRun,
  WaveRun,
} from "../domain/execution.js";
import { failurePolicy } from "./rules.js";
import type { Effect, StepContext } from "./types.js";

/**
 * One step's working state: the execution being advanced (owned by this step), the time and settings it runs
 * under, and what it produces (effects to run, events to append). Every engine module is a set of functions of
 * a Round; this class holds only state and the lookups they share.
 */
export class Round {
  readonly effects: Effect[] = [];
  readonly events: NewExecutionEvent[] = [];
  readonly now: number;
  /** In-flight DRS usage of this execution per `account/region`, kept current as batches launch. */
  usage: ExecutionUsage = {};
  readonly wasStatus: Execution["status"];
  /**
   * Servers by the batch that holds them, built on first use in a step and dropped (set to undefined) whenever a
   * server joins or leaves a batch: a job's participants are matched to servers one by one, and scanning every
   * server of the execution for each of them was quadratic in the plan's size (3,000 servers: seconds per step).
   */
  batchIndex: Map<string, ServerRun[]> | undefined;

  constructor(
    readonly e: Execution,
    readonly ctx: StepContext,
  ) {
    this.now = ctx.now;
    this.wasStatus = e.status;
  }

  /** A wave failed or timed out and its failure policy is abort: nothing new starts. */
  get aborting(): boolean {
    return this.e.waves.some((w) => failurePolicy(w) === "abort");
  }

  /**
   * The first failed wave waiting for a person (its onFailure is pause and nobody decided yet): nothing new starts
   * and the execution does not end until someone retries, skips or aborts it. A cancel overrides the wait.
   */
  get awaitingDecision(): WaveRun | undefined {
    if (this.e.cancelRequested) return undefined;
    return this.e.waves.find((w) => failurePolicy(w) === "pause");
  }

  event(type: string, message: string, data: Record<string, unknown> = {}, waveId?: string) {
    const event: NewExecutionEvent = { at: this.now, type, message, data };
    if (waveId !== undefined) event.waveId = waveId;
    this.events.push(event);
  }

  allBatches(): BatchRun[] {
    return [...this.e.waves.flatMap((w) => w.batches), ...(this.e.termination?.batches ?? [])];
  }

  allServers(): ServerRun[] {
    return this.e.waves.flatMap((w) => w.servers);
  }

  allActions(): ActionRun[] {
    return this.e.waves.flatMap((w) => w.actions);
  }

  findWave(waveId: string): WaveRun | undefined {
    return this.e.waves.find((w) => w.waveId === waveId);
  }

  findBatch(batchId: string): BatchRun | undefined {
    return this.allBatches().find((b) => b.batchId === batchId);
  }

  findBatchByJob(jobId: string): BatchRun | undefined {
    return this.allBatches().find((b) => b.jobId === jobId);
  }

  findAction(actionId: string): ActionRun | undefined {
    return this.allActions().find((a) => a.actionId === actionId);
  }

  /** The wave a batch belongs to (undefined for a termination batch). */
  scopeOf(b: BatchRun): string | undefined {
    return b.kind === "terminate" ? undefined : this.e.waves.find((w) => w.batches.includes(b))?.waveId;
  }

  serversOfBatch(b: BatchRun): ServerRun[] {
    if (!this.batchIndex) {
      this.batchIndex = new Map();
      for (const s of this.allServers()) {
        if (s.batchId === undefined) continue;
        const list = this.batchIndex.get(s.batchId);
        if (list) list.push(s);
        else this.batchIndex.set(s.batchId, [s]);
      }
    }
    return [...(this.batchIndex.get(b.batchId) ?? [])];
  }

  closeServer(s: ServerRun, status: "FAILED" | "CANCELLED" | "SKIPPED", why: string) {
    s.status = status;
    s.error = why;
  }

  failServer(s: ServerRun, why: string) {
    this.closeServer(s, "FAILED", why);
    if (s.failback) s.failback.phase = "failed";
    this.event("server.failed", `${s.hostname} (${s.sourceServerId}): ${why}`, {
      sourceServerId: s.sourceServerId,
    });
  }
}
