import { DEFAULT_ACTION_TIMEOUT_SECONDS } from "../domain/actions.js";
import type { DrsTarget } from "../domain/drs.js";
import type { ActionRun, WaveRun } from "../domain/execution.js";
import type { ActionContext, ActionProgress } from "../ports/action-runner.js";
import { formatHours } from "./failback-timeout.js";
import type { Round } from "./round.js";
import { describeAction, REISSUE_MS, waveOf } from "./rules.js";
import { backoffMs } from "./timing.js";
import type { Effect, EffectError, EffectValue } from "./types.js";

/**
 * Pre- and post-actions of a wave: waits, approvals (with their own deadline), SSM and HTTP actions
 * (issued with a stable idempotency key; a lost answer is re-issued with the same key, never blindly re-run).
 */

export function advanceActions(
  r: Round,
  w: WaveRun,
  phase: "pre" | "post",
): "done" | "pending" | "failed" | "cancelled" {
  for (const a of w.actions.filter((x) => x.phase === phase).sort((x, y) => x.index - y.index)) {
    if (a.status === "SUCCEEDED" || a.status === "SKIPPED") continue;
    if (a.status === "FAILED" || a.status === "CANCELLED") {
      if (a.action.optional) continue;
      return "failed";
    }
    if (r.e.cancelRequested) {
      finishAction(r, a, "CANCELLED", "execution cancelled");
      return "cancelled";
    }
    if (a.status === "PENDING") {
      startAction(r, w, a);
      return "pending";
    }
    if (a.status === "WAITING_APPROVAL") {
      if (a.deadlineAt !== undefined && r.now >= a.deadlineAt) {
        // Nobody decided: counts as rejected (an optional approval lets the wave go on), and says so.
        const within = formatHours(Math.round((a.deadlineAt - (a.startedAt ?? a.deadlineAt)) / 1000));
        finishAction(r, a, "FAILED", `approval timed out: no decision within ${within}`);
        r.event(
          "approval.timed-out",
          `${describeAction(a)} timed out: no decision within ${within}${a.action.optional ? " (optional: the wave goes on)" : ""}`,
          { actionId: a.actionId, optional: a.action.optional ?? false },
          w.waveId,
        );
        if (a.action.optional) continue;
        return "failed";
      }
      return "pending";
    }
    // RUNNING
    if (a.action.type === "wait") {
      if (a.deadlineAt !== undefined && r.now >= a.deadlineAt) {
        finishAction(r, a, "SUCCEEDED");
        continue;
      }
      return "pending";
    }
    if (a.deadlineAt !== undefined && r.now >= a.deadlineAt) {
      finishAction(
        r,
        a,
        "FAILED",
        `timed out after ${Math.round((a.deadlineAt - (a.startedAt ?? a.deadlineAt)) / 1000)} s`,
      );
      if (a.action.optional) continue;
      return "failed";
    }
    if (a.nextCheckAt === undefined || r.now >= a.nextCheckAt) issueAction(r, w, a);
    return "pending";
  }
  return "done";
}

export function startAction(r: Round, w: WaveRun, a: ActionRun) {
  a.startedAt = r.now;
  const timeout = (a.action.timeoutSeconds ?? DEFAULT_ACTION_TIMEOUT_SECONDS[a.action.type]) * 1000;
  switch (a.action.type) {
    case "wait":
      a.status = "RUNNING";
      a.deadlineAt = r.now + a.action.seconds * 1000;
      r.event(
        "action.started",
        `${describeAction(a)}: waiting ${a.action.seconds} s`,
        { actionId: a.actionId },
        w.waveId,
      );
      return;
    case "approval":
      a.status = "WAITING_APPROVAL";
      a.deadlineAt = r.now + timeout;
      r.event(
        "approval.requested",
        `${describeAction(a)} is waiting for approval${a.action.message ? `: ${a.action.message}` : ""}`,
        { actionId: a.actionId },
        w.waveId,
      );
      return;
    default:
      a.status = "RUNNING";
      a.deadlineAt = r.now + timeout;
      r.event("action.started", `${describeAction(a)} started`, { actionId: a.actionId }, w.waveId);
      issueAction(r, w, a);
  }
}

