import { type ExecutionStatus, isTerminal } from "./execution.js";

/**
 * When executions need a step: the due and active rules every store applies (memory and DynamoDB call these
 * functions; SQLite states the same rules in SQL, and the store contract checks that all of them agree).
 */

/** What the schedule rules read of an execution, whichever store holds it. */
export interface ScheduleRow {
  executionId: string;
  status: ExecutionStatus;
  wakeAt?: number | undefined;
  /** The newest command appended for it (0 when none). */
  lastCommandSeq: number;
  appliedCommandSeq: number;
  /** The lease's owner and expiry, when one was taken (an expired one may still be recorded). */
  lease?: { until: number } | undefined;
}

/** Listed by `listActive`: not ended, or ended with something still to do (a wake-up, e.g. drill cleanup). */
export function isActiveExecution(row: Pick<ScheduleRow, "status" | "wakeAt">): boolean {
  return !isTerminal(row.status) || row.wakeAt !== undefined;
}

/** Possibly due some time: active, or a command waits to be applied (what the stores index for `listDue`). */
export function maybeDue(row: Omit<ScheduleRow, "executionId" | "lease">): boolean {
  return isActiveExecution(row) || row.lastCommandSeq > row.appliedCommandSeq;
}

/**
 * When the execution is due at `now`: its wakeAt once passed, or — when a command waits — `min(wakeAt, now)`;
 * undefined when it is not due or someone holds a live lease on it (`until > now`).
 */
export function dueAt(row: ScheduleRow, now: number): number | undefined {
  if (row.lease !== undefined && row.lease.until > now) return undefined;
  if (row.lastCommandSeq > row.appliedCommandSeq) return Math.min(row.wakeAt ?? now, now);
  if (row.wakeAt !== undefined && row.wakeAt <= now) return row.wakeAt;
  return undefined;
}

/** `listDue`: the IDs of the executions due at `now`, oldest due time first (then by ID), at most `limit`. */
export function dueIds(rows: Iterable<ScheduleRow>, now: number, limit: number): string[] {
  const due: Array<{ id: string; at: number }> = [];
  for (const row of rows) {
    const at = dueAt(row, now);
    if (at !== undefined) due.push({ id: row.executionId, at });
  }
  due.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return due.slice(0, limit).map((d) => d.id);
}

/** `nextWakeAt`: the earliest wakeAt, a leased execution's no earlier than its lease's expiry. */
export function earliestWake(rows: Iterable<Pick<ScheduleRow, "wakeAt" | "lease">>): number | undefined {
  let earliest: number | undefined;
  for (const row of rows) {
    if (row.wakeAt === undefined) continue;
    const at = row.lease ? Math.max(row.wakeAt, row.lease.until) : row.wakeAt;
    if (earliest === undefined || at < earliest) earliest = at;
  }
  return earliest;
}
