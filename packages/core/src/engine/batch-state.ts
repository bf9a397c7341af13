import type { BatchRun, BatchStatus } from "../domain/execution.js";

export type BatchIn<S extends BatchStatus> = Extract<BatchRun, { status: S }>;

/** The fields only some statuses carry (see BatchRun): which ones each status keeps when a batch enters it. */
const KEEPS: Record<BatchStatus, ReadonlySet<string>> = {
  PLANNED: new Set(["notBefore"]),
  LAUNCHING: new Set(),
  UNKNOWN: new Set(["nextPollAt", "conflict", "heldBy", "heldChecks"]),
  ACTIVE: new Set(["jobId", "nextPollAt"]),
  DONE: new Set(["jobId"]),
  FAILED: new Set(["jobId"]),
  CANCELLED: new Set(["jobId"]),
};
const STATE_FIELDS = ["notBefore", "nextPollAt", "conflict", "heldBy", "heldChecks", "jobId"] as const;

/**
 * The one way a batch changes status: the fields the new status requires are given, and those it does not allow
 * (a PLANNED batch's backoff, an UNKNOWN one's holders, a job id before there is a job) are dropped, so no batch is
 * ever stored in a state that mixes two. The transitions the engine makes are the functions below.
 */
function move<S extends BatchStatus>(b: BatchRun, status: S, fields: Partial<BatchIn<S>>): BatchIn<S> {
  const keeps = KEEPS[status];
  const o = b as unknown as Record<string, unknown>;
  for (const f of STATE_FIELDS) if (!keeps.has(f)) delete o[f];
  Object.assign(o, fields, { status });
  return b as BatchIn<S>;
}

/** Back to PLANNED (retry, or launch again once a lookup found no job): optionally not before `notBefore`. */
export function toPlanned(b: BatchRun, notBefore?: number): BatchIn<"PLANNED"> {
  return move(b, "PLANNED", notBefore === undefined ? {} : { notBefore });
}

/** The launch intent, recorded (and saved) before the DRS call. */
export function toLaunching(b: BatchRun, intentAt: number): BatchIn<"LAUNCHING"> {
  return move(b, "LAUNCHING", { intentAt, attempt: b.attempt + 1 });
}

/** The outcome of the last launch is not known (lost result, ambiguous error, conflict): look the job up. */
export function toUnknown(b: BatchIn<"LAUNCHING">, conflict: boolean): BatchIn<"UNKNOWN"> {
  return move(b, "UNKNOWN", conflict ? { conflict: true } : {});
}

export function toActive(b: BatchRun, jobId: string, submittedAt: number): BatchIn<"ACTIVE"> {
  return move(b, "ACTIVE", { jobId, submittedAt });
}

export function toDone(b: BatchIn<"ACTIVE">, completedAt: number): BatchIn<"DONE"> {
  return move(b, "DONE", { completedAt });
}

export function toFailed(b: BatchRun, lastError: string): BatchIn<"FAILED"> {
  return move(b, "FAILED", { lastError });
}

export function toCancelled(b: BatchRun): BatchIn<"CANCELLED"> {
  return move(b, "CANCELLED", {});
}
