import { type ExecutionCommand, isTerminal } from "../domain/execution.js";
import { finishAction } from "./actions.js";
import type { Round } from "./round.js";
import { describeAction, waveOf } from "./rules.js";
import { decideWave } from "./run-control.js";
import { startTermination } from "./termination.js";

/**
 * Operator commands (pause, resume, cancel, approve, reject, wave decisions, terminate-instances), applied in order.
 */

export function command(r: Round, c: ExecutionCommand) {
  const terminal = isTerminal(r.e.status);
  const ignore = (why: string) =>
    r.event("command.ignored", `${c.type} by ${c.by} ignored: ${why}`, { command: c.type, seq: c.seq });
  switch (c.type) {
    case "pause":
      if (terminal || r.e.cancelRequested) return ignore(`the execution is ${r.e.status}`);
      if (r.e.pauseRequested) return ignore("already paused");
      r.e.pauseRequested = { by: c.by, at: c.at };
      r.event(
        "execution.pause-requested",
        `Pause requested by ${c.by}: no new wave will start until resumed; running waves finish`,
        { by: c.by },
      );
      return;
    case "resume": {
      if (terminal) return ignore(`the execution is ${r.e.status}`);
      const waiting = r.e.waves.filter((w) => w.status === "WAITING");
      if (!r.e.pauseRequested && waiting.length === 0) return ignore("the execution is not paused");
      delete r.e.pauseRequested;
      for (const w of waiting) {
        w.pauseCleared = true;
        w.status = "PENDING";
      }
      r.event("execution.resumed", `Resumed by ${c.by}`, { by: c.by });
      return;
    }
    case "cancel":
      if (terminal) return ignore(`the execution is ${r.e.status}`);
      if (r.e.cancelRequested) return ignore("already cancelling");
      r.e.cancelRequested = { by: c.by, at: c.at };
      r.event(
        "execution.cancelling",
        `Cancel requested by ${c.by}${c.reason ? ` (${c.reason})` : ""}: nothing new starts; DRS jobs already running are followed to their end`,
        {
          by: c.by,
          ...(c.reason ? { reason: c.reason } : {}),
          ...(c.forExecutionId ? { forExecutionId: c.forExecutionId } : {}),
        },
      );
      return;
    case "approve":
    case "reject": {
      const waiting = r
        .allActions()
        .filter((a) => a.status === "WAITING_APPROVAL" && (!c.actionId || a.actionId === c.actionId));
      const a = waiting[0];
      if (!a) return ignore(c.actionId ? `approval ${c.actionId} is not waiting` : "no approval is waiting");
      a.decision = {
        decision: c.type,
        by: c.by,
        at: new Date(c.at).toISOString(),
        ...(c.comment ? { comment: c.comment } : {}),
      };
      if (c.type === "approve") {
        finishAction(r, a, "SUCCEEDED");
        r.event(
          "approval.approved",
          `${describeAction(a)} approved by ${c.by}${c.comment ? `: ${c.comment}` : ""}`,
          { actionId: a.actionId, by: c.by },
          waveOf(a),
        );
      } else {
        finishAction(r, a, "FAILED", `rejected by ${c.by}${c.comment ? `: ${c.comment}` : ""}`);
        r.event(
          "approval.rejected",
          `${describeAction(a)} rejected by ${c.by}${c.comment ? `: ${c.comment}` : ""}`,
          { actionId: a.actionId, by: c.by },
          waveOf(a),
        );
      }
      return;
    }
    case "wave-decision": {
      const refused = decideWave(r, c);
      if (refused) return ignore(refused);
      return;
    }
    case "terminate-instances": {
      if (!terminal) return ignore("instances can be terminated once the execution has ended");
      startTermination(r, c.by, c.reason ?? "user");
      return;
    }
  }
}
