import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import type { EngineSignal } from "@drso/app";
import { type Execution, isTerminal, type Store } from "@drso/core";
import { silentTelemetry, type Telemetry } from "./telemetry.js";

/** The Step Functions calls the driver makes; an `SFNClient` (or a fake that feeds the local interpreter). */
export type StepFunctionsClient = Pick<SFNClient, "send">;

/** Errors that mean "this task token is no longer waiting" (already used, timed out, workflow closed). */
const STALE_TOKEN_ERRORS = new Set(["TaskDoesNotExist", "TaskTimedOut", "InvalidToken"]);

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? "Error";
}

export function isStaleTokenError(error: unknown): boolean {
  return STALE_TOKEN_ERRORS.has(errorName(error));
}

/** `arn:aws:states:r:a:stateMachine:Name` → `arn:aws:states:r:a:execution:Name:<name>`. */
export function executionArn(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(":");
  if (parts.length < 7 || parts[5] !== "stateMachine")
    throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  return [...parts.slice(0, 5), "execution", parts[6], name].join(":");
}

/** Step Functions execution names: 1-80 of [A-Za-z0-9_-]; execution IDs are UUIDs. */
export function workflowName(executionId: string, suffix?: string): string {
  const base = executionId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 60);
  return suffix === undefined ? base : `${base}-${suffix}`.slice(0, 80);
}

/** The workflow has nothing left to drive: its last Step returned terminal (or is about to). */
export function settled(execution: Pick<Execution, "status" | "wakeAt">): boolean {
  return isTerminal(execution.status) && execution.wakeAt === undefined;
}

export interface WorkflowDriverOptions {
  store: Store;
  sfn: StepFunctionsClient;
  stateMachineArn: string;
  telemetry?: Telemetry;
}

/**
 * Starts, finds and signals the workflow of an execution.
 *
 * Naming: the first workflow of an execution is named after it (StartExecution is then idempotent on
 * `ExecutionAlreadyExists`). A standard workflow name cannot be reused once closed, so when an execution needs
 * driving again after its workflow ended (terminate-instances after a drill, or a workflow that died), a
 * continuation named `<executionId>-v<version>` is started — unless one is already running.
 */
export function createWorkflowDriver(options: WorkflowDriverOptions) {
  const { store, sfn, stateMachineArn } = options;
  const telemetry = options.telemetry ?? silentTelemetry;

  async function start(name: string, executionId: string): Promise<"started" | "exists"> {
    try {
      await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ executionId }) }),
      );
      telemetry.count("WorkflowsStarted");
      telemetry.info("workflow started", { executionId, workflow: name });
      return "started";
    } catch (error) {
      if (errorName(error) === "ExecutionAlreadyExists") return "exists";
      throw error;
    }
  }

  async function status(name: string): Promise<string | undefined> {
    try {
      const out = await sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArn(stateMachineArn, name) }),
      );
      return out.status;
    } catch (error) {
      if (errorName(error) === "ExecutionDoesNotExist") return undefined;
      throw error;
    }
  }

  async function runningContinuation(executionId: string): Promise<string | undefined> {
    const prefix = `${workflowName(executionId)}-`;
    let nextToken: string | undefined;
    for (let page = 0; page < 50; page++) {
      const out = await sfn.send(
        new ListExecutionsCommand({
          stateMachineArn,
          statusFilter: "RUNNING",
          maxResults: 1000,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      const found = out.executions?.find((e) => e.name?.startsWith(prefix));
      if (found?.name) return found.name;
      nextToken = out.nextToken;
      if (!nextToken) return undefined;
    }
    return undefined;
  }

  /** Makes sure a workflow is driving the execution. Returns what it did. */
  async function ensureWorkflow(
    execution: Execution,
  ): Promise<"started" | "running" | "continued" | "continuation-running"> {
    const first = workflowName(execution.executionId);
    if ((await start(first, execution.executionId)) === "started") return "started";
    // The first workflow exists. If it runs and will look at the execution again, it sees the news at its next
    // Step (a plain Wait is at most PARK_AFTER_SECONDS). If it is ending (the execution had settled), or has
    // ended, a continuation takes over.
    if ((await status(first)) === "RUNNING" && !settled(execution)) return "running";
    const running = await runningContinuation(execution.executionId);
    if (running && !settled(execution)) return "continuation-running";
    const name = workflowName(execution.executionId, `v${execution.version}`);
    await start(name, execution.executionId);
    telemetry.count("WorkflowContinuations");
    return "continued";
  }

  /** Completes the park of a workflow; false when the token is no longer waiting. */
  async function sendSignal(taskToken: string, executionId: string): Promise<boolean> {
    try {
      await sfn.send(
        new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ executionId, signal: "kick" }) }),
      );
      telemetry.count("SignalsSent");
      return true;
    } catch (error) {
      if (isStaleTokenError(error)) return false;
      throw error;
    }
  }

  /**
   * The engine signal on AWS: a new execution or a new command. A parked workflow gets SendTaskSuccess with the
   * token stored in the execution; otherwise the execution gets a workflow if it has none.
   */
  async function kick(executionId: string): Promise<void> {
    const execution = await store.executions.get(executionId);
    if (!execution) return;
    if (execution.taskToken && (await sendSignal(execution.taskToken, executionId))) return;
    await ensureWorkflow(execution);
  }

  /**
   * The EngineSignal handed to the use cases. The command or execution is already durable when kick runs, so a
   * failure here is logged rather than failing the request: the sweeper restarts any execution left undriven.
   */
  const signal: EngineSignal = {
    async kick(executionId?: string) {
      if (!executionId) return;
      try {
        await kick(executionId);
      } catch (error) {
        telemetry.count("SignalFailures");
        telemetry.error("engine signal failed; the sweeper will pick the execution up", {
          executionId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };

  return { kick, signal, ensureWorkflow, sendSignal, status, start };
}

export type WorkflowDriver = ReturnType<typeof createWorkflowDriver>;
