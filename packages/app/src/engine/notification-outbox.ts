import type { Clock } from "@drso/clock";
import { backoffMs, type Execution, type ExecutionSummary, type Notifier, type Store } from "@drso/core";

/**
 * The notification outbox. A step's events are saved in the same write as the step (the store's event log is the
 * outbox); this dispatcher delivers the notified ones in order, at least once, and moves a per-execution cursor
 * (`outbox/<executionId>` in the key-value store) only after a delivery succeeded. A crash between save and send
 * loses nothing: the next flush (the next step of the execution, or the start-up sweep for executions that ended)
 * sends what the cursor has not passed. A failing channel is retried with backoff and never blocks the engine:
 * a flush is bounded and the cursor waits at the first undelivered event.
 */
export interface OutboxCursor {
  /** The store seq of the last event looked at. */
  eventSeq: number;
  /** The notification number of the last event delivered. */
  seq: number;
  /** Consecutive failed deliveries of the event after `eventSeq`, and when to try again. */
  failures?: number;
  retryAt?: number;
}

export interface NotificationOutboxDeps {
  store: Store;
  notifier: Notifier;
  clock: Clock;
  /** Which event types are notified. */
  notified: ReadonlySet<string>;
  log?: (message: string, detail?: unknown) => void;
}

const PAGE = 200;

export function createNotificationOutbox(deps: NotificationOutboxDeps) {
  const log = deps.log ?? (() => {});
  const key = (executionId: string) => `outbox/${executionId}`;
  /** One flush per execution at a time in this process (a second caller waits for the first). */
  const running = new Map<string, Promise<void>>();

  async function readCursor(executionId: string): Promise<OutboxCursor> {
    const raw = await deps.store.kv.get(key(executionId));
    return raw ? (JSON.parse(raw) as OutboxCursor) : { eventSeq: 0, seq: 0 };
  }

  async function flushOne(
    executionId: string,
    about: Pick<Execution | ExecutionSummary, "planId" | "planName" | "executionType">,
  ): Promise<void> {
    let cursor = await readCursor(executionId);
    if (cursor.retryAt !== undefined && deps.clock.now() < cursor.retryAt) return;
    const start = { ...cursor };
    try {
      for (;;) {
        const events = await deps.store.executions.events(executionId, cursor.eventSeq, PAGE);
        for (const event of events) {
          if (deps.notified.has(event.type)) {
            await deps.notifier.publish({
              ...event,
              planId: about.planId,
              planName: about.planName,
              executionType: about.executionType,
              eventId: `${executionId}:${event.seq}`,
              notificationSeq: cursor.seq + 1,
            });
            cursor = { eventSeq: event.seq, seq: cursor.seq + 1 };
            await deps.store.kv.put(key(executionId), JSON.stringify(cursor));
          } else {
            cursor = { ...cursor, eventSeq: event.seq };
          }
        }
        if (events.length < PAGE) break;
      }
    } catch (error) {
      const failures = (cursor.failures ?? 0) + 1;
      cursor = {
        ...cursor,
        failures,
        retryAt: deps.clock.now() + backoffMs(failures, `outbox:${executionId}`),
      };
      log("notification delivery failed; will retry", { executionId, error: (error as Error).message });
    }
    if (JSON.stringify(cursor) !== JSON.stringify(start))
      await deps.store.kv.put(key(executionId), JSON.stringify(cursor));
  }

  return {
    /** Delivers the execution's undelivered notified events (awaited: a Lambda returns only after it). */
    async flush(
      executionId: string,
      about: Pick<Execution | ExecutionSummary, "planId" | "planName" | "executionType">,
    ): Promise<void> {
      const previous = running.get(executionId);
      if (previous) await previous.catch(() => {});
      const run = flushOne(executionId, about);
      running.set(executionId, run);
      try {
        await run;
      } finally {
        if (running.get(executionId) === run) running.delete(executionId);
      }
    },
    /**
     * Start-up sweep: executions that ended recently may have events a crash left undelivered (they are not
     * stepped again, so nothing else would flush them).
     */
    async sweep(limit = 100): Promise<void> {
      const recent = await deps.store.executions.list({}, { by: "startTime", order: "desc" }, { limit });
      for (const e of recent.items) {
        // No cursor: never flushed by an outbox (ended before this version); its events went out already.
        if ((await deps.store.kv.get(key(e.executionId))) === undefined) continue;
        await this.flush(e.executionId, e);
      }
    },
  };
}

export type NotificationOutbox = ReturnType<typeof createNotificationOutbox>;
