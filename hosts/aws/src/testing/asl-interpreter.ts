import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import { type Clock, createRng } from "@drso/clock";
import type { StepFunctionsClient } from "../lambda/workflows.js";
import type { AslDefinition } from "../state-machine/definition.js";

/**
 * A small local interpreter for the Amazon States Language subset the engine driver uses: Task (Lambda
 * `invoke` and `invoke.waitForTaskToken`, with Parameters, ResultSelector, ResultPath, OutputPath, Retry with
 * backoff/MaxDelaySeconds/FULL jitter, Catch, TimeoutSeconds(Path) for token waits), Choice (Boolean/String/
 * Numeric comparisons, IsPresent, And/Or/Not), Wait (Seconds, SecondsPath), Pass, Succeed and Fail. Lambda
 * functions are called in-process; time is a Clock (a ManualClock in tests), so a Wait of an hour takes no
 * real time. `client` is a fake SFNClient (StartExecution, DescribeExecution, ListExecutions, SendTaskSuccess,
 * SendTaskFailure) with Step Functions' naming rules, so the code under test talks to it as to AWS.
 *
 * History events are counted per state type as Step Functions records them (`WorkflowRun.events`), and the
 * optimized `states:startExecution` integration starts another workflow of the same machine (continue-as-new).
 * `$$.State.RetryCount` and the intrinsic States.MathAdd are supported.
 *
 * Not modelled: other intrinsic functions, Map/Parallel, heartbeats, the execution-level TimeoutSeconds, and the
 * Step task's TimeoutSeconds (functions run in real time while the clock stands still).
 */

type Json = unknown;

/** Step Functions' quota of history events per standard workflow execution. */
export const HISTORY_EVENT_LIMIT = 25_000;
type LambdaFn = (payload: Json) => Promise<Json>;

export type WorkflowStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface WorkflowRun {
  name: string;
  arn: string;
  input: string;
  status: WorkflowStatus;
  /** States entered, in order. */
  history: string[];
  /**
   * History events as Step Functions counts them (ExecutionStarted, <Type>StateEntered/Exited, TaskScheduled/
   * Started/Submitted/Succeeded/Failed/TimedOut per attempt, ExecutionSucceeded/Failed), by event type.
   */
  events: Map<string, number>;
  /** Total of `events`: what the 25,000-event limit applies to. */
  eventCount: number;
  /** The state the workflow is in now (or ended in). */
  current?: string;
  output?: Json;
  error?: string;
  cause?: string;
  /** Every error a Task raised (retried or caught), in order. */
  taskErrors: Array<{ state: string; error: string; cause: string }>;
  startedAt: number;
  stoppedAt?: number;
  done: Promise<void>;
}

export interface SfnCall {
  command: string;
  input: Record<string, unknown>;
  outcome: "ok" | string;
}

class StatesError extends Error {
  constructor(
    readonly error: string,
    readonly causeText: string,
  ) {
    super(`${error}: ${causeText}`);
    this.name = error;
  }
}

interface TokenWaiter {
  run: WorkflowRun;
  outcome?: { ok: true; output: Json } | { ok: false; error: StatesError };
  wake?: () => void;
  cancelTimer?: () => void;
}

const sdkError = <T>(Cls: new (o: { message: string; $metadata: object }) => T, message: string) =>
  new Cls({ message, $metadata: {} });

function getPath(root: Json, path: string, context?: Json): Json {
  let target = root;
  let rest = path;
  if (path.startsWith("$$")) {
    target = context;
    rest = path.slice(2);
  } else if (path.startsWith("$")) {
    rest = path.slice(1);
  } else throw new StatesError("States.Runtime", `Invalid path ${path}`);
  if (rest === "") return target;
  let value: Json = target;
  for (const key of rest.replace(/^\./, "").split(".")) {
    if (value === null || typeof value !== "object" || !(key in (value as object)))
      throw new StatesError("States.Runtime", `The JSONPath ${path} could not be found in the input`);
    value = (value as Record<string, Json>)[key];
  }
  return value;
}

function hasPath(root: Json, path: string): boolean {
  try {
    getPath(root, path);
    return true;
  } catch {
    return false;
  }
}

