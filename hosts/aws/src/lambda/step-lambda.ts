import { createStepHandler, leaseRenewer, type StepHandlerDeps } from "@drso/app";
import type { Execution } from "@drso/core";
import {
  HAND_OVER_EVENTS,
  MAX_PARK_SECONDS,
  PARK_AFTER_SECONDS,
  roundEvents,
  type StepInput,
  type StepOutput,
} from "../state-machine/definition.js";
import { silentTelemetry, type Telemetry } from "./telemetry.js";
import { settled, workflowName } from "./workflows.js";

export interface StepLambdaDeps {
  /** Everything the engine's step handler needs (store, DRS, clock, actions, notifier). */
  engine: Omit<StepHandlerDeps, "beforeRound">;
  telemetry?: Telemetry;
  /** Lease held while stepping (longer than the Lambda timeout). Default 6 minutes. */
  leaseMs?: number;
  /** Seconds after which a wait parks on a task token instead of a Wait state. */
  parkAfterSeconds?: number;
  maxParkSeconds?: number;
  /** Seconds to wait when another workflow holds the execution's lease. */
  busyRetrySeconds?: number;
  /** Counted history events after which the workflow hands over to a new one (default HAND_OVER_EVENTS). */
  handOverEvents?: number;
}

type Move = Omit<StepOutput, "events" | "handOver" | "nextWorkflow">;

/** `<id>` → `<id>-h1`, `<id>-h1` → `<id>-h2`, `<id>-v7` → `<id>-v7-h1` … (the execution's next workflow). */
export function nextWorkflowName(executionId: string, current: string | undefined): string {
  const base = current && current.length > 0 ? current : workflowName(executionId);
  const m = /^(.*)-h(\d+)$/.exec(base);
  const next = m ? `${m[1]}-h${Number(m[2]) + 1}` : `${base}-h1`;
  // Step Functions names are at most 80 characters: keep the execution prefix, shorten the rest.
  return next.length <= 80 ? next : workflowName(executionId, `h${Date.now().toString(36)}`);
}

/**
 * Adds the round's history events to the workflow's count and decides the hand-over: once the count reaches
 * the budget, a non-terminal move becomes "start the next workflow and end this one".
 */
export function withHistoryBudget(move: Move, input: StepInput, budget: number): StepOutput {
  const events =
    (typeof input.events === "number" ? input.events : 0) +
    roundEvents(typeof input.retryCount === "number" ? input.retryCount : 0, move.waitForSignal);
  const handOver = !move.terminal && events >= budget;
  return {
    ...move,
    events,
    handOver,
    ...(handOver ? { nextWorkflow: nextWorkflowName(input.executionId, input.workflow) } : {}),
  };
}

/**
 * What the workflow does next, from the execution after a step:
 *   terminal        nothing left to drive (terminal status, no wake-up: no drill cleanup pending)
 *   Wait n          the next wake-up is within `parkAfterSeconds`
 *   WaitForSignal   nothing scheduled (a pause), or the next wake-up is far (an approval deadline, a drill's
 *                   cleanup time): park on a task token, interruptible by any command, timing out at the wake-up.
 * An unapplied command (one that arrived while stepping) means step again at once.
 */
export function nextMove(
  execution: Pick<Execution, "executionId" | "status" | "wakeAt">,
  now: number,
  pendingCommands: boolean,
  limits: { parkAfterSeconds: number; maxParkSeconds: number },
): Move {
  const base = { executionId: execution.executionId, status: execution.status };
  if (pendingCommands) return { ...base, terminal: false, waitSeconds: 0, waitForSignal: false };
  if (settled(execution)) return { ...base, terminal: true, waitSeconds: 0, waitForSignal: false };
  if (execution.wakeAt === undefined)
    return { ...base, terminal: false, waitSeconds: limits.maxParkSeconds, waitForSignal: true };
  const seconds = Math.max(0, Math.ceil((execution.wakeAt - now) / 1000));
  if (seconds > limits.parkAfterSeconds)
    return {
      ...base,
      terminal: false,
      waitSeconds: Math.min(seconds, limits.maxParkSeconds),
      waitForSignal: true,
    };
  return { ...base, terminal: false, waitSeconds: seconds, waitForSignal: false };
}

/**
 * The Step Lambda: `{executionId}` → the engine's step handler (the same function the local driver calls),
 * holding the execution's lease for the duration so that two workflows never step one execution at once →
 * what the workflow should do next.
 */
export function createStepLambda(deps: StepLambdaDeps) {
  const telemetry = deps.telemetry ?? silentTelemetry;
  const { store, clock } = deps.engine;
  const leaseMs = deps.leaseMs ?? 6 * 60_000;
  const limits = {
    parkAfterSeconds: deps.parkAfterSeconds ?? PARK_AFTER_SECONDS,
    maxParkSeconds: deps.maxParkSeconds ?? MAX_PARK_SECONDS,
  };
  const busyRetrySeconds = deps.busyRetrySeconds ?? 5;
  const budget = deps.handOverEvents ?? HAND_OVER_EVENTS;

  return async function step(input: StepInput): Promise<StepOutput> {
    const move = await stepOnce(input);
    const out = withHistoryBudget(move, input, budget);
    if (out.handOver) {
      telemetry.count("WorkflowHandOvers");
      telemetry.info("history budget used: handing over", {
        executionId: input.executionId,
        events: out.events,
        nextWorkflow: out.nextWorkflow,
      });
    }
    return out;
  };

  async function stepOnce(input: StepInput): Promise<Move> {
    const { executionId } = input;
    if (typeof executionId !== "string" || executionId.length === 0)
      throw new TypeError("Step input needs an executionId");
    const owner = `sfn:${input.workflow ?? "unknown"}`;
    if (!(await store.executions.acquireLease(executionId, owner, clock.now(), leaseMs))) {
      const current = await store.executions.get(executionId);
      if (!current)
        return { executionId, status: "DELETED", terminal: true, waitSeconds: 0, waitForSignal: false };
      telemetry.info("execution leased by another driver; waiting", { executionId, owner });
      return {
        executionId,
        status: current.status,
        terminal: false,
        waitSeconds: busyRetrySeconds,
        waitForSignal: false,
      };
    }
    try {
      const stepExecution = createStepHandler({
        ...deps.engine,
        beforeRound: leaseRenewer(store, clock, owner, leaseMs),
      });
      const { execution, rounds } = await stepExecution(executionId).catch((error: unknown) => {
        telemetry.count("StepFailures");
        telemetry.error("step failed", {
          executionId,
          error: error instanceof Error ? error.stack : String(error),
        });
        throw error;
      });
      telemetry.count("StepRounds", rounds);
      if (!execution)
        return { executionId, status: "DELETED", terminal: true, waitSeconds: 0, waitForSignal: false };
      const pending =
        (await store.executions.commandsAfter(executionId, execution.appliedCommandSeq)).length > 0;
      const move = nextMove(execution, clock.now(), pending, limits);
      telemetry.info("stepped", { rounds, ...move });
      return move;
    } finally {
      await store.executions
        .releaseLease(executionId, owner)
        .catch((error: unknown) =>
          telemetry.warn("lease release failed", { executionId, error: String(error) }),
        );
    }
  }
}
