import type { Execution, WaveDecisionType, WaveRun } from "../domain/execution.js";
import { isTerminal } from "../domain/execution.js";
import { plural } from "../domain/text.js";
import type { Round } from "./round.js";
import { failurePolicy, IN_FLIGHT } from "./rules.js";
import { closeUnstarted, waveLaunchBudget } from "./waves.js";

/**
 * Run control (issue 17 item 4): a person retries a failed wave (only its failed servers launch again, under the
 * same exactly-once rules: new batches, new job tags), skips a wave that has not started (its dependants may then
 * start), or, for a wave whose onFailure is pause, decides what its failure means: retry, skip past it, or abort.
 */

/** Why a decision cannot be taken now (a stable code and words for a person), or undefined when it can. */
export interface WaveDecisionRefusal {
  code: "INVALID_STATE" | "WAVE_NOT_FOUND" | "WAVE_BUSY" | "RETRY_NOT_SUPPORTED";
  message: string;
}

export function waveDecisionRefusal(
  e: Execution,
  waveId: string,
  decision: WaveDecisionType,
): WaveDecisionRefusal | undefined {
  const w = e.waves.find((x) => x.waveId === waveId);
  if (!w) return { code: "WAVE_NOT_FOUND", message: `The execution has no wave ${waveId}.` };
  if (isTerminal(e.status)) return { code: "INVALID_STATE", message: `The execution is ${e.status}.` };
  if (e.cancelRequested) return { code: "INVALID_STATE", message: "The execution is being cancelled." };
  const aborting = e.waves.find((x) => failurePolicy(x) === "abort");
  if (aborting)
    return {
      code: "INVALID_STATE",
      message: `The execution is ending: wave '${aborting.name}' failed and ${aborting.decision?.decision === "abort" ? `${aborting.decision.by} aborted` : "its onFailure is abort"}.`,
    };
  const failed = w.status === "FAILED" || w.status === "TIMED_OUT";
  const awaiting = failurePolicy(w) === "pause";
  switch (decision) {
    case "retry": {
      if (!failed)
        return {
          code: "INVALID_STATE",
          message: `Only a failed or timed-out wave can be retried; wave '${w.name}' is ${w.status}.`,
        };
      if (e.executionType === "FAILBACK")
        return {
          code: "RETRY_NOT_SUPPORTED",
          message:
            "A failback wave cannot be retried: start a new FAILBACK for the servers that did not fail back.",
        };
      const live = w.batches.find((b) => IN_FLIGHT.has(b.status));
      if (live)
        return {
          code: "WAVE_BUSY",
          message: `${live.jobId ? `DRS job ${live.jobId}` : "A launch"} of wave '${w.name}' is still being followed to its end; retry once it has ended.`,
        };
      return undefined;
    }
    case "skip":
      if (w.status === "PENDING" || w.status === "WAITING" || awaiting) return undefined;
      return {
        code: "INVALID_STATE",
        message: failed
          ? `Wave '${w.name}' failed under onFailure ${w.onFailure}: only a failure waiting for a decision (onFailure pause) can be skipped.`
          : `Only a wave that has not started can be skipped; wave '${w.name}' is ${w.status}.`,
      };
    case "abort":
      if (awaiting) return undefined;
      return {
        code: "INVALID_STATE",
        message: `Wave '${w.name}' is not waiting for a decision about its failure; to stop the execution, cancel it.`,
      };
  }
}

export function decideWave(
  r: Round,
  c: { waveId: string; decision: WaveDecisionType; by: string; at: number; comment?: string },
): string | undefined {
  const refusal = waveDecisionRefusal(r.e, c.waveId, c.decision);
  if (refusal) return refusal.message;
  const w = r.findWave(c.waveId)!;
  const note = c.comment ? `: ${c.comment}` : "";
  w.decision = {
    decision: c.decision,
    by: c.by,
    at: c.at,
    fromStatus: w.status,
    ...(c.comment ? { comment: c.comment } : {}),
  };
  const data = { by: c.by, decision: c.decision, ...(c.comment ? { comment: c.comment } : {}) };
  if (c.decision === "retry") {
    const servers = retryWave(r, w);
    r.event(
      "wave.retried",
      `Wave '${w.name}' retried by ${c.by}${note}: ${servers > 0 ? `relaunching ${plural(servers, "server")} that did not launch` : "re-running its actions"}`,
      { ...data, servers, retry: w.retries },
      w.waveId,
    );
  } else if (c.decision === "skip" && (w.status === "PENDING" || w.status === "WAITING")) {
    closeUnstarted(r, w, "SKIPPED", `skipped by ${c.by}${note}`, data);
  } else if (c.decision === "skip") {
    r.event(
      "wave.failure-accepted",
      `${c.by} accepted the failure of wave '${w.name}'${note}: the execution goes on (waves that depend on it may start)`,
      data,
      w.waveId,
    );
  } else {
    r.event(
      "wave.aborted",
      `${c.by} aborted the execution after wave '${w.name}' failed${note}: waves not started are skipped`,
      data,
      w.waveId,
    );
  }
  return undefined;
}

/** Puts a failed wave back to work: its failed (and skipped) servers and unfinished actions start over. */
function retryWave(r: Round, w: WaveRun): number {
  w.retries = (w.retries ?? 0) + 1;
  let servers = 0;
  for (const s of w.servers) {
    if (s.status !== "FAILED" && s.status !== "SKIPPED" && s.status !== "CANCELLED") continue;
    s.status = "NOT_STARTED";
    s.retries = (s.retries ?? 0) + 1;
    for (const k of [
      "batchId",
      "jobId",
      "error",
      "recoveryInstanceId",
      "ec2InstanceId",
      "ec2State",
      "launchedAt",
    ] as const)
      delete s[k];
    servers += 1;
  }
  r.batchIndex = undefined;
  for (const a of w.actions) {
    if (a.status === "SUCCEEDED") continue;
    a.status = "PENDING";
    a.reruns = (a.reruns ?? 0) + 1;
    for (const k of [
      "awaiting",
      "handle",
      "output",
      "error",
      "startedAt",
      "endedAt",
      "deadlineAt",
      "nextCheckAt",
      "decision",
    ] as const)
      delete a[k];
  }
  w.status = "RUNNING";
  for (const k of ["endTime", "error", "deadlineCheckAt", "deadlineAt"] as const) delete w[k];
  if (w.actions.some((a) => a.phase === "pre" && a.status !== "SUCCEEDED")) w.phase = "pre-actions";
  else if (servers > 0) {
    w.phase = "launching";
    w.deadlineAt = r.now + waveLaunchBudget(r, w).seconds * 1000;
  } else w.phase = "post-actions";
  return servers;
}
