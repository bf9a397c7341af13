import aslValidator from "asl-validator";
import { describe, expect, it } from "vitest";
import { buildDefinition, MAX_PARK_SECONDS, PARK_AFTER_SECONDS } from "./definition.js";

const definition = buildDefinition({
  stepFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:drs-orchestration-step-test",
  pauseTokenFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:drs-orchestration-pause-token-test",
});
type State = Record<string, unknown> & { Type: string };
const states = definition.States as Record<string, State>;

describe("the engine's state machine definition", () => {
  it("is valid Amazon States Language (asl-validator)", () => {
    const result = aslValidator(definition, { checkPaths: true, checkArn: true });
    expect(result.errorsText("\n")).toBe("");
    expect(result.isValid).toBe(true);
  });

  it("is rejected by asl-validator when a transition goes nowhere (the check can fail)", () => {
    const broken = structuredClone(definition) as { States: Record<string, State> };
    broken.States.Decide!.Default = "Nowhere";
    expect(aslValidator(broken).isValid).toBe(false);
  });

  it("loops Step → Decide → Wait | WaitForSignal → Step and ends in Done, ExecutionFailed or a hand-over", () => {
    expect(definition.StartAt).toBe("Start");
    expect(states.Start).toMatchObject({ Type: "Choice", Default: "Init" });
    expect(states.Init).toMatchObject({ Type: "Pass", Next: "Step" });
    expect(states.Step).toMatchObject({
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke",
      Next: "Decide",
    });
    expect(states.Decide!.Type).toBe("Choice");
    expect(states.Decide!.Default).toBe("Wait");
    expect((states.Decide!.Choices as Array<{ Next: string }>).map((c) => c.Next)).toEqual([
      "HandOver",
      "ExecutionFailed",
      "Done",
      "WaitForSignal",
    ]);
    expect(states.Wait).toMatchObject({ Type: "Wait", SecondsPath: "$.waitSeconds", Next: "Step" });
    expect(states.WaitForSignal).toMatchObject({
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      TimeoutSecondsPath: "$.waitSeconds",
      ResultPath: null,
      Next: "Step",
    });
    expect(states.Done!.Type).toBe("Succeed");
    expect(states.ExecutionFailed!.Type).toBe("Fail");
    expect(PARK_AFTER_SECONDS).toBeLessThan(MAX_PARK_SECONDS);
  });

  it("passes the task token and the workflow name to the pause-token Lambda", () => {
    const payload = (states.WaitForSignal!.Parameters as { Payload: Record<string, string> }).Payload;
    expect(payload).toEqual({
      "executionId.$": "$.executionId",
      "taskToken.$": "$$.Task.Token",
      "workflow.$": "$$.Execution.Name",
    });
  });

  it("retries Lambda errors with exponential backoff and full jitter, and never abandons the execution", () => {
    const retries = states.Step!.Retry as Array<Record<string, unknown>>;
    expect(retries.length).toBeGreaterThanOrEqual(2);
    for (const r of retries) {
      expect(r.BackoffRate).toBeGreaterThan(1);
      expect(r.JitterStrategy).toBe("FULL");
      expect(r.MaxDelaySeconds).toBeGreaterThan(0);
    }
    expect(retries.flatMap((r) => r.ErrorEquals as string[])).toEqual(
      expect.arrayContaining([
        "Lambda.ServiceException",
        "Lambda.TooManyRequestsException",
        "States.TaskFailed",
      ]),
    );
    expect(states.Step!.Catch).toEqual([
      { ErrorEquals: ["States.ALL"], ResultPath: "$.lastError", Next: "Recover" },
    ]);
    expect(states.Recover).toMatchObject({ Type: "Wait", Next: "CountFailure" });
    expect(states.CountFailure).toMatchObject({ Type: "Pass", Next: "Step" });
    // A park that times out goes back to Step; any other failure of the park recovers the same way.
    expect(states.WaitForSignal!.Catch).toEqual([
      { ErrorEquals: ["States.Timeout"], ResultPath: null, Next: "Step" },
      { ErrorEquals: ["States.ALL"], ResultPath: "$.lastError", Next: "Recover" },
    ]);
  });
});
