import { createHash } from "node:crypto";
import {
  type AutomationExecution,
  type Command,
  DescribeDocumentCommand,
  GetAutomationExecutionCommand,
  GetCommandInvocationCommand,
  ListCommandsCommand,
  SendCommandCommand,
  type SSMClient,
  StartAutomationExecutionCommand,
} from "@aws-sdk/client-ssm";
import type { ActionContext, ActionProgress, ActionRunner, DrsTarget, WaveAction } from "@drso/core";
import { actionIdempotencyKey } from "./idempotency.js";

export interface SsmActionRunnerOptions {
  /** An SSM client for the account and region (cross-account credentials are the caller's business). */
  clientFor(target: DrsTarget): SSMClient;
  /** How long the engine waits between polls of a running action. Default 15 s. */
  pollIntervalMs?: number;
}

type AutomationAction = Extract<WaveAction, { type: "ssm-automation" }>;
type CommandAction = Extract<WaveAction, { type: "ssm-command" }>;

/** SendCommand takes at most 50 instance IDs per call. */
const INSTANCES_PER_COMMAND = 50;
const MAX_OUTPUT = 2048;

const AUTOMATION_SUCCEEDED = new Set(["Success", "CompletedWithSuccess"]);
const AUTOMATION_FAILED = new Set([
  "Failed",
  "TimedOut",
  "Cancelled",
  "Rejected",
  "CompletedWithFailure",
  "ChangeCalendarOverrideRejected",
  "Exited",
]);
const COMMAND_TERMINAL = new Set(["Success", "Cancelled", "Failed", "TimedOut"]);

/** Errors that retrying the same request will not fix: the action fails with the message. */
const PERMANENT_ERRORS = new Set([
  "AccessDeniedException",
  "AutomationDefinitionNotFoundException",
  "AutomationDefinitionVersionNotFoundException",
  "AutomationExecutionNotFoundException",
  "IdempotentParameterMismatch",
  "InvalidAutomationExecutionParametersException",
  "InvalidDocument",
  "InvalidDocumentVersion",
  "InvalidInstanceId",
  "InvalidOutputFolder",
  "InvalidParameters",
  "InvalidRole",
  "InvalidCommandId",
  "UnsupportedPlatformType",
  "ValidationException",
  "UnrecognizedClientException",
]);

function errorName(error: unknown): string {
  return typeof error === "object" && error !== null && "name" in error
    ? String((error as { name: unknown }).name)
    : "Error";
}

function isPermanent(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return (
    PERMANENT_ERRORS.has(errorName(error)) ||
    (status !== undefined &&
      status >= 400 &&
      status < 500 &&
      status !== 429 &&
      !/Throttl|TooMany|Limit/i.test(errorName(error)))
  );
}

function clip(text: string): string {
  return text.length <= MAX_OUTPUT ? text : `${text.slice(0, MAX_OUTPUT - 3)}...`;
}

function targetOfKey(key: string): DrsTarget {
  const slash = key.indexOf("/");
  return { accountId: key.slice(0, slash), region: key.slice(slash + 1) };
}

interface SentCommand {
  /** account/region */
  k: string;
  /** CommandId */
  c: string;
  /** how many instances */
  n: number;
}

/**
 * `ssm-automation` and `ssm-command` wave actions (AWS Systems Manager).
 *
 * - ssm-automation runs the document once, in the wave's first target (account/region), with the action's
 *   parameters. StartAutomationExecution carries a ClientToken derived from execution and action, so an
 *   ambiguous retry of the start returns the same automation execution instead of starting a second one.
 *   The handle is the automation execution ID; polls read GetAutomationExecution; the output is its
 *   Outputs (or FailureMessage).
 * - ssm-command sends the document to the EC2 instances recovered in this wave (ActionContext.instances),
 *   one SendCommand per account/region and 50 instances. SendCommand has no idempotency token: each command
 *   carries a comment derived from execution, action and target, and a start first looks for a command with
 *   that comment (ListCommands), so a retried start does not send the command twice. Polls read
 *   ListCommands per command; the action succeeds when every command succeeded on every instance, and a
 *   failure names the failing instances with their status and error output (GetCommandInvocation).
 *   Run it as a post-wave action: before the launch there are no instances.
 *
 * Permanent errors (access denied, unknown document, bad parameters) fail the action; throttling, 5xx and
 * network errors are thrown so the engine retries the effect.
 */
