import {
  CreateDocumentCommand,
  GetCommandInvocationCommand,
  ListCommandsCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import type { ActionContext, DrsTarget, WaveAction } from "@drso/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MOTO_CLIENT_CONFIG,
  type MotoServer,
  motoAvailable,
  motoSkipMessage,
  startMoto,
} from "../../../tests/support/moto.js";
import { actionIdempotencyKey } from "./idempotency.js";
import { createSsmActionRunner } from "./ssm-action-runner.js";

const moto = motoAvailable();
if (!moto)
  console.warn(motoSkipMessage("ssm-command against moto (adapters/actions/src/ssm-action-runner.test.ts)"));

const automation: WaveAction = {
  type: "ssm-automation",
  documentName: "AWS-RestartEC2Instance",
  parameters: { InstanceId: ["i-0123456789abcdef0"] },
};
const command: WaveAction = {
  type: "ssm-command",
  documentName: "AWS-RunShellScript",
  parameters: { commands: ["systemctl is-active nginx"] },
};

function context(overrides: Partial<ActionContext> = {}): ActionContext {
  return {
    executionId: "7d3c2b1a-0f9e-4d8c-b7a6-958473625140",
    waveId: "wave-2",
    actionId: "wave-2/post/0",
    executionType: "DRILL",
    targets: [{ accountId: "111122223333", region: "us-east-1" }],
    instances: {},
    ...overrides,
  };
}

const instanceIds = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `i-${prefix}${String(i).padStart(17 - prefix.length, "0")}`);

/**
 * A fake SSMClient implementing only the calls the runner makes, answering from a script. Used where moto
 * cannot help: moto has no automation executions, and its Run Command always succeeds at once.
 */
class FakeSsm {
  readonly calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  constructor(private readonly answer: (name: string, input: Record<string, unknown>) => unknown) {}
  async send(cmd: { constructor: { name: string }; input: unknown }): Promise<unknown> {
    const input = cmd.input as Record<string, unknown>;
    this.calls.push({ name: cmd.constructor.name, input });
    return this.answer(cmd.constructor.name, input);
  }
}

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
}

