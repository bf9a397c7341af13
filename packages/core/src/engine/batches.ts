import type { DrsTarget } from "../domain/drs.js";
import type { BatchRun, ServerRun, WaveRun } from "../domain/execution.js";
import { toCancelled, toFailed, toPlanned } from "./batch-state.js";
import type { Round } from "./round.js";
import { describeBatch, SERVER_DONE } from "./rules.js";

/**
 * Planning a wave's batches (at most serversPerJob servers, one account/region each) and closing them.
 */

export function planBatches(r: Round, w: WaveRun) {
  const byTarget = new Map<string, ServerRun[]>();
  for (const s of w.servers) {
    if (s.status !== "NOT_STARTED") continue;
    const key = `${s.accountId}/${s.region}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), s]);
  }
  for (const servers of byTarget.values()) addBatches(r, w, servers, "recovery", servers[0]!);
}

export function addBatches(
  r: Round,
  w: WaveRun,
  servers: ServerRun[],
  kind: BatchRun["kind"],
  target: DrsTarget,
  ids?: (s: ServerRun) => { sourceServerId: string; recoveryInstanceId?: string },
) {
  const size = Math.max(1, r.ctx.settings.quotas.serversPerJob);
  for (let i = 0; i < servers.length; i += size) {
    const chunk = servers.slice(i, i + size);
    const batchId = `${w.waveId}-b${w.batches.length + 1}`;
    const mapped = chunk.map((s) => (ids ? ids(s) : { sourceServerId: s.sourceServerId }));
    const batch: BatchRun = {
      batchId,
      kind,
      accountId: target.accountId,
      region: target.region,
      sourceServerIds: mapped.map((m) => m.sourceServerId),
      status: "PLANNED",
      attempt: 0,
      logCount: 0,
      errorCount: 0,
    };
    if (kind === "failback-launch") batch.recoveryInstanceIds = mapped.map((m) => m.recoveryInstanceId!);
    w.batches.push(batch);
    for (const s of chunk) {
      s.batchId = batchId;
      r.batchIndex = undefined;
      if (s.status === "NOT_STARTED") s.status = "PENDING";
    }
  }
}

export function replan(r: Round, b: BatchRun, delayMs: number) {
  toPlanned(b, delayMs > 0 ? r.now + delayMs : undefined);
}

export function failBatch(r: Round, b: BatchRun, message: string) {
  toFailed(b, message);
  if (b.kind === "terminate") {
    for (const i of r.e.termination?.instances ?? []) {
      if (b.recoveryInstanceIds?.includes(i.recoveryInstanceId) && i.status !== "TERMINATED") {
        i.status = "FAILED";
        i.error = message;
      }
    }
  } else {
    for (const s of r.serversOfBatch(b)) if (!SERVER_DONE.has(s.status)) r.closeServer(s, "FAILED", message);
  }
  r.event("batch.failed", `${describeBatch(b)} failed: ${message}`, { batchId: b.batchId }, r.scopeOf(b));
}

export function closeBatch(r: Round, b: BatchRun) {
  toCancelled(b);
  for (const s of r.serversOfBatch(b))
    if (!SERVER_DONE.has(s.status)) r.closeServer(s, "CANCELLED", "execution cancelled before launch");
}

export function closeUnlaunched(r: Round, b: BatchRun, words: string) {
  const held = b.heldBy?.length ? ` (its servers were held by DRS job ${b.heldBy.join(", ")})` : "";
  toCancelled(b);
  for (const s of r.serversOfBatch(b))
    if (!SERVER_DONE.has(s.status))
      r.closeServer(s, "FAILED", `wave timed out after ${words} before this server was launched${held}`);
}
