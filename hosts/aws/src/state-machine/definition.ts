/**
 * The engine's Step Functions driver (DESIGN §4), as Amazon States Language generated in code.
 *
 *   Step ──► Decide ──► Wait (SecondsPath) ──► Step
 *                  ├──► WaitForSignal (.waitForTaskToken, times out into Step) ──► Step
 *                  ├──► Done (Succeed)          execution COMPLETED / CANCELLED, nothing left to drive
 *                  └──► ExecutionFailed (Fail)  execution FAILED, nothing left to drive
 *
 * One standard workflow per execution. The Step Lambda runs the same step handler as the local driver and
 * says what comes next ({@link StepOutput}). Whenever the engine has nothing due for a while (a pause, an
 * approval, a drill waiting for its cleanup time) the workflow parks on a task token instead of sleeping in
 * a Wait state, so that resume, approve, cancel and terminate-instances take effect at once (the API sends
 * SendTaskSuccess with the stored token); the park times out into Step when the next wake-up is due.
 * Errors of the Step Lambda are retried with exponential backoff and jitter; if they persist, the workflow
 * keeps trying every few minutes (a DR tool must not give up on the worst day) while the alarms fire.
 */

/** Longest plain Wait: anything due later than this parks on a task token instead (interruptible). */
export const PARK_AFTER_SECONDS = 60;
/** Longest park: even with nothing scheduled the workflow re-checks the execution this often. */
export const MAX_PARK_SECONDS = 86_400;
/** Pause after the Step Lambda has failed through all its retries, before trying again. */
export const RECOVER_AFTER_SECONDS = 300;

/** Input of the workflow and of the Step Lambda. */
export interface StepInput {
  executionId: string;
  /** The workflow (Step Functions execution) name: the lease owner while stepping. */
  workflow?: string;
}

/** What the Step Lambda returns; the Choice state reads it. */
export interface StepOutput {
  executionId: string;
  status: string;
  /** Nothing left to drive: the workflow ends (Done, or ExecutionFailed when status is FAILED). */
  terminal: boolean;
  /** Seconds to Wait, or the park timeout when waitForSignal. */
  waitSeconds: number;
  /** Park on a task token until a signal (resume, approve, cancel, …) or waitSeconds pass. */
  waitForSignal: boolean;
}

/** Input of the pause-token Lambda (invoked with .waitForTaskToken). */
export interface PauseTokenInput {
  executionId: string;
  taskToken: string;
  workflow?: string;
}

export interface DefinitionOptions {
  /** ARN (or name) of the Step Lambda. */
  stepFunctionArn: string;
  /** ARN (or name) of the pause-token Lambda. */
  pauseTokenFunctionArn: string;
  /** Seconds before a Step invocation is abandoned (a little above the Lambda timeout). */
  stepTimeoutSeconds?: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type AslDefinition = { [key: string]: Json };

/** Errors of the Lambda service itself (not of our code): always worth retrying quickly. */
export const LAMBDA_SERVICE_ERRORS = [
  "Lambda.ClientExecutionTimeoutException",
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
];

function lambdaRetries(): Json[] {
  return [
    {
      ErrorEquals: LAMBDA_SERVICE_ERRORS,
      IntervalSeconds: 1,
      MaxAttempts: 6,
      BackoffRate: 2,
      MaxDelaySeconds: 30,
      JitterStrategy: "FULL",
    },
    {
      // Our code failed (DynamoDB or DRS unavailable, a bug): back off for longer.
      ErrorEquals: ["States.TaskFailed"],
      IntervalSeconds: 5,
      MaxAttempts: 8,
      BackoffRate: 2,
      MaxDelaySeconds: 120,
      JitterStrategy: "FULL",
    },
  ];
}

export function buildDefinition(options: DefinitionOptions): AslDefinition {
  const stepTimeout = options.stepTimeoutSeconds ?? 330;
  return {
    Comment:
      "DRS Orchestrator engine driver: one workflow per execution; Step → Decide → Wait | WaitForSignal → Step until nothing is left to drive.",
    StartAt: "Step",
    TimeoutSeconds: 31_536_000,
    States: {
      Step: {
        Type: "Task",
        Comment: "Runs the engine's step handler for the execution and says what comes next.",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: {
          FunctionName: options.stepFunctionArn,
          Payload: { "executionId.$": "$.executionId", "workflow.$": "$$.Execution.Name" },
        },
        OutputPath: "$.Payload",
        TimeoutSeconds: stepTimeout,
        Retry: lambdaRetries(),
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.lastError", Next: "Recover" }],
        Next: "Decide",
      },
      Decide: {
        Type: "Choice",
        Choices: [
          {
            And: [
              { Variable: "$.terminal", BooleanEquals: true },
              { Variable: "$.status", StringEquals: "FAILED" },
            ],
            Next: "ExecutionFailed",
          },
          { Variable: "$.terminal", BooleanEquals: true, Next: "Done" },
          { Variable: "$.waitForSignal", BooleanEquals: true, Next: "WaitForSignal" },
        ],
        Default: "Wait",
      },
      Wait: {
        Type: "Wait",
        Comment: `The next wake-up is at most ${PARK_AFTER_SECONDS} s away (the Step Lambda caps waitSeconds).`,
        SecondsPath: "$.waitSeconds",
        Next: "Step",
      },
      WaitForSignal: {
        Type: "Task",
        Comment:
          "Stores the task token in the execution; resume/approve/cancel/terminate send task success. Times out into Step at the next wake-up.",
        Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
        Parameters: {
          FunctionName: options.pauseTokenFunctionArn,
          Payload: {
            "executionId.$": "$.executionId",
            "taskToken.$": "$$.Task.Token",
            "workflow.$": "$$.Execution.Name",
          },
        },
        TimeoutSecondsPath: "$.waitSeconds",
        ResultPath: null,
        Retry: [
          {
            ErrorEquals: LAMBDA_SERVICE_ERRORS,
            IntervalSeconds: 1,
            MaxAttempts: 6,
            BackoffRate: 2,
            MaxDelaySeconds: 30,
            JitterStrategy: "FULL",
          },
        ],
        Catch: [
          { ErrorEquals: ["States.Timeout"], ResultPath: null, Next: "Step" },
          { ErrorEquals: ["States.ALL"], ResultPath: "$.lastError", Next: "Recover" },
        ],
        Next: "Step",
      },
      Recover: {
        Type: "Wait",
        Comment: "The Step Lambda kept failing: try again later rather than abandon the execution.",
        Seconds: RECOVER_AFTER_SECONDS,
        Next: "Step",
      },
      Done: { Type: "Succeed" },
      ExecutionFailed: {
        Type: "Fail",
        Error: "ExecutionFailed",
        Cause: "The recovery execution ended FAILED; its events say why.",
      },
    },
  };
}
