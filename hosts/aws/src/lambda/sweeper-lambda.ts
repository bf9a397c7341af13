import type { Clock } from "@drso/clock";
import type { Store } from "@drso/core";
import { silentTelemetry, type Telemetry } from "./telemetry.js";
import type { WorkflowDriver } from "./workflows.js";

export interface SweeperLambdaDeps {
  store: Store;
  clock: Clock;
  workflows: Pick<WorkflowDriver, "kick">;
  telemetry?: Telemetry;
  /** How overdue an execution must be before the sweeper suspects its workflow is gone. Default 3 minutes. */
  graceMs?: number;
  /** Plan readiness every readinessIntervalMinutes (issue 17); absent: not evaluated here. */
  readiness?: { sweepIfDue(options?: { untilMs?: number }): Promise<boolean> };
  /** How long a readiness sweep may start plans for (the function's timeout is 2 minutes). Default 80 s. */
  readinessBudgetMs?: number;
}

/**
 * Runs on a schedule (EventBridge, every 5 minutes). Any execution overdue by more than the grace period (its
 * wake-up passed and no Step has picked it up, or a command is waiting) gets a kick: its parked workflow is
 * signalled, or a workflow is started if it has none. This is what makes the AWS driver as self-healing as the
 * local loop: a failed StartExecution, a workflow stopped by hand or one that hit the one-year limit.
 */
export function createSweeperLambda(deps: SweeperLambdaDeps) {
  const telemetry = deps.telemetry ?? silentTelemetry;
  const graceMs = deps.graceMs ?? 3 * 60_000;
  return async function sweep(): Promise<{ checked: number; failed: number; readiness?: boolean }> {
    const ids = await deps.store.executions.listDue(deps.clock.now() - graceMs, 100);
    let failed = 0;
    for (const executionId of ids) {
      try {
        await deps.workflows.kick(executionId);
      } catch (error) {
        failed += 1;
        telemetry.error("sweeper could not drive an execution", { executionId, error: String(error) });
      }
    }
    telemetry.count("SweeperChecked", ids.length);
    if (ids.length > 0) telemetry.info("sweep", { checked: ids.length, failed });
    if (!deps.readiness) return { checked: ids.length, failed };
    let readiness = false;
    try {
      readiness = await deps.readiness.sweepIfDue({
        untilMs: deps.clock.now() + (deps.readinessBudgetMs ?? 80_000),
      });
    } catch (error) {
      telemetry.error("readiness sweep failed", { error: String(error) });
    }
    return { checked: ids.length, failed, readiness };
  };
}
