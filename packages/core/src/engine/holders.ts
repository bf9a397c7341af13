import type { DrsJob } from "../domain/drs.js";
import { plural } from "../domain/text.js";
import type { BatchIn } from "./batch-state.js";
import { replan } from "./batches.js";
import type { Round } from "./round.js";
import { describeBatch, TAG_EXECUTION } from "./rules.js";
import { hashUnit } from "./timing.js";

/**
 * Servers held by another DRS job (a drill being cancelled for a recovery, or a job started outside this
 * product): the batch waits for the holders to end, with exponential backoff and an event per change of holders.
 */

/** Waiting for another DRS job to release servers: look again after 5 s, doubling to at most a minute. */
const HELD_FIRST_BACKOFF_MS = 5000;
const HELD_MAX_BACKOFF_MS = 60_000;

/** A DRS job holding servers we need, in words: whose it is, as far as its tags tell. */
export function describeHolder(j: DrsJob): string {
  const kind =
    j.initiatedBy === "START_DRILL" ? "drill" : j.initiatedBy === "START_RECOVERY" ? "recovery" : "";
  const execution = j.tags[TAG_EXECUTION];
  return execution
    ? `DRS job ${j.jobId} (${kind ? `${kind} ` : ""}execution ${execution})`
    : `DRS job ${j.jobId} (${kind ? `a ${kind} ` : ""}not started by this orchestrator)`;
}

/**
 * After a ConflictException: another DRS job holds some of the batch's servers (a drill being cancelled for this
 * recovery, or a job someone started outside this product). Nothing of ours was launched; the batch waits for
 * the holders to end, looking again with exponential backoff (5 s … 60 s), until the wave's launch deadline.
 * The event names the jobs once per change of holders, not on every look.
 */
export function waitForHolders(r: Round, b: BatchIn<"UNKNOWN">, holders: DrsJob[]) {
  const held = new Set(holders.flatMap((j) => j.participants.map((p) => p.sourceServerId)));
  const free = b.sourceServerIds.filter((id) => !held.has(id));
  const w = b.kind === "recovery" ? r.e.waves.find((x) => x.batches.includes(b)) : undefined;
  if (w && free.length > 0 && free.length < b.sourceServerIds.length) {
    // Only some servers are held: they wait in a batch of their own, the others launch now.
    const waiting: BatchIn<"UNKNOWN"> = {
      ...structuredClone(b),
      batchId: `${w.waveId}-b${w.batches.length + 1}`,
      sourceServerIds: b.sourceServerIds.filter((id) => held.has(id)),
      attempt: 0,
      errorCount: 0,
      logCount: 0,
    };
    delete waiting.heldBy;
    delete waiting.heldChecks;
    w.batches.push(waiting);
    for (const s of r.serversOfBatch(b)) if (held.has(s.sourceServerId)) s.batchId = waiting.batchId;
    r.batchIndex = undefined;
    b.sourceServerIds = free;
    replan(r, b, 0);
    waitForHolders(r, waiting, holders);
    return;
  }
  const ids = [...new Set(holders.map((j) => j.jobId))].sort();
  const changed = b.heldBy?.join(",") !== ids.join(",");
  b.heldBy = ids;
  b.heldChecks = (b.heldChecks ?? 0) + 1;
  const delay = Math.min(HELD_MAX_BACKOFF_MS, HELD_FIRST_BACKOFF_MS * 2 ** Math.min(8, b.heldChecks - 1));
  b.nextPollAt = r.now + Math.round(delay * (0.75 + 0.25 * hashUnit(`${b.batchId}:${b.heldChecks}`)));
  b.lastError = `waiting for ${holders.map((j) => describeHolder(j)).join(", ")} to end`;
  if (!changed) return;
  const count = b.sourceServerIds.filter((id) => held.has(id)).length;
  r.event(
    "batch.held",
    `${describeBatch(b)}: ${plural(count, "server")} ${count === 1 ? "is" : "are"} in ${holders.map((j) => describeHolder(j)).join(", ")}; waiting for ${holders.length === 1 ? "it" : "them"} to end before launching (until the wave's launch deadline)`,
    { batchId: b.batchId, jobIds: ids },
    r.scopeOf(b),
  );
}