function setPath(root: Json, path: string | null | undefined, result: Json): Json {
  if (path === null) return root;
  if (path === undefined || path === "$") return result;
  const keys = path.replace(/^\$\.?/, "").split(".");
  const copy: Record<string, Json> =
    root !== null && typeof root === "object" ? structuredClone(root as Record<string, Json>) : {};
  let node = copy;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) node[key] = result;
    else {
      const next = node[key];
      node[key] = next !== null && typeof next === "object" ? next : {};
      node = node[key] as Record<string, Json>;
    }
  });
  return copy;
}

/** `$.path` / `$$.path`, or the one intrinsic the driver uses: `States.MathAdd(<path or int>, <path or int>)`. */
function resolveValue(expression: string, input: Json, context: Json): Json {
  const add = /^States\.MathAdd\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)$/.exec(expression);
  if (!add) return getPath(input, expression, context);
  const operand = (text: string) => {
    const value = text.startsWith("$") ? getPath(input, text, context) : Number(text);
    if (typeof value !== "number" || !Number.isInteger(value))
      throw new StatesError("States.Runtime", `States.MathAdd needs integers, got ${JSON.stringify(value)}`);
    return value;
  };
  return operand(add[1]!) + operand(add[2]!);
}

function resolveTemplate(template: Json, input: Json, context: Json): Json {
  if (Array.isArray(template)) return template.map((t) => resolveTemplate(t, input, context));
  if (template === null || typeof template !== "object") return template;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(template as Record<string, Json>)) {
    if (key.endsWith(".$")) out[key.slice(0, -2)] = resolveValue(value as string, input, context);
    else out[key] = resolveTemplate(value, input, context);
  }
  return out;
}

const jsonCopy = (value: Json): Json => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

/** States.Runtime (a bad path, a bad Wait value) is never retried or caught by States.ALL: the run fails. */
function matches(errorEquals: string[], error: string): boolean {
  if (error === "States.Runtime") return errorEquals.includes(error);
  if (error === "States.HistoryLimitExceeded") return false;
  return errorEquals.some(
    (e) => e === error || e === "States.ALL" || (e === "States.TaskFailed" && error !== "States.Timeout"),
  );
}

type Rule = Record<string, Json>;

function evaluate(rule: Rule, input: Json): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Rule[]).every((r) => evaluate(r, input));
  if (Array.isArray(rule.Or)) return (rule.Or as Rule[]).some((r) => evaluate(r, input));
  if (rule.Not) return !evaluate(rule.Not as Rule, input);
  const variable = rule.Variable as string;
  if ("IsPresent" in rule) return hasPath(input, variable) === rule.IsPresent;
  const value = getPath(input, variable);
  const ops: Record<string, (v: Json, x: Json) => boolean> = {
    BooleanEquals: (v, x) => typeof v === "boolean" && v === x,
    StringEquals: (v, x) => typeof v === "string" && v === x,
    NumericEquals: (v, x) => typeof v === "number" && v === x,
    NumericGreaterThan: (v, x) => typeof v === "number" && v > (x as number),
    NumericGreaterThanEquals: (v, x) => typeof v === "number" && v >= (x as number),
    NumericLessThan: (v, x) => typeof v === "number" && v < (x as number),
    NumericLessThanEquals: (v, x) => typeof v === "number" && v <= (x as number),
  };
  for (const [op, test] of Object.entries(ops)) if (op in rule) return test(value, rule[op]);
  throw new StatesError("States.Runtime", `Unsupported Choice rule ${JSON.stringify(rule)}`);
}

export interface LocalStateMachineOptions {
  definition: AslDefinition;
  stateMachineArn: string;
  /** Lambda functions by the FunctionName the definition uses. */
  functions: Record<string, LambdaFn>;
  clock: Clock;
  /** Seed for retry jitter. */
  seed?: number;
}

