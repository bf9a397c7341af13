import type { WaveRun } from "../domain/execution.js";
import { plural } from "../domain/text.js";
import { advanceActions, failedActionMessage, finishAction } from "./actions.js";
import { closeUnlaunched, failBatch, planBatches } from "./batches.js";
import { prepareFailback } from "./failback.js";
import { failbackWaitReason, launchBudget } from "./failback-timeout.js";
import { advanceBatch } from "./launch.js";
import type { Round } from "./round.js";
import { BATCH_DONE, IN_FLIGHT, isCritical, isHeld, SERVER_DONE, WAVE_DONE } from "./rules.js";

/**
 * A wave's life: dependencies and pauses before it starts, pre-actions, the launch under its deadline
 * (asking DRS once more at the deadline; a timed-out wave's jobs are followed to their end), post-actions, the end.
 */

/** How long the jobs of a timed-out wave are still followed to their end. */
const FOLLOW_AFTER_TIMEOUT_MS = 6 * 3_600_000;

/** At a wave's deadline DRS is asked once more; if it does not answer within this long, the wave times out. */
const DEADLINE_POLL_GRACE_MS = 60_000;

/** Returns true when the wave changed state in a way that may unblock others. */
export function advanceWave(r: Round, w: WaveRun): boolean {
  switch (w.status) {
    case "PENDING":
    case "WAITING": {
      if (r.e.cancelRequested) return closeUnstarted(r, w, "CANCELLED", "execution cancelled");
      if (r.aborting)
        return closeUnstarted(r, w, "SKIPPED", "an earlier wave failed and its onFailure is abort");
      if (w.status === "WAITING") return false;
      const deps = w.dependsOn.map((id) => r.findWave(id)).filter((d): d is WaveRun => d !== undefined);
      if (deps.some((d) => !WAVE_DONE.has(d.status))) return false;
      // A wave a person skipped does not hold its dependants back (that is what skipping it is for).
      const blocking = deps.find(
        (d) => (d.status === "SKIPPED" && d.decision?.decision !== "skip") || d.status === "CANCELLED",
      );
      if (blocking)
        return closeUnstarted(
          r,
          w,
          "SKIPPED",
          `wave '${blocking.name}' was ${blocking.status.toLowerCase()}`,
        );
      if (r.e.pauseRequested || r.awaitingDecision) return false;
      if (w.pauseBefore && !w.pauseCleared) {
        w.status = "WAITING";
        r.event("wave.waiting", `Paused before wave '${w.name}': resume to start it`, {}, w.waveId);
        return true;
      }
      w.status = "RUNNING";
      w.phase = "pre-actions";
      w.startTime = r.now;
      // The launch deadline starts with the launch: time people spend on pre-actions is not DRS's time.
      delete w.deadlineAt;
      r.event(
        "wave.started",
        `Wave '${w.name}' started: ${plural(w.servers.length, "server")}`,
        { servers: w.servers.length },
        w.waveId,
      );
      return true;
    }
    case "RUNNING":
      return advanceRunningWave(r, w);
    case "TIMED_OUT":
      followTimedOut(r, w);
      return false;
    default:
      return false;
  }
}

export function advanceRunningWave(r: Round, w: WaveRun): boolean {
  // The deadline bounds the launch (DRS's work); pre- and post-actions are bounded by their own timeouts.
  if (w.phase === "launching" && w.deadlineAt !== undefined && r.now >= w.deadlineAt) {
    if (awaitDeadlinePoll(r, w)) return false;
    // What DRS said at (or after) the deadline decides: launch work that has finished counts, even when the
    // orchestrator only noticed late (an outage); anything unfinished times the wave out.
    if (!launchSettled(r, w)) {
      timeoutWave(r, w);
      return true;
    }
  }
  if (w.phase === "pre-actions") {
    const pre = advanceActions(r, w, "pre");
    if (pre === "pending") return false;
    if (pre === "failed") {
      endWave(r, w, "FAILED", `pre-action failed: ${failedActionMessage(r, w, "pre")}`);
      for (const s of w.servers)
        if (s.status === "NOT_STARTED") r.closeServer(s, "SKIPPED", "pre-action failed");
      return true;
    }
    if (pre === "cancelled" || r.e.cancelRequested) {
      endWave(r, w, "CANCELLED", "execution cancelled");
      for (const s of w.servers)
        if (!SERVER_DONE.has(s.status)) r.closeServer(s, "CANCELLED", "execution cancelled");
      return true;
    }
    w.phase = "launching";
    w.deadlineAt = r.now + waveLaunchBudget(r, w).seconds * 1000;
    return true;
  }
  if (w.phase === "launching") {
    if (!advanceLaunching(r, w)) return false;
    const failed = w.servers.filter((s) => s.status === "FAILED");
    const critical = failed.filter(isCritical);
    if (r.e.cancelRequested) {
      endWave(r, w, "CANCELLED", "execution cancelled");
    } else if (critical.length > 0) {
      const optional = failed.length - critical.length;
      endWave(
        r,
        w,
        "FAILED",
        `${critical.length} of ${plural(w.servers.length, "server")} failed to launch${optional > 0 ? ` (and ${optional} optional)` : ""}`,
      );
    } else {
      if (failed.length > 0)
        r.event(
          "wave.optional-failures",
          `Wave '${w.name}': ${plural(failed.length, "optional server")} failed to launch (${failed.map((s) => s.hostname).join(", ")}); the wave goes on`,
          { servers: failed.map((s) => s.sourceServerId) },
          w.waveId,
        );
      w.phase = "post-actions";
    }
    return true;
  }
  const post = advanceActions(r, w, "post");
  if (post === "pending") return false;
  if (post === "failed") endWave(r, w, "FAILED", `post-action failed: ${failedActionMessage(r, w, "post")}`);
  else if (post === "cancelled" || r.e.cancelRequested) endWave(r, w, "CANCELLED", "execution cancelled");
  else endWave(r, w, "COMPLETED");
  return true;
}

