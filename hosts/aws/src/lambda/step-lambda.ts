import { createStepHandler, leaseRenewer, type StepHandlerDeps } from "@drso/app";
import type { Execution } from "@drso/core";
import {
  MAX_PARK_SECONDS,
  PARK_AFTER_SECONDS,
  type StepInput,
  type StepOutput,
} from "../state-machine/definition.js";
import { silentTelemetry, type Telemetry } from "./telemetry.js";
import { settled } from "./workflows.js";

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
): StepOutput {
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

  return async function step(input: StepInput): Promise<StepOutput> {
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
  };
}
