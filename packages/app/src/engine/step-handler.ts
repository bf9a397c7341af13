import type { Clock } from "@drso/clock";
import {
  ConflictError,
  DEFAULT_SETTINGS,
  type Execution,
  type Notifier,
  type Observation,
  othersUsage,
  PreconditionFailedError,
  type Settings,
  step,
  usageKeysOf,
  usageOf,
} from "@drso/core";
import { type EffectRunnerDeps, mapLimit, runEffect } from "./effect-runner.js";
import type { ExecutionEventBus } from "./event-bus.js";
import { createNotificationOutbox } from "./notification-outbox.js";

/** Event types that leave the system (webhooks, SNS): lifecycle, not per-poll chatter. */
export const NOTIFIED_EVENT_TYPES = new Set([
  "execution.started",
  "execution.paused",
  "execution.resumed",
  "execution.cancelling",
  "execution.completed",
  "execution.failed",
  "execution.cancelled",
  "wave.started",
  "wave.completed",
  "wave.failed",
  "wave.timed-out",
  "wave.skipped",
  "wave.cancelled",
  "wave.waiting",
  "approval.requested",
  "approval.approved",
  "approval.rejected",
  "approval.timed-out",
  "execution.force-ended",
  "termination.started",
  "termination.completed",
  "termination.failed",
]);

export interface StepHandlerDeps extends EffectRunnerDeps {
  clock: Clock;
  notifier?: Notifier;
  bus?: ExecutionEventBus;
  /** Called before each round (the local driver renews its lease here). */
  beforeRound?: (executionId: string) => Promise<void>;
  log?: (message: string, detail?: unknown) => void;
  /**
   * Await the notification outbox before returning (default; a Lambda must). The local host passes false: the
   * outbox then delivers in the background, so a slow webhook never delays a step.
   */
  awaitNotifications?: boolean;
  /** Safety bound on rounds per call; the next wake-up continues. */
  maxRounds?: number;
  /**
   * Adjusts the stored settings for one execution before it is stepped (AWS: DRS quotas read from Service
   * Quotas for the execution's accounts and regions). Absent = the stored settings as they are.
   */
  settingsFor?: (execution: Execution, settings: Settings) => Promise<Settings>;
}

/** How many times one call steps again after the store refused a save for quota before it leaves it to the next. */
const MAX_QUOTA_REFUSALS = 8;

/**
 * Drives one execution: step → save (with its events) → run the effects → step with their results … until
 * a step asks for nothing. The state is saved before any effect runs, so a crash at any point leaves either
 * an intent to resolve or a recorded result — never a DRS call the store does not know about.
 * Both drivers call this: the local loop, and the Step Functions Lambda.
 */
export function createStepHandler(deps: StepHandlerDeps) {
  const log = deps.log ?? (() => {});
  const maxRounds = deps.maxRounds ?? 100;

  /**
   * What the other executions hold where this one may launch: everyone's usage there (one read per
   * account/region on DynamoDB, of the active rows' usage on SQLite) minus this execution's as stored. Another
   * engine may launch between this read and the save; the store's own check at save time is what holds the
   * limits. `full` lists the account/regions the store refused in this call; they count as full until the next.
   */
  async function otherUsage(execution: Execution, full: ReadonlySet<string>, quotas: Settings["quotas"]) {
    const total = await deps.store.executions.usageIn(usageKeysOf(execution));
    const usage = othersUsage(total, usageOf(execution));
    for (const key of full) usage[key] = { jobs: quotas.concurrentJobs, servers: quotas.serversInAllJobs };
    return usage;
  }

  const reload = (executionId: string) => deps.store.executions.get(executionId);

  const outbox = deps.notifier
    ? createNotificationOutbox({
        store: deps.store,
        notifier: deps.notifier,
        clock: deps.clock,
        notified: NOTIFIED_EVENT_TYPES,
        log,
      })
    : undefined;

  async function stepExecution(executionId: string): Promise<{ execution?: Execution; rounds: number }> {
    let execution = await deps.store.executions.get(executionId);
    if (!execution) return { rounds: 0 };
    const stored = (await deps.store.settings.get())?.settings ?? DEFAULT_SETTINGS;
    const settings = deps.settingsFor ? await deps.settingsFor(execution, stored) : stored;
    let observations: Observation[] = (
      await deps.store.executions.commandsAfter(executionId, execution.appliedCommandSeq)
    ).map((command) => ({
      type: "command" as const,
      command,
    }));
    let rounds = 0;
    const full = new Set<string>();
    while (rounds < maxRounds) {
      rounds += 1;
      await deps.beforeRound?.(executionId);
      const expectedVersion = execution.version;
      // Handed over: `execution` is this handler's own copy (from the store, or returned by its save).
      const result = step(execution, observations, {
        now: deps.clock.now(),
        settings,
        otherUsage: await otherUsage(execution, full, settings.quotas),
        handOver: true,
      });
      try {
        execution = await deps.store.executions.save(result.execution, expectedVersion, {
          events: result.events,
          quotas: settings.quotas,
        });
      } catch (error) {
        if (isQuotaRefusal(error)) {
          // Another execution took the capacity since the usage was read. Nothing of this round was saved or
          // run: step the stored state again with the same observations, that account/region counted as full,
          // so its launches wait for capacity (and the rest of the round goes on).
          const key = String(error.extra.key);
          log("the store refused a launch for DRS quota; waiting for capacity", { executionId, key });
          const fresh =
            full.has(key) || full.size >= MAX_QUOTA_REFUSALS ? undefined : await reload(executionId);
          if (!fresh) return { rounds };
          full.add(key);
          execution = fresh;
          continue;
        }
        if (!(error instanceof PreconditionFailedError)) throw error;
        // Someone else saved meanwhile (lease lost). Start over from the stored state: effects of this round
        // were not run, and any intent they stand for is resolved by the lost-intent path of the reconciler.
        log("execution changed underneath the engine; reloading", { executionId });
        const fresh = await reload(executionId);
        if (!fresh) return { rounds };
        execution = fresh;
        observations = (
          await deps.store.executions.commandsAfter(executionId, execution.appliedCommandSeq)
        ).map((command) => ({ type: "command" as const, command }));
        continue;
      }
      if (result.events.length > 0) deps.bus?.publish(executionId);
      if (result.effects.length === 0) break;
      const current = execution;
      observations = await mapLimit(result.effects, 16, (effect) =>
        runEffect(current.executionId, effect, deps),
      );
    }
    // The step's events are saved; deliver the notified ones before returning (a Lambda awaits this).
    if (outbox && execution) {
      const delivering = outbox.flush(executionId, execution);
      if (deps.awaitNotifications === false)
        delivering.catch((error: unknown) => log("notification outbox failed", error));
      else await delivering;
    }
    return { execution, rounds };
  }
  return Object.assign(stepExecution, { outbox });
}

function isQuotaRefusal(error: unknown): error is ConflictError {
  return error instanceof ConflictError && error.code === "QUOTA_EXCEEDED";
}

export type StepExecution = ReturnType<typeof createStepHandler>;
