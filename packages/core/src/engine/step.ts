import { type Execution, isTerminal, usageOf } from "../domain/execution.js";
import { computeWake, finish, rebaseIfClockWentBack, updateStatus } from "./lifecycle.js";
import { apply } from "./observations.js";
import { Round } from "./round.js";
import { WAVE_DONE } from "./rules.js";
import { advanceTermination, startTermination } from "./termination.js";
import { emitPolls } from "./tracking.js";
import type { Observation, StepContext, StepResult } from "./types.js";
import { advanceWave } from "./waves.js";

export { parseSourceServerArn } from "./failback.js";
export { launchEffectId } from "./launch.js";
export { TAG_ATTEMPT, TAG_BATCH, TAG_EXECUTION, TAG_TYPE, TAG_WAVE } from "./rules.js";
export { hasInstancesToTerminate, recordedInstancesToTerminate } from "./termination.js";

/**
 * The reconciler: a pure function from (state, observations, time) to (next state, effects, events).
 * See types.ts and DESIGN §4. Nothing here performs I/O, reads a clock or draws a random number.
 *
 * The engine by concern (each module a set of functions of one Round, round.ts):
 * - observations.ts: effect results and lost intents; commands.ts: pause, resume, cancel, approve, terminate
 * - waves.ts: a wave's life (dependencies, pauses, deadline, timeout); actions.ts: pre-/post-actions, approvals
 * - batches.ts: planning batches and closing them; launch.ts: the exactly-once launch (intent, lookup by tags)
 * - holders.ts: servers held by another DRS job; tracking.ts: following DRS jobs (polls, participants)
 * - failback.ts: reverse replication and failback launches; termination.ts: terminating recovery instances
 * - lifecycle.ts: execution status, pauses, the end, clock jumps and the next wake-up
 */
export function step(current: Execution, observations: readonly Observation[], ctx: StepContext): StepResult {
  const r = new Round(ctx.handOver ? current : structuredClone(current), ctx);
  rebaseIfClockWentBack(r);
  apply(r, observations);
  progress(r);
  return result(r);
}

function progress(r: Round) {
  r.usage = usageOf(r.e);
  if (r.e.status === "PENDING") {
    r.e.status = "RUNNING";
    r.event("execution.started", `${r.e.executionType} of '${r.e.planName}' started`, {
      executionType: r.e.executionType,
    });
  }
  if (!isTerminal(r.e.status)) {
    for (let pass = 0; pass < r.e.waves.length + 2; pass++) {
      let changed = false;
      for (const w of r.e.waves) if (advanceWave(r, w)) changed = true;
      if (!changed) break;
    }
    updateStatus(r);
    if (r.e.waves.every((w) => WAVE_DONE.has(w.status)) && !r.awaitingDecision) finish(r);
  }
  if (isTerminal(r.e.status) && r.e.cleanupAt !== undefined && !r.e.termination && r.now >= r.e.cleanupAt) {
    startTermination(r, "system", "drill-ttl");
  }
  advanceTermination(r);
  emitPolls(r);
  computeWake(r);
}

function result(r: Round): StepResult {
  r.e.updatedAt = r.now;
  return { execution: r.e, effects: r.effects, events: r.events };
}
