import {
  ExecutionAlreadyExists,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import { ManualClock } from "@drso/clock";
import { createExecution, type Execution, type RecoveryPlan, type Store } from "@drso/core";
import { createMemoryStore } from "@drso/store";
import { describe, expect, it } from "vitest";
import { MAX_PARK_SECONDS } from "../state-machine/definition.js";
import { createPauseTokenLambda } from "./pause-token-lambda.js";
import { nextMove } from "./step-lambda.js";
import { createWorkflowDriver, executionArn, type StepFunctionsClient, workflowName } from "./workflows.js";

const NOW = Date.UTC(2026, 5, 1, 8, 0, 0);
const ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:drs-orchestration-test-state-machine";
const limits = { parkAfterSeconds: 60, maxParkSeconds: MAX_PARK_SECONDS };

function execution(id = "0d6d1c9e-0000-4000-8000-000000000001"): Execution {
  const plan: RecoveryPlan = {
    planId: "p1",
    name: "Plan",
    waves: [
      {
        waveId: "w1",
        name: "W1",
        protectionGroupIds: ["g1"],
        dependsOn: [],
        pauseBefore: false,
        preActions: [],
        postActions: [],
        onFailure: "abort",
      },
    ],
    owner: "t@example.com",
    createdAt: new Date(NOW).toISOString(),
    updatedAt: new Date(NOW).toISOString(),
    version: 1,
  } as unknown as RecoveryPlan;
  return createExecution({
    executionId: id,
    plan,
    groups: [
      {
        groupId: "g1",
        name: "G1",
        accountId: "111122223333",
        region: "us-east-1",
        selectionMode: "explicit",
        servers: [{ sourceServerId: "s-1234567890abcdef0", hostname: "db1" }],
      },
    ] as never,
    executionType: "DRILL",
    initiatedBy: "t@example.com",
    now: NOW,
  }).execution;
}

/** A recording fake: answers each command from a script. */
function fakeSfn(answer: (command: unknown) => unknown): StepFunctionsClient & { sent: unknown[] } {
  const sent: unknown[] = [];
  return {
    sent,
    send: (async (command: unknown) => {
      sent.push(command);
      const out = answer(command);
      if (out instanceof Error) throw out;
      return out;
    }) as StepFunctionsClient["send"],
  };
}

describe("Step Lambda: what the workflow does next", () => {
  const e = (status: Execution["status"], wakeAt?: number) => ({
    executionId: "x",
    status,
    ...(wakeAt !== undefined ? { wakeAt } : {}),
  });
  it("waits in a Wait state when the next wake-up is near", () => {
    expect(nextMove(e("RUNNING", NOW + 5_500), NOW, false, limits)).toEqual({
      executionId: "x",
      status: "RUNNING",
      terminal: false,
      waitSeconds: 6,
      waitForSignal: false,
    });
  });
  it("parks on a task token when paused with nothing scheduled, or when the next wake-up is far", () => {
    expect(nextMove(e("PAUSED"), NOW, false, limits)).toMatchObject({
      waitForSignal: true,
      waitSeconds: MAX_PARK_SECONDS,
      terminal: false,
    });
    expect(nextMove(e("RUNNING", NOW + 3_600_000), NOW, false, limits)).toMatchObject({
      waitForSignal: true,
      waitSeconds: 3600,
    });
    // A drill's cleanup a day away: terminal status, but not done.
    expect(nextMove(e("COMPLETED", NOW + 86_400_000 * 2), NOW, false, limits)).toMatchObject({
      terminal: false,
      waitForSignal: true,
      waitSeconds: MAX_PARK_SECONDS,
    });
  });
  it("ends when nothing is left to drive, and steps again at once when a command came in meanwhile", () => {
    expect(nextMove(e("COMPLETED"), NOW, false, limits)).toMatchObject({
      terminal: true,
      status: "COMPLETED",
    });
    expect(nextMove(e("FAILED"), NOW, false, limits)).toMatchObject({ terminal: true, status: "FAILED" });
    expect(nextMove(e("COMPLETED"), NOW, true, limits)).toMatchObject({
      terminal: false,
      waitSeconds: 0,
      waitForSignal: false,
    });
    expect(nextMove(e("RUNNING", NOW - 1000), NOW, false, limits)).toMatchObject({
      waitSeconds: 0,
      waitForSignal: false,
    });
  });
});

describe("pause-token Lambda", () => {
  async function setup(store: Store = createMemoryStore()) {
    const { wakeAt: _due, ...paused } = execution();
    const created = await store.executions.create({ ...paused, status: "PAUSED" });
    const sfn = fakeSfn(() => ({}));
    const workflows = createWorkflowDriver({ store, sfn, stateMachineArn: ARN });
    const lambda = createPauseTokenLambda({ store, clock: new ManualClock(NOW), workflows });
    return { store, sfn, lambda, id: created.executionId };
  }

  it("stores the task token in the execution", async () => {
    const { store, sfn, lambda, id } = await setup();
    expect(await lambda({ executionId: id, taskToken: "tok-1" })).toEqual({
      executionId: id,
      stored: true,
      signalled: false,
    });
    expect((await store.executions.get(id))?.taskToken).toBe("tok-1");
    expect(sfn.sent).toEqual([]);
  });

  it("completes the park itself when a command arrived before the token was stored", async () => {
    const { store, sfn, lambda, id } = await setup();
    await store.executions.appendCommand(id, { type: "resume", by: "o@example.com", at: NOW });
    expect(await lambda({ executionId: id, taskToken: "tok-2" })).toMatchObject({
      stored: true,
      signalled: true,
    });
    expect(sfn.sent).toHaveLength(1);
    expect((sfn.sent[0] as SendTaskSuccessCommand).input.taskToken).toBe("tok-2");
  });

  it("retries a lost optimistic race", async () => {
    const base = createMemoryStore();
    let raced = false;
    const store: Store = {
      ...base,
      executions: {
        ...base.executions,
        async save(e, expected, options) {
          if (!raced) {
            raced = true;
            const current = (await base.executions.get(e.executionId))!;
            await base.executions.save({ ...current, updatedAt: NOW + 1 }, current.version);
          }
          return base.executions.save(e, expected, options);
        },
      },
    };
    const { lambda, id } = await setup(store);
    expect(await lambda({ executionId: id, taskToken: "tok-3" })).toMatchObject({ stored: true });
    expect((await base.executions.get(id))?.taskToken).toBe("tok-3");
    expect(raced).toBe(true);
  });
});

describe("the engine signal on AWS (workflow driver)", () => {
  it("names workflows after executions and builds their ARNs", () => {
    expect(workflowName("0d6d1c9e-0000-4000-8000-000000000001")).toBe("0d6d1c9e-0000-4000-8000-000000000001");
    expect(workflowName("abc", "v7")).toBe("abc-v7");
    expect(executionArn(ARN, "abc")).toBe(
      "arn:aws:states:us-east-1:123456789012:execution:drs-orchestration-test-state-machine:abc",
    );
  });

  it("sends task success with the stored token, and starts a workflow when the token is stale", async () => {
    const store = createMemoryStore();
    const e = await store.executions.create({ ...execution(), taskToken: "old" });
    const sfn = fakeSfn((c) =>
      c instanceof SendTaskSuccessCommand ? new TaskTimedOut({ message: "gone", $metadata: {} }) : {},
    );
    await createWorkflowDriver({ store, sfn, stateMachineArn: ARN }).kick(e.executionId);
    expect(sfn.sent.map((c) => (c as object).constructor.name)).toEqual([
      "SendTaskSuccessCommand",
      "StartExecutionCommand",
    ]);
    expect((sfn.sent[1] as StartExecutionCommand).input).toEqual({
      stateMachineArn: ARN,
      name: e.executionId,
      input: JSON.stringify({ executionId: e.executionId }),
    });
  });

  it("leaves a running workflow alone (it steps within a minute) and never fails the request", async () => {
    const store = createMemoryStore();
    const e = await store.executions.create(execution());
    const sfn = fakeSfn((c) =>
      c instanceof StartExecutionCommand
        ? new ExecutionAlreadyExists({ message: "exists", $metadata: {} })
        : { status: "RUNNING" },
    );
    const driver = createWorkflowDriver({ store, sfn, stateMachineArn: ARN });
    await driver.kick(e.executionId);
    expect(sfn.sent.map((c) => (c as object).constructor.name)).toEqual([
      "StartExecutionCommand",
      "DescribeExecutionCommand",
    ]);
    const broken = fakeSfn(() => new Error("Step Functions is down"));
    await expect(
      createWorkflowDriver({ store, sfn: broken, stateMachineArn: ARN }).signal.kick(e.executionId),
    ).resolves.toBeUndefined();
  });
});
