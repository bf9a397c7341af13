import type { ActionRun, BatchRun, ServerRun, WaveRun } from "../domain/execution.js";
import type { OnFailure } from "../domain/recovery-plan.js";

/**
 * Shared vocabulary of the engine: job tags, status sets, and how batches and actions are named in events.
 */

/** A lost effect result is re-requested after this long. */
export const REISSUE_MS = 30_000;

/** The scope (in place of a wave id) of termination batches. */
export const TERMINATION_SCOPE = "termination";

export const SERVER_DONE: ReadonlySet<ServerRun["status"]> = new Set([
  "LAUNCHED",
  "FAILED",
  "CANCELLED",
  "SKIPPED",
  "TERMINATED",
]);

export const WAVE_DONE: ReadonlySet<WaveRun["status"]> = new Set([
  "COMPLETED",
  "FAILED",
  "TIMED_OUT",
  "SKIPPED",
  "CANCELLED",
]);

export const BATCH_DONE: ReadonlySet<BatchRun["status"]> = new Set(["DONE", "FAILED", "CANCELLED"]);

export const IN_FLIGHT: ReadonlySet<BatchRun["status"]> = new Set(["LAUNCHING", "UNKNOWN", "ACTIVE"]);

/** Tags written on every DRS job the engine starts: how a job is found again after a crash. */
export const TAG_EXECUTION = "drso:execution";
export const TAG_BATCH = "drso:batch";
export const TAG_WAVE = "drso:wave";
export const TAG_ATTEMPT = "drso:attempt";
export const TAG_TYPE = "drso:type";

/**
 * What a failed (or timed-out) wave's failure does now: its onFailure, unless a person decided (`skip` accepts the
 * failure and lets the others go on, `abort` ends the execution; `retry` restarted the wave, so a new failure
 * follows onFailure again). Undefined while the wave has not failed.
 */
export function failurePolicy(w: WaveRun): OnFailure | undefined {
  if (w.status !== "FAILED" && w.status !== "TIMED_OUT") return undefined;
  if (w.decision?.decision === "abort") return "abort";
  if (w.decision?.decision === "skip") return "continue";
  return w.onFailure;
}

/** A server whose failure fails its wave (every server but an OPTIONAL one). */
export function isCritical(s: ServerRun): boolean {
  return s.impact !== "OPTIONAL";
}

export function describeBatch(b: BatchRun): string {
  const n = b.recoveryInstanceIds?.length ?? b.sourceServerIds.length;
  const what = b.kind === "terminate" ? "termination" : b.kind === "failback-launch" ? "failback" : "launch";
  return `${what} batch ${b.batchId} (${n} server${n === 1 ? "" : "s"}, ${b.accountId}/${b.region})`;
}

/** Waiting for another job to release its servers: the last launch was refused, nothing of ours is running. */
export function isHeld(b: BatchRun): boolean {
  return b.status === "UNKNOWN" && b.conflict === true && (b.heldBy?.length ?? 0) > 0;
}

export function describeAction(a: ActionRun): string {
  return `${a.phase === "pre" ? "Pre" : "Post"}-action ${a.index + 1} (${a.action.name ?? a.action.type})`;
}

export function waveOf(a: ActionRun): string {
  return a.actionId.split(".")[0]!;
}
