import { closePauses, type Execution, isTerminal } from "../domain/execution.js";
import type { Round } from "./round.js";
import { failurePolicy, IN_FLIGHT, SERVER_DONE, waveOf } from "./rules.js";
import { IDLE_WAKE_MS } from "./timing.js";

/**
 * The execution as a whole: its status and pauses, its end, clock corrections, and when it is looked at
 * next (wakeAt).
 */

/** The earliest next look after a step that had nothing to do. */
const MIN_WAKE_MS = 1000;

/** Clock corrections smaller than this are ignored. */
const CLOCK_JUMP_TOLERANCE_MS = 5000;

/**
 * The clock went backwards (a host clock correction): every pending timer of this execution lies in the
 * "future" by the size of the jump and would stall it. Shift them back by the same amount; history stays.
 */
export function rebaseIfClockWentBack(r: Round) {
  const shift = r.now - r.e.updatedAt;
  if (shift > -CLOCK_JUMP_TOLERANCE_MS) return;
  const move = (t: number | undefined) => (t === undefined ? undefined : t + shift);
  const set = <T extends object, K extends keyof T>(o: T, k: K) => {
    const v = move(o[k] as number | undefined);
    if (v !== undefined) (o as Record<K, number>)[k] = v;
  };
  set(r.e, "wakeAt");
  set(r.e, "cleanupAt");
  for (const w of r.e.waves) {
    set(w, "deadlineAt");
    for (const a of w.actions) {
      set(a, "deadlineAt");
      set(a, "nextCheckAt");
    }
    for (const srv of w.servers) if (srv.failback) set(srv.failback, "nextCheckAt");
  }
  for (const b of r.allBatches()) {
    set(b, "nextPollAt");
    set(b, "notBefore");
    set(b, "intentAt");
    set(b, "nextLogAt");
    set(b, "submittedAt");
  }
  r.event(
    "clock.jumped",
    `The clock went back ${Math.round(-shift / 1000)} s; pending timers were moved back with it`,
    { shiftMs: shift },
  );
}

/** Keeps `pauses` in step with `pause`: a new record when the pause (or its cause) changes, closed when it ends. */
export function recordPause(r: Round) {
  const p = r.e.pause;
  const last = r.e.pauses?.at(-1);
  const open = last && last.to === undefined ? last : undefined;
  const same =
    open && p && open.reason === p.reason && open.waveId === p.waveId && open.actionId === p.actionId;
  if (same) return;
  if (open) open.to = Math.max(open.from, r.now);
  if (!p) return;
  r.e.pauses ??= [];
  r.e.pauses.push({
    reason: p.reason,
    ...(p.waveId ? { waveId: p.waveId } : {}),
    ...(p.actionId ? { actionId: p.actionId } : {}),
    ...(p.by ? { by: p.by } : {}),
    from: Math.min(p.since, r.now),
  });
}

export function updateStatus(r: Round) {
  if (isTerminal(r.e.status)) return;
  const waitingWave = r.e.waves.find((w) => w.status === "WAITING");
  const approval = r.allActions().find((a) => a.status === "WAITING_APPROVAL");
  const failed = r.awaitingDecision;
  let next: Execution["status"] = "RUNNING";
  delete r.e.pause;
  if (r.e.cancelRequested) next = "CANCELLING";
  else if (failed) {
    next = "PAUSED";
    r.e.pause = { reason: "failure", waveId: failed.waveId, since: failed.endTime ?? r.now };
  } else if (approval) {
    next = "PAUSED";
    r.e.pause = {
      reason: "approval",
      waveId: waveOf(approval),
      actionId: approval.actionId,
      since: approval.startedAt ?? r.now,
    };
  } else if (waitingWave) {
    next = "PAUSED";
    r.e.pause = { reason: "pauseBefore", waveId: waitingWave.waveId, since: r.now };
  } else if (r.e.pauseRequested) {
    next = "PAUSED";
    r.e.pause = { reason: "user", since: r.e.pauseRequested.at, by: r.e.pauseRequested.by };
  }
  recordPause(r);
  if (next === "PAUSED" && r.wasStatus !== "PAUSED") {
    r.event("execution.paused", `Execution paused (${pauseWords(r)})`, { reason: r.e.pause?.reason });
  }
  r.e.status = next;
}

function pauseWords(r: Round): string {
  const wave = r.findWave(r.e.pause?.waveId ?? "")?.name;
  switch (r.e.pause?.reason) {
    case "user":
      return `by ${r.e.pause.by}`;
    case "approval":
      return "awaiting approval";
    case "failure":
      return `wave '${wave}' failed: retry it, skip past it or abort`;
    default:
      return `before wave '${wave}'`;
  }
}