export class LocalStateMachine {
  readonly runs = new Map<string, WorkflowRun>();
  readonly calls: SfnCall[] = [];
  private readonly tokens = new Map<string, TokenWaiter>();
  private readonly usedTokens = new Set<string>();
  private busy = 0;
  private idleWaiters: Array<() => void> = [];
  private tokenSeq = 0;
  private readonly rng: ReturnType<typeof createRng>;
  private readonly states: Record<string, Record<string, Json>>;

  constructor(private readonly options: LocalStateMachineOptions) {
    this.rng = createRng(options.seed ?? 7);
    this.states = options.definition.States as Record<string, Record<string, Json>>;
  }

  /** The fake SFNClient the code under test sends its commands to. */
  readonly client: StepFunctionsClient = {
    send: (async (command: unknown) => this.handle(command)) as StepFunctionsClient["send"],
  };

  /** Resolves once no workflow is doing anything but waiting on the clock or on a task token. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  get activeRuns(): WorkflowRun[] {
    return [...this.runs.values()].filter((r) => r.status === "RUNNING");
  }

  /** Workflows of an execution (the first one and its continuations), in start order. */
  runsOf(executionId: string): WorkflowRun[] {
    return [...this.runs.values()].filter(
      (r) => r.name === executionId || r.name.startsWith(`${executionId}-`),
    );
  }

  private checkIdle() {
    if (this.busy !== 0 || this.idleWaiters.length === 0) return;
    setImmediate(() => {
      if (this.busy !== 0) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    });
  }

  private setBusy(delta: number) {
    this.busy += delta;
    if (this.busy < 0) throw new Error("busy counter below zero");
    this.checkIdle();
  }

  private record(command: string, input: object, outcome: string) {
    this.calls.push({ command, input: structuredClone(input) as Record<string, unknown>, outcome });
  }

  private async handle(command: unknown): Promise<unknown> {
    if (command instanceof StartExecutionCommand) {
      const { name, input } = command.input;
      if (!name) throw new Error("this fake needs a name");
      const existing = this.runs.get(name);
      if (existing) {
        if (existing.status === "RUNNING" && existing.input === (input ?? "{}")) {
          this.record("StartExecution", command.input, "ok (idempotent)");
          return { executionArn: existing.arn, startDate: new Date(existing.startedAt) };
        }
        this.record("StartExecution", command.input, "ExecutionAlreadyExists");
        throw sdkError(ExecutionAlreadyExists, `Execution Already Exists: '${existing.arn}'`);
      }
      const run = this.start(name, input ?? "{}");
      this.record("StartExecution", command.input, "ok");
      return { executionArn: run.arn, startDate: new Date(run.startedAt) };
    }
    if (command instanceof DescribeExecutionCommand) {
      const run = [...this.runs.values()].find((r) => r.arn === command.input.executionArn);
      this.record("DescribeExecution", command.input, run ? "ok" : "ExecutionDoesNotExist");
      if (!run)
        throw sdkError(ExecutionDoesNotExist, `Execution Does Not Exist: '${command.input.executionArn}'`);
      return { executionArn: run.arn, name: run.name, status: run.status, input: run.input };
    }
    if (command instanceof ListExecutionsCommand) {
      this.record("ListExecutions", command.input, "ok");
      const filter = command.input.statusFilter;
      return {
        executions: [...this.runs.values()]
          .filter((r) => !filter || r.status === filter)
          .map((r) => ({ executionArn: r.arn, name: r.name, status: r.status })),
      };
    }
    if (command instanceof SendTaskSuccessCommand || command instanceof SendTaskFailureCommand) {
      const isSuccess = command instanceof SendTaskSuccessCommand;
      const token = command.input.taskToken ?? "";
      const waiter = this.tokens.get(token);
      const name = isSuccess ? "SendTaskSuccess" : "SendTaskFailure";
      if (!waiter) {
        const used = this.usedTokens.has(token);
        this.record(name, command.input, used ? "TaskTimedOut" : "TaskDoesNotExist");
        if (used) throw sdkError(TaskTimedOut, "Task Timed Out: 'Provided task does not exist anymore'");
        throw sdkError(TaskDoesNotExist, "Task Does Not Exist");
      }
      this.record(name, command.input, "ok");
      this.tokens.delete(token);
      this.usedTokens.add(token);
      waiter.cancelTimer?.();
      if (command instanceof SendTaskSuccessCommand)
        waiter.outcome = { ok: true, output: JSON.parse(command.input.output ?? "null") };
      else
        waiter.outcome = {
          ok: false,
          error: new StatesError(command.input.error ?? "TaskFailed", command.input.cause ?? ""),
        };
      if (waiter.wake) {
        this.setBusy(+1);
        waiter.wake();
      }
      return {};
    }
    throw new Error(
      `The local Step Functions fake does not implement ${(command as object).constructor.name}`,
    );
  }