export function issueAction(r: Round, w: WaveRun, a: ActionRun) {
  if (a.awaiting !== undefined) {
    // The last attempt's answer never came. The re-issue carries the same idempotency key (HTTP
    // Idempotency-Key, SSM ClientToken / command comment), so a target that honours it does not run it twice.
    r.event(
      "action.reissued",
      `${describeAction(a)}: no answer to attempt ${a.awaiting} (restart or lost response); issuing it again with the same idempotency key`,
      { actionId: a.actionId, attempt: a.attempts + 1 },
      w.waveId,
    );
  }
  a.attempts += 1;
  a.awaiting = a.attempts;
  a.nextCheckAt = r.now + REISSUE_MS;
  const context = actionContext(r, w, a);
  if (a.handle !== undefined) {
    r.effects.push({
      kind: "action-poll",
      id: `action-poll:${a.actionId}:${a.attempts}`,
      waveId: w.waveId,
      actionId: a.actionId,
      action: a.action,
      context,
      handle: a.handle,
    });
  } else {
    r.effects.push({
      kind: "action-start",
      id: `action-start:${a.actionId}:${a.attempts}`,
      waveId: w.waveId,
      actionId: a.actionId,
      action: a.action,
      context,
    });
  }
}

export function actionContext(r: Round, w: WaveRun, a: ActionRun): ActionContext {
  const instances: Record<string, string[]> = {};
  const targets = new Map<string, DrsTarget>();
  for (const s of w.servers) {
    const key = `${s.accountId}/${s.region}`;
    targets.set(key, { accountId: s.accountId, region: s.region });
    if (s.ec2InstanceId && s.status === "LAUNCHED")
      instances[key] = [...(instances[key] ?? []), s.ec2InstanceId];
  }
  return {
    executionId: r.e.executionId,
    waveId: w.waveId,
    actionId: a.actionId,
    ...(a.reruns ? { rerun: a.reruns } : {}),
    executionType: r.e.executionType,
    targets: [...targets.values()],
    instances,
  };
}

export function actionProgress(r: Round, a: ActionRun, progress: ActionProgress) {
  if (progress.output !== undefined) a.output = progress.output.slice(0, 8192);
  if (progress.status === "SUCCEEDED") finishAction(r, a, "SUCCEEDED");
  else if (progress.status === "FAILED") finishAction(r, a, "FAILED", progress.error);
  else {
    if (progress.handle !== undefined) a.handle = progress.handle;
    a.nextCheckAt = r.now + Math.max(1000, progress.checkAfterMs);
  }
}

export function finishAction(
  r: Round,
  a: ActionRun,
  status: "SUCCEEDED" | "FAILED" | "CANCELLED",
  error?: string,
) {
  a.status = status;
  a.endedAt = r.now;
  delete a.nextCheckAt;
  if (error) a.error = error.slice(0, 2048);
  else delete a.error;
  if (status === "SUCCEEDED" && a.action.type !== "approval")
    r.event("action.succeeded", `${describeAction(a)} succeeded`, { actionId: a.actionId }, waveOf(a));
  if (status === "FAILED" && a.action.type !== "approval") {
    r.event(
      "action.failed",
      `${describeAction(a)} failed${a.action.optional ? " (optional, the wave continues)" : ""}: ${error ?? "unknown error"}`,
      { actionId: a.actionId, optional: a.action.optional ?? false },
      waveOf(a),
    );
  }
}

export function failedActionMessage(_r: Round, w: WaveRun, phase: "pre" | "post"): string {
  const a = w.actions.find(
    (x) => x.phase === phase && (x.status === "FAILED" || x.status === "CANCELLED") && !x.action.optional,
  );
  return a ? `${describeAction(a)}: ${a.error ?? a.status.toLowerCase()}` : "unknown";
}

export function observeActionProgress(
  r: Round,
  effect: Extract<Effect, { kind: "action-start" | "action-poll" }>,
  value: EffectValue,
) {
  const a = r.findAction(effect.actionId);
  if (a?.status !== "RUNNING" || !("progress" in value)) return;
  delete a.awaiting;
  actionProgress(r, a, value.progress);
}

export function observeActionError(
  r: Round,
  effect: Extract<Effect, { kind: "action-start" | "action-poll" }>,
  error: EffectError,
) {
  const a = r.findAction(effect.actionId);
  if (a?.status !== "RUNNING") return;
  delete a.awaiting;
  if (error.retryable) {
    a.nextCheckAt = r.now + backoffMs(a.attempts, a.actionId);
    a.error = error.message;
  } else {
    finishAction(r, a, "FAILED", error.message);
  }
}