export function finish(r: Round) {
  const inFlight = r.allBatches().some((b) => b.kind !== "terminate" && IN_FLIGHT.has(b.status));
  if (inFlight) return;
  const status: Execution["status"] = r.e.cancelRequested ? "CANCELLED" : r.aborting ? "FAILED" : "COMPLETED";
  r.e.status = status;
  // The execution ended when its last wave (or the last DRS job it followed) did, which after an outage is
  // earlier than the moment the orchestrator noticed.
  const ends = r.e.waves.map((w) => w.endTime ?? r.now);
  for (const b of r.allBatches())
    if (b.kind !== "terminate" && b.jobEndedAt) ends.push(Date.parse(b.jobEndedAt));
  r.e.endTime = Math.min(r.now, Math.max(r.e.startTime, ...ends.filter(Number.isFinite)));
  delete r.e.pause;
  closePauses(r.e, r.now);
  delete r.e.pauseRequested;
  const servers = r.allServers();
  const launched = servers.filter((s) => s.status === "LAUNCHED").length;
  const failed = servers.filter((s) => s.status === "FAILED").length;
  const optional = servers.filter((s) => s.status === "FAILED" && s.impact === "OPTIONAL").length;
  const seconds = Math.round((r.e.endTime - r.e.startTime) / 1000);
  if (status === "FAILED") {
    const wave = r.e.waves.find((w) => failurePolicy(w) === "abort");
    const timedOut = wave?.status === "TIMED_OUT";
    const decided = wave?.decision?.decision === "abort" ? ` (aborted by ${wave.decision.by})` : "";
    r.e.error = {
      code: timedOut ? "WAVE_TIMED_OUT" : "WAVE_FAILED",
      message: `Wave '${wave?.name}' ${timedOut ? "timed out" : "failed"}${decided}: ${wave?.error ?? "unknown"}`,
    };
  }
  const rto = r.e.snapshot.plan.rtoSeconds;
  r.event(
    `execution.${status.toLowerCase()}`,
    `${r.e.executionType} ${status.toLowerCase()} in ${seconds} s: ${launched} launched, ${failed} failed${optional > 0 ? ` (${optional} optional)` : ""}${rto !== undefined ? ` (RTO target ${rto} s${status === "COMPLETED" ? (seconds <= rto ? ", met" : ", missed") : ""})` : ""}`,
    {
      launched,
      failed,
      optionalFailed: optional,
      seconds,
      ...(rto !== undefined ? { rtoTargetSeconds: rto } : {}),
    },
  );
  const ttlHours = r.e.drillTtlHours ?? r.ctx.settings.drillTtlHours;
  if (r.e.executionType === "DRILL" && launched > 0 && ttlHours > 0) {
    r.e.cleanupAt = r.now + ttlHours * 3_600_000;
  }
}

export function computeWake(r: Round) {
  const times: number[] = [];
  const add = (t: number | undefined) => {
    if (t !== undefined) times.push(Math.max(t, r.now));
  };
  const capacityRecheck = r.now + Math.max(5, r.ctx.settings.fastPollSeconds) * 1000;
  for (const b of r.allBatches()) {
    // An intent in flight: if the process dies before recording the result, a restart must resolve it now.
    if (b.status === "LAUNCHING") add(b.intentAt ?? r.now);
    if (b.status === "ACTIVE" || b.status === "UNKNOWN") add(b.nextPollAt ?? r.now);
    if (b.status === "PLANNED")
      add(b.notBefore !== undefined && b.notBefore > r.now ? b.notBefore : capacityRecheck);
  }
  for (const w of r.e.waves) {
    if (w.status !== "RUNNING") continue;
    add(w.deadlineAt);
    for (const s of w.servers) {
      const f = s.failback;
      if (
        f &&
        !SERVER_DONE.has(s.status) &&
        (f.phase === "resolve" ||
          f.phase === "reverse" ||
          f.phase === "replicating" ||
          f.phase === "waiting-client")
      )
        add(f.nextCheckAt);
    }
  }
  for (const a of r.allActions()) {
    if (a.status === "RUNNING") {
      add(a.nextCheckAt);
      add(a.deadlineAt);
    } else if (a.status === "WAITING_APPROVAL") add(a.deadlineAt);
  }
  if (isTerminal(r.e.status) && !r.e.termination && r.e.cleanupAt !== undefined) add(r.e.cleanupAt);
  const terminal = isTerminal(r.e.status) && r.e.termination?.status !== "RUNNING";
  if (times.length === 0 && !terminal && r.e.status !== "PAUSED") add(r.now + IDLE_WAKE_MS);
  if (times.length === 0) delete r.e.wakeAt;
  // A step without effects has acted on everything due now: a wake-up at "now" could only be a stale timer
  // (and would make a driver spin), so the next look is at least MIN_WAKE_MS away.
  else
    r.e.wakeAt =
      r.effects.length > 0 ? Math.min(...times) : Math.max(Math.min(...times), r.now + MIN_WAKE_MS);
}
