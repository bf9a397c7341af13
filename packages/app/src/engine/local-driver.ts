import type { Clock } from "@drso/clock";
import type { Store } from "@drso/core";
import type { StepExecution } from "./step-handler.js";

export interface LocalDriverOptions {
  store: Store;
  clock: Clock;
  stepExecution: StepExecution;
  /** Identifies this process in leases. */
  owner: string;
  leaseMs?: number;
  /** Longest sleep when nothing is due (new executions and commands also wake the loop through kick()). */
  idleMs?: number;
  log?: (message: string, detail?: unknown) => void;
}

/**
 * The local engine driver: picks executions whose wake-up time has come (or that have new commands), holds a
 * lease on each while stepping it, and sleeps until the next wake-up. All state is in the store, so a
 * restarted process simply carries on.
 */
export function createLocalDriver(options: LocalDriverOptions) {
  const { store, clock, stepExecution, owner } = options;
  // Short leases bound the recovery time after a crash; a heartbeat keeps them while a long step runs.
  const leaseMs = options.leaseMs ?? 30_000;
  const idleMs = options.idleMs ?? 1000;
  const log = options.log ?? (() => {});
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: AbortController | undefined;
  let lastError: { at: number; message: string } | undefined;
  let lastPassAt: number | undefined;

  /** Steps every execution due now, once each. Returns how many were stepped. */
  async function runDue(): Promise<number> {
    const now = clock.now();
    let ids = await store.executions.listDue(now, 50);
    if (lastPassAt !== undefined && now < lastPassAt - 5000) {
      // The clock went backwards: wake-up times are now in the "future". Step every active execution once;
      // the reconciler moves its timers back by the size of the jump.
      log("clock went backwards; stepping every active execution", { byMs: lastPassAt - now });
      ids = [...new Set([...ids, ...(await store.executions.listActive()).map((a) => a.executionId)])];
    }
    let stepped = 0;
    for (const id of ids) {
      if (!(await store.executions.acquireLease(id, owner, clock.now(), leaseMs))) continue;
      const heartbeat = new AbortController();
      const renewing = (async () => {
        while (!heartbeat.signal.aborted) {
          await clock.sleep(leaseMs / 3, heartbeat.signal).catch(() => {});
          if (!heartbeat.signal.aborted)
            await store.executions.acquireLease(id, owner, clock.now(), leaseMs).catch(() => false);
        }
      })();
      try {
        await stepExecution(id);
        stepped += 1;
      } catch (error) {
        lastError = { at: clock.now(), message: (error as Error).message };
        log("engine step failed", { executionId: id, error });
      } finally {
        heartbeat.abort();
        await renewing;
        await store.executions.releaseLease(id, owner).catch(() => {});
      }
    }
    lastPassAt = clock.now();
    return stepped;
  }

  async function run() {
    while (running) {
      try {
        await runDue();
      } catch (error) {
        lastError = { at: clock.now(), message: (error as Error).message };
        log("engine pass failed", error);
      }
      if (!running) break;
      let delay = idleMs;
      try {
        const next = await store.executions.nextWakeAt();
        if (next !== undefined) delay = Math.min(idleMs, Math.max(10, next - clock.now()));
      } catch {
        // Keep the idle delay.
      }
      wake = new AbortController();
      await clock.sleep(delay, wake.signal).catch(() => {});
    }
  }

  return {
    runDue,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    /** Wakes the loop now (a new execution or command). */
    kick() {
      wake?.abort();
    },
    async stop() {
      running = false;
      wake?.abort();
      await loop;
    },
    status() {
      return {
        running,
        owner,
        ...(lastPassAt !== undefined ? { lastPassAt } : {}),
        ...(lastError ? { lastError } : {}),
      };
    },
  };
}

export type LocalDriver = ReturnType<typeof createLocalDriver>;
/** Leases renew at every round of a long step, so a slow step never loses its lease. */
export function leaseRenewer(store: Store, clock: Clock, owner: string, leaseMs = 30_000) {
  return async (executionId: string) => {
    await store.executions.acquireLease(executionId, owner, clock.now(), leaseMs);
  };
}
