import { SendTaskSuccessCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { ManualClock } from "@drso/clock";
import { describe, expect, it } from "vitest";
import type { AslDefinition } from "../state-machine/definition.js";
import { LocalStateMachine } from "./asl-interpreter.js";

const ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:test";

function machine(definition: AslDefinition, functions: Record<string, (p: unknown) => Promise<unknown>>) {
  const clock = new ManualClock(0);
  return { clock, sm: new LocalStateMachine({ definition, stateMachineArn: ARN, functions, clock }) };
}

async function runToEnd(m: ReturnType<typeof machine>, name: string) {
  for (let i = 0; i < 1000; i++) {
    await m.sm.idle();
    if (m.sm.runs.get(name)?.status !== "RUNNING") return m.sm.runs.get(name)!;
    if (!m.clock.runNext()) throw new Error("stuck");
  }
  throw new Error("too long");
}

describe("the local ASL interpreter (test tool for the engine driver)", () => {
  it("retries a failing Lambda with exponential backoff, then catches into another state", async () => {
    let calls = 0;
    const at: number[] = [];
    const m = machine(
      {
        StartAt: "T",
        States: {
          T: {
            Type: "Task",
            Resource: "arn:aws:states:::lambda:invoke",
            Parameters: { FunctionName: "f", "Payload.$": "$" },
            Retry: [
              { ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 },
            ],
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.err", Next: "Caught" }],
            End: true,
          },
          Caught: { Type: "Pass", End: true },
        },
      },
      {
        f: async () => {
          calls += 1;
          at.push(m.clock.now());
          throw new TypeError("boom");
        },
      },
    );
    m.sm.start("r1", JSON.stringify({ a: 1 }));
    const run = await runToEnd(m, "r1");
    expect(calls).toBe(4);
    expect(at).toEqual([0, 2000, 6000, 14000]);
    expect(run.status).toBe("SUCCEEDED");
    expect(run.history).toEqual(["T", "Caught"]);
    expect(run.output).toMatchObject({ a: 1, err: { Error: "TypeError" } });
  });

  it("fails the run on a bad path (States.Runtime is never caught by States.ALL)", async () => {
    const m = machine(
      {
        StartAt: "W",
        States: { W: { Type: "Wait", SecondsPath: "$.missing", End: true } },
      },
      {},
    );
    m.sm.start("r2", "{}");
    const run = await runToEnd(m, "r2");
    expect(run).toMatchObject({ status: "FAILED", error: "States.Runtime" });
  });

  it("parks on a task token until SendTaskSuccess, rejects a used token, and times out into a Catch", async () => {
    const definition: AslDefinition = {
      StartAt: "Park",
      States: {
        Park: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
          Parameters: { FunctionName: "store", Payload: { "token.$": "$$.Task.Token" } },
          TimeoutSeconds: 60,
          ResultPath: "$.signal",
          Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: null, Next: "TimedOut" }],
          Next: "Choose",
        },
        Choose: {
          Type: "Choice",
          Choices: [{ Variable: "$.signal.go", BooleanEquals: true, Next: "Yes" }],
          Default: "TimedOut",
        },
        Yes: { Type: "Succeed" },
        TimedOut: { Type: "Fail", Error: "Late" },
      },
    };
    const tokens: string[] = [];
    const m = machine(definition, { store: async (p) => void tokens.push((p as { token: string }).token) });

    await m.sm.client.send(new StartExecutionCommand({ stateMachineArn: ARN, name: "fast", input: "{}" }));
    await m.sm.idle();
    expect(m.sm.runs.get("fast")?.current).toBe("Park");
    await m.sm.client.send(new SendTaskSuccessCommand({ taskToken: tokens[0]!, output: '{"go":true}' }));
    expect((await runToEnd(m, "fast")).status).toBe("SUCCEEDED");
    await expect(
      m.sm.client.send(new SendTaskSuccessCommand({ taskToken: tokens[0]!, output: "{}" })),
    ).rejects.toMatchObject({ name: "TaskTimedOut" });
    await expect(
      m.sm.client.send(new StartExecutionCommand({ stateMachineArn: ARN, name: "fast", input: "{}" })),
    ).rejects.toMatchObject({ name: "ExecutionAlreadyExists" });

    m.sm.start("slow", "{}");
    const run = await runToEnd(m, "slow");
    expect(run).toMatchObject({ status: "FAILED", error: "Late" });
    expect(m.clock.now()).toBe(60_000);
  });

  it("counts history events per state type as Step Functions records them", async () => {
    let calls = 0;
    const m = machine(
      {
        StartAt: "Count",
        States: {
          Count: {
            Type: "Pass",
            Parameters: { "n.$": "States.MathAdd($.n, 2)" },
            Next: "T",
          },
          T: {
            Type: "Task",
            Resource: "arn:aws:states:::lambda:invoke",
            Parameters: { FunctionName: "f", Payload: { "n.$": "$.n", "retry.$": "$$.State.RetryCount" } },
            Retry: [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 1, MaxAttempts: 2 }],
            OutputPath: "$.Payload",
            Next: "C",
          },
          C: { Type: "Choice", Choices: [{ Variable: "$.n", NumericEquals: 3, Next: "W" }], Default: "Done" },
          W: { Type: "Wait", Seconds: 1, Next: "Done" },
          Done: { Type: "Succeed" },
        },
      },
      {
        f: async (p) => {
          if (++calls === 1) throw new Error("first attempt fails");
          return p;
        },
      },
    );
    await m.sm.client.send(new StartExecutionCommand({ stateMachineArn: ARN, name: "e", input: '{"n":1}' }));
    const run = await runToEnd(m, "e");
    expect(run.status).toBe("SUCCEEDED");
    // The intrinsic and the retry count reach the function: n = 1 + 2, second attempt has RetryCount 1.
    expect(run.output).toEqual({ n: 3, retry: 1 });
    expect(Object.fromEntries(run.events)).toEqual({
      ExecutionStarted: 1,
      PassStateEntered: 1,
      PassStateExited: 1,
      TaskStateEntered: 1,
      TaskScheduled: 2,
      TaskStarted: 2,
      TaskFailed: 1,
      TaskSucceeded: 1,
      TaskStateExited: 1,
      ChoiceStateEntered: 1,
      ChoiceStateExited: 1,
      WaitStateEntered: 1,
      WaitStateExited: 1,
      SucceedStateEntered: 1,
      SucceedStateExited: 1,
      ExecutionSucceeded: 1,
    });
    expect(run.eventCount).toBe(18);
  });
});