describe("ssm-automation (fake SSMClient: moto has no automation executions)", () => {
  it("starts once per execution and action (ClientToken), polls to SUCCEEDED with the outputs", async () => {
    const statuses = ["InProgress", "Success"];
    const fake = new FakeSsm((name) => {
      if (name === "StartAutomationExecutionCommand") return { AutomationExecutionId: "auto-123" };
      if (name === "GetAutomationExecutionCommand") {
        const status = statuses.shift();
        return {
          AutomationExecution: {
            AutomationExecutionStatus: status,
            ...(status === "Success" ? { Outputs: { "restart.InstanceState": ["running"] } } : {}),
          },
        };
      }
      throw new Error(`unexpected ${name}`);
    });
    const targets: DrsTarget[] = [];
    const runner = createSsmActionRunner({
      clientFor: (t) => {
        targets.push(t);
        return fake as unknown as SSMClient;
      },
      pollIntervalMs: 5000,
    });
    expect(runner.supports("ssm-automation")).toBe(true);
    expect(runner.supports("http")).toBe(false);

    const started = await runner.start(automation, context());
    expect(started).toMatchObject({ status: "RUNNING", handle: "auto-123", checkAfterMs: 5000 });
    const startInput = fake.calls[0]!.input;
    expect(startInput).toMatchObject({
      DocumentName: "AWS-RestartEC2Instance",
      Parameters: { InstanceId: ["i-0123456789abcdef0"] },
      ClientToken: actionIdempotencyKey(context().executionId, "wave-2/post/0"),
    });
    expect(startInput.ClientToken).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(actionIdempotencyKey(context().executionId, "wave-2/post/1")).not.toBe(startInput.ClientToken);
    expect(targets[0]).toEqual({ accountId: "111122223333", region: "us-east-1" });

    expect(await runner.poll(automation, context(), "auto-123")).toMatchObject({
      status: "RUNNING",
      handle: "auto-123",
    });
    expect(await runner.poll(automation, context(), "auto-123")).toEqual({
      status: "SUCCEEDED",
      output: JSON.stringify({ "restart.InstanceState": ["running"] }),
    });
    expect(fake.calls.filter((c) => c.name === "GetAutomationExecutionCommand")[0]!.input).toEqual({
      AutomationExecutionId: "auto-123",
    });
  });

  it("maps failed, timed-out and cancelled executions to FAILED with SSM's failure message", async () => {
    for (const status of ["Failed", "TimedOut", "Cancelled", "CompletedWithFailure"]) {
      const fake = new FakeSsm(() => ({
        AutomationExecution: {
          AutomationExecutionStatus: status,
          FailureMessage: "Step restart failed: instance stopped",
        },
      }));
      const runner = createSsmActionRunner({ clientFor: () => fake as unknown as SSMClient });
      const progress = await runner.poll(automation, context(), "auto-9");
      expect(progress.status).toBe("FAILED");
      expect(progress).toMatchObject({
        error: `Automation AWS-RestartEC2Instance (auto-9) ended ${status}: Step restart failed: instance stopped`,
      });
    }
  });

  it("fails on permanent SSM errors, throws on throttling (the engine retries), and needs a target", async () => {
    const denied = new FakeSsm(() => {
      throw awsError("AutomationDefinitionNotFoundException", 400);
    });
    const runner = createSsmActionRunner({ clientFor: () => denied as unknown as SSMClient });
    expect(await runner.start(automation, context())).toMatchObject({
      status: "FAILED",
      error: expect.stringContaining("AutomationDefinitionNotFoundException happened"),
    });
    const throttled = new FakeSsm(() => {
      throw awsError("ThrottlingException", 400);
    });
    await expect(
      createSsmActionRunner({ clientFor: () => throttled as unknown as SSMClient }).start(
        automation,
        context(),
      ),
    ).rejects.toMatchObject({ name: "ThrottlingException" });
    const unavailable = new FakeSsm(() => {
      throw awsError("InternalServerError", 500);
    });
    await expect(
      createSsmActionRunner({ clientFor: () => unavailable as unknown as SSMClient }).poll(
        automation,
        context(),
        "x",
      ),
    ).rejects.toMatchObject({ name: "InternalServerError" });
    expect(await runner.start(automation, context({ targets: [] }))).toMatchObject({ status: "FAILED" });
  });
});

describe("ssm-command failures (fake SSMClient: moto's Run Command always succeeds)", () => {
  it("names the failing instances with their status and error output", async () => {
    const ids = instanceIds(2, "f");
    const fake = new FakeSsm((name, input) => {
      if (name === "ListCommandsCommand" && !input.CommandId) return { Commands: [] };
      if (name === "SendCommandCommand") return { Command: { CommandId: "cmd-1" } };
      if (name === "ListCommandsCommand")
        return { Commands: [{ CommandId: "cmd-1", Status: "Failed", InstanceIds: ids }] };
      if (name === "GetCommandInvocationCommand") {
        return input.InstanceId === ids[0]
          ? { Status: "Success" }
          : { Status: "Failed", StatusDetails: "Failed", StandardErrorContent: "nginx: inactive\n(dead)" };
      }
      throw new Error(`unexpected ${name}`);
    });
    const runner = createSsmActionRunner({ clientFor: () => fake as unknown as SSMClient });
    const ctx = context({ instances: { "111122223333/us-east-1": ids } });
    const started = await runner.start(command, ctx);
    expect(started.status).toBe("RUNNING");
    const progress = await runner.poll(command, ctx, (started as { handle: string }).handle);
    expect(progress).toEqual({
      status: "FAILED",
      error: `AWS-RunShellScript failed: 111122223333/us-east-1 command cmd-1 Failed: ${ids[1]}: Failed (nginx: inactive (dead))`,
    });
  });

  it("fails when the wave recovered no instance, and for an unreadable handle", async () => {
    const runner = createSsmActionRunner({
      clientFor: () => new FakeSsm(() => ({})) as unknown as SSMClient,
    });
    expect(
      await runner.start(command, context({ instances: { "111122223333/us-east-1": [] } })),
    ).toMatchObject({
      status: "FAILED",
      error: "No recovered EC2 instances in this wave to run the command on.",
    });
    expect(await runner.poll(command, context(), "not json")).toMatchObject({ status: "FAILED" });
  });
});

