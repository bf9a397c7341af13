/**
 * The engine's Step Functions driver (DESIGN §4), as Amazon States Language generated in code.
 *
 *   Start ──► Step ──► Decide ──► Wait (SecondsPath) ──► Step
 *                             ├──► WaitForSignal (.waitForTaskToken, times out into Step) ──► Step
 *                             ├──► HandOver (startExecution of itself: continue-as-new) ──► HandedOver (Succeed)
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

/**
 * History budget (Step Functions keeps at most 25,000 events per execution). The workflow carries `events`, an
 * upper bound of the history events it has produced so far: the Step Lambda adds its round's worst case
 * ({@link roundEvents}), the failure path adds {@link FAILURE_PATH_EVENTS}. Once the bound reaches
 * HAND_OVER_EVENTS, the next Decide hands over: the workflow starts a new execution of itself for the same
 * recovery execution (next workflow name, `<executionId>-h<n>`) and succeeds (continue-as-new).
 */
export const HAND_OVER_EVENTS = 15_000;
/** Events of a Task state that succeeds on its first attempt: entered, scheduled, started, succeeded, exited. */
export const TASK_EVENTS = 5;
/** Each failed attempt before a retry: scheduled, started, failed. */
export const RETRY_EVENTS = 3;
/** Choice, Wait and Pass: entered, exited. */
export const FLOW_STATE_EVENTS = 2;
/** A park: the token task (entered, scheduled, started, submitted, succeeded/timed out, exited) and the pause-token Lambda's retries. */
export const PARK_EVENTS = 6 + 6 * RETRY_EVENTS;
/** Step failing through all retries (1 + 14 attempts) → Recover → CountFailure. */
export const FAILURE_PATH_EVENTS = 2 + 15 * RETRY_EVENTS + 2 * FLOW_STATE_EVENTS;

/** Worst-case history events of one Step round: Step (with its retries), Decide, Wait or WaitForSignal. */
export function roundEvents(retryCount: number, park: boolean): number {
  return (
    TASK_EVENTS + RETRY_EVENTS * retryCount + FLOW_STATE_EVENTS + (park ? PARK_EVENTS : FLOW_STATE_EVENTS)
  );
}

/** Input of the workflow and of the Step Lambda. */
export interface StepInput {
  executionId: string;
  /** The workflow (Step Functions execution) name: the lease owner while stepping. */
  workflow?: string;
  /** History events of this workflow so far (upper bound); absent in the first round. */
  events?: number;
  /** `$$.State.RetryCount` of the Step task: failed attempts of this round. */
  retryCount?: number;
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
  /** History events of this workflow after this round (upper bound). */
  events: number;
  /** The history budget is used up: start `nextWorkflow` and end this workflow. */
  handOver: boolean;
  /** Name of the workflow that takes over (set with handOver). */
  nextWorkflow?: string;
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
    StartAt: "Start",
    TimeoutSeconds: 31_536_000,
    States: {
      Start: {
        Type: "Choice",
        Comment: "A hand-over passes the history count on (0); a first workflow starts counting here.",
        Choices: [{ Variable: "$.events", IsPresent: true, Next: "Step" }],
        Default: "Init",
      },
      Init: {
        Type: "Pass",
        Parameters: { "executionId.$": "$.executionId", events: 1 + 2 * FLOW_STATE_EVENTS },
        Next: "Step",
      },
      Step: {
        Type: "Task",
        Comment: "Runs the engine's step handler for the execution and says what comes next.",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: {
          FunctionName: options.stepFunctionArn,
          Payload: {
            "executionId.$": "$.executionId",
            "workflow.$": "$$.Execution.Name",
            "events.$": "$.events",
            "retryCount.$": "$$.State.RetryCount",
          },
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
          { Variable: "$.handOver", BooleanEquals: true, Next: "HandOver" },
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
        Next: "CountFailure",
      },
      CountFailure: {
        Type: "Pass",
        Comment: "The failure path's history events count against the budget too.",
        Parameters: {
          "executionId.$": "$.executionId",
          "events.$": `States.MathAdd($.events, ${FAILURE_PATH_EVENTS})`,
        },
        Next: "Step",
      },
      HandOver: {
        Type: "Task",
        Comment: `Continue-as-new before the 25,000-event history limit: a new workflow of the same execution (counted events reached ${HAND_OVER_EVENTS}) steps at once; this one succeeds.`,
        Resource: "arn:aws:states:::states:startExecution",
        Parameters: {
          "StateMachineArn.$": "$$.StateMachine.Id",
          "Name.$": "$.nextWorkflow",
          Input: {
            "executionId.$": "$.executionId",
            events: 1 + FLOW_STATE_EVENTS,
            "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
          },
        },
        ResultPath: null,
        Retry: [
          {
            ErrorEquals: ["StepFunctions.ExecutionAlreadyExistsException"],
            MaxAttempts: 0,
          },
          {
            ErrorEquals: ["States.ALL"],
            IntervalSeconds: 1,
            MaxAttempts: 6,
            BackoffRate: 2,
            MaxDelaySeconds: 30,
            JitterStrategy: "FULL",
          },
        ],
        Catch: [
          // A retried start that had gone through: the successor exists.
          {
            ErrorEquals: ["StepFunctions.ExecutionAlreadyExistsException"],
            ResultPath: null,
            Next: "HandedOver",
          },
          // Cannot start a successor: keep driving here (the next Step asks to hand over again).
          { ErrorEquals: ["States.ALL"], ResultPath: "$.lastError", Next: "Step" },
        ],
        Next: "HandedOver",
      },
      HandedOver: { Type: "Succeed", Comment: "The next workflow of this execution drives it from here." },
      Done: { Type: "Succeed" },
      ExecutionFailed: {
        Type: "Fail",
        Error: "ExecutionFailed",
        Cause: "The recovery execution ended FAILED; its events say why.",
      },
    },
  };
}