/** How long the wave's launch may take: its timeout, plus (failback) the replication allowance. */
export function waveLaunchBudget(r: Round, w: WaveRun) {
  return launchBudget(r.e, w.waveId, r.ctx.settings);
}

/**
 * At the deadline, DRS is asked once more before anything is decided: each running job of the wave is polled
 * (unless it already was since the deadline). Returns true while that answer is awaited (bounded by
 * DEADLINE_POLL_GRACE_MS, so an unreachable DRS cannot hold the decision).
 */
export function awaitDeadlinePoll(r: Round, w: WaveRun): boolean {
  const deadline = w.deadlineAt ?? r.now;
  const unasked = w.batches.filter(
    (b) => b.status === "ACTIVE" && b.jobId && (b.lastPolledAt ?? Number.NEGATIVE_INFINITY) < deadline,
  );
  if (unasked.length === 0) return false;
  w.deadlineCheckAt ??= r.now;
  if (r.now - w.deadlineCheckAt >= DEADLINE_POLL_GRACE_MS) return false;
  for (const b of unasked) if (b.nextPollAt === undefined || b.nextPollAt > r.now) b.nextPollAt = r.now;
  return true;
}

/** Every batch of the wave has ended and every server has its outcome: nothing is left to launch or follow. */
export function launchSettled(_r: Round, w: WaveRun): boolean {
  return (
    w.batches.length > 0 &&
    w.batches.every((b) => BATCH_DONE.has(b.status)) &&
    w.servers.every((s) => SERVER_DONE.has(s.status))
  );
}

/**
 * The wave is TIMED_OUT: nothing new is launched for it, but DRS jobs already started are followed to their end
 * (as cancel does), so every recovery instance they launch is recorded and can be terminated.
 */
export function timeoutWave(r: Round, w: WaveRun) {
  const { seconds, words } = waveLaunchBudget(r, w);
  for (const a of w.actions)
    if (a.status === "RUNNING" || a.status === "WAITING_APPROVAL" || a.status === "PENDING")
      finishAction(r, a, "CANCELLED", "wave timed out");
  const followed = new Set<string>();
  for (const b of w.batches) {
    if (b.status === "PLANNED" || isHeld(b)) closeUnlaunched(r, b, words);
    else if (IN_FLIGHT.has(b.status)) {
      followed.add(b.batchId);
      b.lastError = `the wave timed out while ${b.jobId ? `DRS job ${b.jobId} was still running` : "the launch was unresolved"}; following it to its end`;
    }
  }
  // A failback that cannot progress names each server and what it waited for.
  const stuck: string[] = [];
  for (const s of w.servers) {
    if (SERVER_DONE.has(s.status)) continue;
    if (s.batchId && followed.has(s.batchId)) {
      s.error = `the wave timed out after ${words} while DRS was launching this server; following its job to the end`;
      continue;
    }
    const waiting = failbackWaitReason(s);
    if (waiting) stuck.push(waiting);
    r.closeServer(s, "FAILED", `wave timed out after ${words}${waiting ? `: ${waiting}` : ""}`);
    if (s.failback) s.failback.phase = "failed";
  }
  const live = followed.size > 0 ? `; following ${plural(followed.size, "DRS job")} to the end` : "";
  endWave(
    r,
    w,
    "TIMED_OUT",
    `timed out after ${words}${stuck.length ? ` (${stuck.join("; ")})` : ""}${live}`,
    { timeoutSeconds: seconds, followedJobs: followed.size },
  );
}

