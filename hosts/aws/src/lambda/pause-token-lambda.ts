import type { Clock } from "@drso/clock";
import { PreconditionFailedError, type Store } from "@drso/core";
import type { PauseTokenInput } from "../state-machine/definition.js";
import { silentTelemetry, type Telemetry } from "./telemetry.js";
import type { WorkflowDriver } from "./workflows.js";

export interface PauseTokenLambdaDeps {
  store: Store;
  clock: Clock;
  workflows: Pick<WorkflowDriver, "sendSignal">;
  telemetry?: Telemetry;
}

/**
 * Invoked by the workflow's `.waitForTaskToken` state: stores the task token in the execution (optimistic save,
 * retried on a lost race), so that resume / approve / cancel / terminate-instances can complete the park.
 *
 * A command that arrived between the Step and the storing of the token would find no token and wake nothing, so
 * after storing it the handler looks again: a pending command or a wake-up already due completes the park itself.
 * (The API appends the command before it reads the token; this handler stores the token before it reads the
 * commands; with strongly consistent reads one of the two always sees the other. A double signal is harmless:
 * the second finds the token used.)
 */
export function createPauseTokenLambda(deps: PauseTokenLambdaDeps) {
  const telemetry = deps.telemetry ?? silentTelemetry;
  const { store, clock } = deps;

  return async function storeToken(
    input: PauseTokenInput,
  ): Promise<{ executionId: string; stored: boolean; signalled: boolean }> {
    const { executionId, taskToken } = input;
    if (typeof executionId !== "string" || typeof taskToken !== "string" || !taskToken)
      throw new TypeError("pause-token input needs executionId and taskToken");
    for (let attempt = 1; attempt <= 10; attempt++) {
      const execution = await store.executions.get(executionId);
      if (!execution) {
        // Deleted meanwhile: let the workflow step once more and end.
        const signalled = await deps.workflows.sendSignal(taskToken, executionId);
        return { executionId, stored: false, signalled };
      }
      try {
        await store.executions.save({ ...execution, taskToken }, execution.version);
      } catch (error) {
        if (error instanceof PreconditionFailedError) continue;
        throw error;
      }
      const pending =
        (await store.executions.commandsAfter(executionId, execution.appliedCommandSeq)).length > 0;
      const due = execution.wakeAt !== undefined && execution.wakeAt <= clock.now();
      telemetry.info("task token stored", { executionId, pending, due });
      if (pending || due) {
        const signalled = await deps.workflows.sendSignal(taskToken, executionId);
        return { executionId, stored: true, signalled };
      }
      return { executionId, stored: true, signalled: false };
    }
    throw new PreconditionFailedError(
      `Could not store the task token of execution ${executionId}: it keeps changing.`,
    );
  };
}