  /** Starts a workflow (what StartExecution does). */
  start(name: string, input: string): WorkflowRun {
    const arn = `${this.options.stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
    const run: WorkflowRun = {
      name,
      arn,
      input,
      status: "RUNNING",
      history: [],
      events: new Map(),
      eventCount: 0,
      taskErrors: [],
      startedAt: this.options.clock.now(),
      done: Promise.resolve(),
    };
    this.runs.set(name, run);
    this.setBusy(+1);
    run.done = this.execute(run).finally(() => {
      run.stoppedAt = this.options.clock.now();
      this.setBusy(-1);
    });
    return run;
  }

  private sleep(ms: number): Promise<void> {
    this.setBusy(-1);
    return new Promise((resolve) => {
      this.options.clock.schedule(this.options.clock.now() + ms, () => {
        this.setBusy(+1);
        resolve();
      });
    });
  }

  private event(run: WorkflowRun, type: string) {
    run.events.set(type, (run.events.get(type) ?? 0) + 1);
    run.eventCount += 1;
    // Step Functions fails an execution whose history would grow past the quota.
    if (run.eventCount > HISTORY_EVENT_LIMIT && type !== "ExecutionFailed")
      throw new StatesError(
        "States.HistoryLimitExceeded",
        `The execution reached the maximum number of history events (${HISTORY_EVENT_LIMIT}).`,
      );
  }

  private async execute(run: WorkflowRun): Promise<void> {
    const definition = this.options.definition;
    let stateName = definition.StartAt as string;
    let input: Json = JSON.parse(run.input);
    this.event(run, "ExecutionStarted");
    let type = "";
    try {
      for (let transitions = 0; transitions < 1_000_000; transitions++) {
        const state = this.states[stateName];
        if (!state) throw new StatesError("States.Runtime", `No state ${stateName}`);
        run.history.push(stateName);
        run.current = stateName;
        type = String(state.Type);
        this.event(run, `${type}StateEntered`);
        const context = {
          Execution: { Id: run.arn, Name: run.name, Input: JSON.parse(run.input) },
          StateMachine: { Id: this.options.stateMachineArn },
          State: { Name: stateName, RetryCount: 0 },
        };
        const effective = state.InputPath === undefined ? input : getPath(input, state.InputPath as string);
        switch (state.Type) {
          case "Pass": {
            const result =
              "Result" in state
                ? state.Result
                : state.Parameters !== undefined
                  ? resolveTemplate(state.Parameters, effective, context)
                  : effective;
            input = this.output(state, setPath(input, state.ResultPath as string | null | undefined, result));
            break;
          }
          case "Succeed":
            this.event(run, "SucceedStateExited");
            this.event(run, "ExecutionSucceeded");
            run.status = "SUCCEEDED";
            run.output = this.output(state, effective);
            return;
          case "Fail":
            this.event(run, "ExecutionFailed");
            run.status = "FAILED";
            run.error = state.Error as string;
            run.cause = state.Cause as string;
            return;
          case "Choice": {
            const choice = (state.Choices as Rule[]).find((rule) => evaluate(rule, effective));
            const next = (choice?.Next as string | undefined) ?? (state.Default as string | undefined);
            if (!next) throw new StatesError("States.NoChoiceMatched", `No Choice matched in ${stateName}`);
            input = this.output(state, effective);
            this.event(run, "ChoiceStateExited");
            stateName = next;
            continue;
          }
          case "Wait": {
            const seconds =
              state.SecondsPath !== undefined
                ? getPath(effective, state.SecondsPath as string)
                : state.Seconds;
            if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 0)
              throw new StatesError(
                "States.Runtime",
                `Wait seconds must be a non-negative integer, got ${seconds}`,
              );
            await this.sleep(seconds * 1000);
            input = this.output(state, effective);
            break;
          }
          case "Task": {
            const outcome = await this.task(run, state, effective, context);
            this.event(run, "TaskStateExited");
            if ("next" in outcome) {
              input = outcome.input;
              stateName = outcome.next;
              continue;
            }
            input = outcome.input;
            break;
          }
          default:
            throw new StatesError("States.Runtime", `Unsupported state type ${String(state.Type)}`);
        }
        if (type !== "Task") this.event(run, `${type}StateExited`);
        if (state.End === true) {
          this.event(run, "ExecutionSucceeded");
          run.status = "SUCCEEDED";
          run.output = input;
          return;
        }
        stateName = state.Next as string;
      }
      throw new StatesError("States.Runtime", "Too many transitions");
    } catch (error) {
      this.event(run, "ExecutionFailed");
      run.status = "FAILED";
      run.error = error instanceof StatesError ? error.error : "States.Runtime";
      run.cause = error instanceof StatesError ? error.causeText : (error as Error).message;
    }
  }

  private output(state: Record<string, Json>, value: Json): Json {
    return state.OutputPath === undefined ? value : getPath(value, state.OutputPath as string);
  }

  /** Runs a Task with its retriers and catchers; `next` is set when a catcher redirected the flow. */
  private async task(
    run: WorkflowRun,
    state: Record<string, Json>,
    rawInput: Json,
    context: Record<string, Json>,
  ): Promise<{ input: Json } | { input: Json; next: string }> {
    const retriers = ((state.Retry as Array<Record<string, Json>>) ?? []).map((r) => ({
      spec: r,
      attempts: 0,
    }));
    let attempt = 0;
    for (; ; attempt++) {
      (context.State as { RetryCount: number }).RetryCount = attempt;
      try {
        const result = await this.invoke(run, state, rawInput, context);
        const selected =
          state.ResultSelector !== undefined
            ? resolveTemplate(state.ResultSelector, result, context)
            : result;
        const merged = setPath(rawInput, state.ResultPath as string | null | undefined, selected);
        return { input: this.output(state, merged) };
      } catch (caught) {
        const error =
          caught instanceof StatesError
            ? caught
            : new StatesError(
                (caught as Error)?.name || "Error",
                JSON.stringify({
                  errorMessage: (caught as Error)?.message,
                  errorType: (caught as Error)?.name,
                }),
              );
        run.taskErrors.push({ state: run.current ?? "?", error: error.error, cause: error.causeText });
        const retrier = retriers.find((r) => matches(r.spec.ErrorEquals as string[], error.error));
        const max = (retrier?.spec.MaxAttempts as number | undefined) ?? 3;
        if (retrier && retrier.attempts < max) {
          const interval = (retrier.spec.IntervalSeconds as number | undefined) ?? 1;
          const rate = (retrier.spec.BackoffRate as number | undefined) ?? 2;
          let delay = interval * rate ** retrier.attempts;
          const cap = retrier.spec.MaxDelaySeconds as number | undefined;
          if (cap !== undefined) delay = Math.min(delay, cap);
          if (retrier.spec.JitterStrategy === "FULL") delay = this.rng.next() * delay;
          retrier.attempts += 1;
          await this.sleep(Math.round(delay * 1000));
          continue;
        }
        const catcher = ((state.Catch as Array<Record<string, Json>>) ?? []).find((c) =>
          matches(c.ErrorEquals as string[], error.error),
        );
        if (!catcher) throw error;
        const resultPath = catcher.ResultPath === undefined ? "$" : (catcher.ResultPath as string | null);
        const merged = setPath(rawInput, resultPath, {
          Error: error.error,
          Cause: error.causeText,
        });
        return { input: merged, next: catcher.Next as string };
      }
    }
  }

  private async invoke(
    run: WorkflowRun,
    state: Record<string, Json>,
    input: Json,
    context: Record<string, Json>,
  ): Promise<Json> {
    const resource = state.Resource as string;
    const waitForToken = resource === "arn:aws:states:::lambda:invoke.waitForTaskToken";
    this.event(run, "TaskScheduled");
    this.event(run, "TaskStarted");
    if (resource === "arn:aws:states:::states:startExecution") {
      // The optimized integration (no .sync): StartExecution of a workflow, its result is the ARN.
      const p = resolveTemplate(state.Parameters ?? {}, input, context) as {
        StateMachineArn: string;
        Name?: string;
        Input?: Json;
      };
      if (p.StateMachineArn !== this.options.stateMachineArn)
        throw new StatesError("StepFunctions.StateMachineDoesNotExistException", p.StateMachineArn);
      const name = p.Name ?? `${run.name}-child-${++this.tokenSeq}`;
      if (this.runs.has(name)) {
        this.event(run, "TaskFailed");
        throw new StatesError(
          "StepFunctions.ExecutionAlreadyExistsException",
          `Execution Already Exists: '${name}'`,
        );
      }
      const child = this.start(name, typeof p.Input === "string" ? p.Input : JSON.stringify(p.Input ?? {}));
      this.record("StartExecution (state machine)", { name, from: run.name }, "ok");
      this.event(run, "TaskSubmitted");
      this.event(run, "TaskSucceeded");
      return { ExecutionArn: child.arn, StartDate: new Date(child.startedAt).toISOString() };
    }
    if (resource !== "arn:aws:states:::lambda:invoke" && !waitForToken)
      throw new StatesError("States.Runtime", `Unsupported resource ${resource}`);
    let waiter: TokenWaiter | undefined;
    let token: string | undefined;
    if (waitForToken) {
      token = `token-${++this.tokenSeq}-${run.name}`;
      waiter = { run };
      this.tokens.set(token, waiter);
      context.Task = { Token: token };
    }
    const parameters = resolveTemplate(state.Parameters ?? {}, input, context) as {
      FunctionName: string;
      Payload?: Json;
    };
    const fn = this.options.functions[parameters.FunctionName];
    if (!fn)
      throw new StatesError("Lambda.ResourceNotFoundException", `No function ${parameters.FunctionName}`);
    let payload: Json;
    try {
      payload = jsonCopy(await fn(jsonCopy(parameters.Payload ?? input)));
    } catch (error) {
      this.event(run, "TaskFailed");
      if (token) {
        this.tokens.delete(token);
        this.usedTokens.add(token);
      }
      throw error;
    }
    if (!waitForToken || !waiter || !token) {
      this.event(run, "TaskSucceeded");
      return { ExecutedVersion: "$LATEST", Payload: payload, StatusCode: 200 };
    }
    this.event(run, "TaskSubmitted");

    // Parked: until SendTaskSuccess/Failure (possibly already sent by the function itself) or the timeout.
    const timeout =
      state.TimeoutSecondsPath !== undefined
        ? getPath(input, state.TimeoutSecondsPath as string)
        : (state.TimeoutSeconds as number | undefined);
    if (timeout !== undefined && (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1))
      throw new StatesError("States.Runtime", `Task timeout must be a positive integer, got ${timeout}`);
    const parked = waiter;
    const parkedToken = token;
    if (!parked.outcome) {
      await new Promise<void>((resolve) => {
        parked.wake = resolve;
        this.setBusy(-1);
        if (timeout !== undefined) {
          parked.cancelTimer = this.options.clock.schedule(this.options.clock.now() + timeout * 1000, () => {
            if (parked.outcome) return;
            this.tokens.delete(parkedToken);
            this.usedTokens.add(parkedToken);
            parked.outcome = { ok: false, error: new StatesError("States.Timeout", "Task timed out") };
            this.setBusy(+1);
            resolve();
          });
        }
      });
    }
    const outcome = parked.outcome;
    if (!outcome) throw new Error("token wait ended without an outcome");
    if (!outcome.ok) {
      this.event(run, outcome.error.error === "States.Timeout" ? "TaskTimedOut" : "TaskFailed");
      throw outcome.error;
    }
    this.event(run, "TaskSucceeded");
    return outcome.output;
  }
}