/**
 * A timed-out wave: lookups of unresolved launches go on; a launch that would start again is closed instead.
 * Nothing waits forever: a DRS job still running FOLLOW_AFTER_TIMEOUT_MS after the timeout is no longer followed
 * (its servers fail with the job named, so the operator can check it in DRS).
 */
export function followTimedOut(r: Round, w: WaveRun) {
  const { words } = waveLaunchBudget(r, w);
  const giveUp = r.now >= (w.endTime ?? r.now) + FOLLOW_AFTER_TIMEOUT_MS;
  for (const b of w.batches) {
    if (b.status === "PLANNED" || isHeld(b)) closeUnlaunched(r, b, words);
    else if (giveUp && IN_FLIGHT.has(b.status))
      failBatch(
        r,
        b,
        `${b.jobId ? `DRS job ${b.jobId}` : "the launch"} had not ended ${FOLLOW_AFTER_TIMEOUT_MS / 3_600_000} h after the wave timed out and is no longer followed: check it in DRS and terminate what it launched there`,
      );
    else if (b.status === "UNKNOWN") advanceBatch(r, b, w.waveId);
  }
}

export function closeUnstarted(
  r: Round,
  w: WaveRun,
  status: "CANCELLED" | "SKIPPED",
  why: string,
  data: Record<string, unknown> = {},
): boolean {
  w.status = status;
  w.error = why;
  for (const s of w.servers) r.closeServer(s, status, why);
  for (const a of w.actions)
    if (a.status === "PENDING") a.status = status === "SKIPPED" ? "SKIPPED" : "CANCELLED";
  r.event(`wave.${status.toLowerCase()}`, `Wave '${w.name}' ${status.toLowerCase()}: ${why}`, data, w.waveId);
  return true;
}

export function endWave(
  r: Round,
  w: WaveRun,
  status: "COMPLETED" | "FAILED" | "CANCELLED" | "TIMED_OUT",
  why?: string,
  data: Record<string, unknown> = {},
) {
  w.status = status;
  w.endTime = r.now;
  // Without post-actions the wave ended when DRS's last job did: after an outage that is earlier than now.
  const drsEnd = drsEndOf(r, w);
  if (status === "COMPLETED" && drsEnd !== undefined && !w.actions.some((a) => a.phase === "post"))
    w.endTime = Math.min(r.now, Math.max(w.startTime ?? drsEnd, drsEnd));
  delete w.phase;
  if (why) w.error = why;
  for (const a of w.actions)
    if (a.status === "PENDING")
      a.status = status === "COMPLETED" ? "SKIPPED" : status === "CANCELLED" ? "CANCELLED" : "SKIPPED";
  const launched = w.servers.filter((s) => s.status === "LAUNCHED").length;
  const seconds = Math.round((w.endTime - (w.startTime ?? w.endTime)) / 1000);
  const word = status.toLowerCase().replace("_", " ");
  r.event(
    `wave.${status.toLowerCase().replace("_", "-")}`,
    `Wave '${w.name}' ${word} after ${seconds} s: ${launched}/${w.servers.length} launched${why ? ` (${why})` : ""}`,
    { launched, servers: w.servers.length, seconds, onFailure: w.onFailure, ...data },
    w.waveId,
  );
}

/** When DRS ended the wave's last launch job (its own clock), if every job reported an end time. */
export function drsEndOf(_r: Round, w: WaveRun): number | undefined {
  const ends = w.batches
    .filter((b) => b.status === "DONE")
    .map((b) => (b.jobEndedAt ? Date.parse(b.jobEndedAt) : Number.NaN));
  if (ends.length === 0 || ends.some((t) => Number.isNaN(t))) return undefined;
  return Math.max(...ends);
}

/** Returns true when every server of the wave has an outcome and nothing is in flight. */
export function advanceLaunching(r: Round, w: WaveRun): boolean {
  if (r.e.executionType === "FAILBACK") prepareFailback(r, w);
  // Servers not in a batch yet: all of them at the wave's start, the failed ones again after a retry.
  else if (w.servers.some((s) => s.status === "NOT_STARTED")) planBatches(r, w);
  for (const b of w.batches) advanceBatch(r, b, w.waveId);
  const settled = w.batches.every((b) => BATCH_DONE.has(b.status));
  if (!settled) return false;
  if (r.e.cancelRequested) {
    for (const s of w.servers)
      if (!SERVER_DONE.has(s.status)) r.closeServer(s, "CANCELLED", "execution cancelled");
  }
  return w.servers.every((s) => SERVER_DONE.has(s.status));
}