export function createSsmActionRunner(options: SsmActionRunnerOptions): ActionRunner {
  const checkAfterMs = options.pollIntervalMs ?? 15_000;

  async function startAutomation(action: AutomationAction, context: ActionContext): Promise<ActionProgress> {
    const target = context.targets[0];
    if (!target)
      return { status: "FAILED", error: "The wave has no account/region to run the automation in." };
    try {
      const out = await options.clientFor(target).send(
        new StartAutomationExecutionCommand({
          DocumentName: action.documentName,
          ...(action.documentVersion ? { DocumentVersion: action.documentVersion } : {}),
          ...(action.parameters ? { Parameters: action.parameters } : {}),
          ClientToken: actionIdempotencyKey(context.executionId, context.actionId, context.rerun),
          Tags: [
            { Key: "drs-orchestrator:execution", Value: context.executionId },
            { Key: "drs-orchestrator:action", Value: context.actionId.slice(0, 256) },
          ],
        }),
      );
      const id = out.AutomationExecutionId;
      if (!id) return { status: "FAILED", error: "SSM returned no automation execution ID." };
      return {
        status: "RUNNING",
        handle: id,
        checkAfterMs,
        output: `Started automation ${action.documentName} (${id}) in ${target.accountId}/${target.region}.`,
      };
    } catch (error) {
      if (isPermanent(error)) {
        return {
          status: "FAILED",
          error: `SSM refused automation ${action.documentName}: ${(error as Error).message}`,
        };
      }
      throw error;
    }
  }

  async function pollAutomation(
    action: AutomationAction,
    context: ActionContext,
    handle: string,
  ): Promise<ActionProgress> {
    const target = context.targets[0];
    if (!target)
      return { status: "FAILED", error: "The wave has no account/region to check the automation in." };
    let execution: AutomationExecution | undefined;
    try {
      execution = (
        await options
          .clientFor(target)
          .send(new GetAutomationExecutionCommand({ AutomationExecutionId: handle }))
      ).AutomationExecution;
    } catch (error) {
      if (isPermanent(error))
        return { status: "FAILED", error: `Cannot read automation ${handle}: ${(error as Error).message}` };
      throw error;
    }
    const status = execution?.AutomationExecutionStatus ?? "Pending";
    const outputs =
      execution?.Outputs && Object.keys(execution.Outputs).length > 0
        ? JSON.stringify(execution.Outputs)
        : "";
    if (AUTOMATION_SUCCEEDED.has(status)) {
      return {
        status: "SUCCEEDED",
        output: clip(outputs || `Automation ${action.documentName} (${handle}) succeeded.`),
      };
    }
    if (AUTOMATION_FAILED.has(status)) {
      const reason = execution?.FailureMessage ?? "no failure message";
      return {
        status: "FAILED",
        error: clip(`Automation ${action.documentName} (${handle}) ended ${status}: ${reason}`),
        ...(outputs ? { output: clip(outputs) } : {}),
      };
    }
    return { status: "RUNNING", handle, checkAfterMs, output: `Automation ${handle}: ${status}` };
  }

  function commandComment(context: ActionContext, key: string, chunk: number): string {
    const h = createHash("sha256")
      .update(
        `${context.executionId}\u0000${context.actionId}\u0000${key}\u0000${chunk}${context.rerun ? `\u0000rerun ${context.rerun}` : ""}`,
      )
      .digest("hex");
    return `drs-orchestrator ${h.slice(0, 40)}`;
  }

  async function findSent(
    client: SSMClient,
    documentName: string,
    comment: string,
  ): Promise<string | undefined> {
    const out = await client.send(
      new ListCommandsCommand({ Filters: [{ key: "DocumentName", value: documentName }], MaxResults: 50 }),
    );
    return out.Commands?.find((c) => c.Comment === comment)?.CommandId;
  }

  async function startCommand(action: CommandAction, context: ActionContext): Promise<ActionProgress> {
    const sent: SentCommand[] = [];
    const keys = Object.keys(context.instances)
      .filter((k) => (context.instances[k] ?? []).length > 0)
      .sort();
    if (keys.length === 0) {
      return { status: "FAILED", error: "No recovered EC2 instances in this wave to run the command on." };
    }
    try {
      for (const key of keys) {
        const client = options.clientFor(targetOfKey(key));
        const instances = [...new Set(context.instances[key])];
        for (let chunk = 0; chunk * INSTANCES_PER_COMMAND < instances.length; chunk++) {
          const ids = instances.slice(chunk * INSTANCES_PER_COMMAND, (chunk + 1) * INSTANCES_PER_COMMAND);
          const comment = commandComment(context, key, chunk);
          let commandId = await findSent(client, action.documentName, comment);
          if (!commandId) {
            const out = await client.send(
              new SendCommandCommand({
                DocumentName: action.documentName,
                InstanceIds: ids,
                ...(action.parameters ? { Parameters: action.parameters } : {}),
                Comment: comment,
                ...(action.timeoutSeconds ? { TimeoutSeconds: Math.max(30, action.timeoutSeconds) } : {}),
              }),
            );
            commandId = out.Command?.CommandId;
          }
          if (!commandId) return { status: "FAILED", error: "SSM returned no command ID." };
          sent.push({ k: key, c: commandId, n: ids.length });
        }
      }
    } catch (error) {
      if (isPermanent(error)) {
        return {
          status: "FAILED",
          error: `SSM refused command ${action.documentName}: ${(error as Error).message}`,
        };
      }
      throw error;
    }
    const total = sent.reduce((n, s) => n + s.n, 0);
    return {
      status: "RUNNING",
      handle: JSON.stringify(sent),
      checkAfterMs,
      output: `Sent ${action.documentName} to ${total} instance(s) in ${sent.length} command(s): ${sent.map((s) => s.c).join(", ")}`,
    };
  }

  async function failureDetails(client: SSMClient, command: Command): Promise<string[]> {
    const details: string[] = [];
    for (const instanceId of (command.InstanceIds ?? []).slice(0, 5)) {
      try {
        const invocation = await client.send(
          new GetCommandInvocationCommand({ CommandId: command.CommandId, InstanceId: instanceId }),
        );
        if (invocation.Status === "Success") continue;
        const stderr = (invocation.StandardErrorContent ?? "").trim().replace(/\s+/g, " ").slice(0, 200);
        details.push(
          `${instanceId}: ${invocation.StatusDetails ?? invocation.Status}${stderr ? ` (${stderr})` : ""}`,
        );
      } catch (error) {
        details.push(`${instanceId}: ${(error as Error).message}`);
      }
    }
    return details;
  }

  async function pollCommand(action: CommandAction, handle: string): Promise<ActionProgress> {
    let sent: SentCommand[];
    try {
      sent = JSON.parse(handle) as SentCommand[];
      if (!Array.isArray(sent)) throw new Error("not a list");
    } catch {
      return { status: "FAILED", error: `Unreadable SSM command handle: ${handle.slice(0, 100)}` };
    }
    const commands: Array<{ sent: SentCommand; command: Command | undefined }> = [];
    try {
      for (const s of sent) {
        const out = await options
          .clientFor(targetOfKey(s.k))
          .send(new ListCommandsCommand({ CommandId: s.c }));
        commands.push({ sent: s, command: out.Commands?.find((c) => c.CommandId === s.c) });
      }
    } catch (error) {
      if (isPermanent(error))
        return { status: "FAILED", error: `Cannot read SSM commands: ${(error as Error).message}` };
      throw error;
    }
    const statuses = commands.map((c) => c.command?.Status ?? "Pending");
    if (statuses.some((s) => !COMMAND_TERMINAL.has(s))) {
      const done = statuses.filter((s) => COMMAND_TERMINAL.has(s)).length;
      return {
        status: "RUNNING",
        handle,
        checkAfterMs,
        output: `${done} of ${commands.length} command(s) finished`,
      };
    }
    const total = sent.reduce((n, s) => n + s.n, 0);
    if (statuses.every((s) => s === "Success")) {
      return { status: "SUCCEEDED", output: `${action.documentName} succeeded on ${total} instance(s).` };
    }
    const failures: string[] = [];
    for (const { sent: s, command } of commands) {
      if (!command || command.Status === "Success") continue;
      const details = await failureDetails(options.clientFor(targetOfKey(s.k)), command);
      failures.push(
        `${s.k} command ${s.c} ${command.Status}${details.length > 0 ? `: ${details.join("; ")}` : ""}`,
      );
    }
    return { status: "FAILED", error: clip(`${action.documentName} failed: ${failures.join(" | ")}`) };
  }

  return {
    supports: (type) => type === "ssm-automation" || type === "ssm-command",
    async start(action, context) {
      if (action.type === "ssm-automation") return startAutomation(action, context);
      if (action.type === "ssm-command") return startCommand(action, context);
      return { status: "FAILED", error: `the SSM runner cannot run ${action.type} actions` };
    },
    async poll(action, context, handle) {
      if (action.type === "ssm-automation") return pollAutomation(action, context, handle);
      if (action.type === "ssm-command") return pollCommand(action, handle);
      return { status: "FAILED", error: `the SSM runner cannot run ${action.type} actions` };
    },
    /** DescribeDocument: false for InvalidDocument (no such document, or not shared with the account). */
    async documentExists(documentName, target) {
      try {
        await options.clientFor(target).send(new DescribeDocumentCommand({ Name: documentName }));
        return true;
      } catch (error) {
        if ((error as { name?: string }).name === "InvalidDocument") return false;
        throw error;
      }
    },
  };
}