describe.skipIf(!moto)(
  "ssm-command against moto_server (SendCommand, ListCommands, GetCommandInvocation)",
  () => {
    let server: MotoServer;
    const clients = new Map<string, SSMClient>();
    const clientFor = (t: DrsTarget) => {
      const key = `${t.accountId}/${t.region}`;
      let client = clients.get(key);
      if (!client) {
        client = new SSMClient({ ...MOTO_CLIENT_CONFIG, region: t.region, endpoint: server.endpoint });
        clients.set(key, client);
      }
      return client;
    };

    beforeAll(async () => {
      server = await startMoto();
    });
    afterAll(async () => {
      for (const c of clients.values()) c.destroy();
      await server?.stop();
    });

    it("tells whether a document exists (plan readiness) with DescribeDocument", async () => {
      const target = { accountId: "123456789012", region: "us-east-1" };
      await clientFor(target).send(
        new CreateDocumentCommand({
          Name: "Drso-Readiness-Check",
          DocumentType: "Command",
          Content: JSON.stringify({
            schemaVersion: "2.2",
            description: "readiness test",
            mainSteps: [{ action: "aws:runShellScript", name: "run", inputs: { runCommand: ["true"] } }],
          }),
        }),
      );
      const runner = createSsmActionRunner({ clientFor });
      expect(await runner.documentExists!("Drso-Readiness-Check", target)).toBe(true);
      expect(await runner.documentExists!("No-Such-Document", target)).toBe(false);
    });

    it("sends one command per region and 50 instances, polls them to SUCCEEDED, and a retried start sends nothing new", async () => {
      const east = instanceIds(60, "e");
      const west = instanceIds(3, "w");
      const ctx = context({
        targets: [
          { accountId: "123456789012", region: "us-east-1" },
          { accountId: "123456789012", region: "us-west-2" },
        ],
        instances: { "123456789012/us-east-1": east, "123456789012/us-west-2": west },
      });
      const runner = createSsmActionRunner({ clientFor, pollIntervalMs: 1000 });
      const started = await runner.start(command, ctx);
      expect(started).toMatchObject({ status: "RUNNING", checkAfterMs: 1000 });
      const handle = (started as { handle: string }).handle;
      const sent = JSON.parse(handle) as Array<{ k: string; c: string; n: number }>;
      expect(sent.map((s) => [s.k, s.n])).toEqual([
        ["123456789012/us-east-1", 50],
        ["123456789012/us-east-1", 10],
        ["123456789012/us-west-2", 3],
      ]);

      // What moto recorded: the document, the parameters and exactly the wave's instances.
      const eastCommands =
        (await clientFor(ctx.targets[0]!).send(new ListCommandsCommand({}))).Commands ?? [];
      expect(eastCommands).toHaveLength(2);
      expect(eastCommands.flatMap((c) => c.InstanceIds ?? []).sort()).toEqual([...east].sort());
      for (const c of eastCommands) {
        expect(c.DocumentName).toBe("AWS-RunShellScript");
        expect(c.Parameters).toEqual({ commands: ["systemctl is-active nginx"] });
        expect(c.Comment).toMatch(/^drs-orchestrator [0-9a-f]{40}$/);
      }
      const invocation = await clientFor(ctx.targets[1]!).send(
        new GetCommandInvocationCommand({ CommandId: sent[2]!.c, InstanceId: west[0]! }),
      );
      expect(invocation.Status).toBe("Success");

      // An ambiguous retry of the start finds the commands by their comment instead of sending them again.
      const again = await runner.start(command, ctx);
      expect(JSON.parse((again as { handle: string }).handle)).toEqual(sent);
      expect((await clientFor(ctx.targets[0]!).send(new ListCommandsCommand({}))).Commands).toHaveLength(2);

      expect(await runner.poll(command, ctx, handle)).toEqual({
        status: "SUCCEEDED",
        output: "AWS-RunShellScript succeeded on 63 instance(s).",
      });
    });

    it("an unknown command ID in the handle is a failure, not a retry loop", async () => {
      const runner = createSsmActionRunner({ clientFor });
      const progress = await runner.poll(
        command,
        context(),
        JSON.stringify([{ k: "123456789012/us-east-1", c: "00000000-0000-0000-0000-000000000000", n: 1 }]),
      );
      expect(progress.status).toBe("FAILED");
    });
  },
);
