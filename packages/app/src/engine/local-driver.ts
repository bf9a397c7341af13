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
  /** Executions stepped at once, each in accounts/regions no other step in progress uses (default 4). */
  concurrency?: number;
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

  const concurrency = Math.max(1, options.concurrency ?? 4);
  /** Steps in progress, with the account/region pairs each execution works in. */
  const inFlight = new Map<string, { targets: ReadonlySet<string>; done: Promise<boolean> }>();

  /** Leases one execution, steps it once, releases it. False when another process holds it. */
  async function stepOne(id: string): Promise<boolean> {
    if (!(await store.executions.acquireLease(id, owner, clock.now(), leaseMs))) return false;
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
      return true;
    } catch (error) {
      lastError = { at: clock.now(), message: (error as Error).message };
      log("engine step failed", { executionId: id, error });
      return false;
    } finally {
      heartbeat.abort();
      await renewing;
      await store.executions.releaseLease(id, owner).catch(() => {});
    }
  }

  /** The executions due now and the account/region pairs of each (an unknown set overlaps every other). */
  async function due(): Promise<{ ids: string[]; targets: Map<string, ReadonlySet<string>> }> {
    const now = clock.now();
    let ids = await store.executions.listDue(now, 50);
    const backwards = lastPassAt !== undefined && now < lastPassAt - 5000;
    // Each step reads the active executions for its quota and conflict checks anyway; here they give the
    // account/region pairs that decide which steps may run side by side.
    const active = backwards || ids.length > 0 ? await store.executions.listActive() : [];
    if (backwards) {
      // The clock went backwards: wake-up times are now in the "future". Step every active execution once;
      // the reconciler moves its timers back by the size of the jump.
      log("clock went backwards; stepping every active execution", { byMs: lastPassAt! - now });
      ids = [...new Set([...ids, ...active.map((a) => a.executionId)])];
    }
    const targets = new Map(
      active.map(
        (a) => [a.executionId, new Set(a.serverKeys.map((k) => k.split("/", 2).join("/")))] as const,
      ),
    );
    return { ids, targets };
  }

  /**
   * Starts a step unless the execution is already being stepped, the limit is reached, or it shares an
   * account/region with a step in progress: executions in different accounts and regions step concurrently
   * (a 45 s DRS call in one account delays nobody else), while executions that share one stay one at a time,
   * so quota and conflict checks across executions still see each other's launches.
   */
  function tryStart(id: string, targets: ReadonlySet<string> | undefined): Promise<boolean> | undefined {
    if (inFlight.has(id) || inFlight.size >= concurrency) return undefined;
    const mine = targets ?? new Set<string>();
    for (const other of inFlight.values()) {
      if (mine.size === 0 || other.targets.size === 0) return undefined;
      for (const t of mine) if (other.targets.has(t)) return undefined;
    }
    const done = stepOne(id).finally(() => {
      inFlight.delete(id);
      wake?.abort();
    });
    inFlight.set(id, { targets: mine, done });
    return done;
  }

  /** Steps every execution due now, once each, and waits for them. Returns how many were stepped. */
  async function runDue(): Promise<number> {
    const { ids, targets } = await due();
    let stepped = 0;
    let waiting = ids.filter((id) => !inFlight.has(id));
    while (waiting.length > 0) {
      const started = waiting.map((id) => [id, tryStart(id, targets.get(id))] as const);
      waiting = started.filter(([, p]) => !p).map(([id]) => id);
      const running = started.flatMap(([, p]) => (p ? [p] : []));
      if (running.length === 0) {
        if (inFlight.size === 0) break;
        await Promise.race([...inFlight.values()].map((f) => f.done));
        continue;
      }
      for (const ok of await Promise.all(running)) if (ok) stepped += 1;
    }
    lastPassAt = clock.now();
    return stepped;
  }

  /** The loop's pass: starts what is due and may start, without waiting for steps in progress. */
  async function dispatchDue(): Promise<number> {
    const { ids, targets } = await due();
    let started = 0;
    for (const id of ids) if (tryStart(id, targets.get(id))) started += 1;
    lastPassAt = clock.now();
    return started;
  }

  async function run() {
    while (running) {
      wake = new AbortController();
      let started = 0;
      try {
        started = await dispatchDue();
      } catch (error) {
        lastError = { at: clock.now(), message: (error as Error).message };
        log("engine pass failed", error);
      }
      if (!running) break;
      let delay = idleMs;
      // Nothing could start (what is due is being stepped): wait for a step to end (it wakes the loop) rather
      // than asking the store again every few milliseconds for the same due executions.
      if (started > 0 || inFlight.size === 0)
        try {
          const next = await store.executions.nextWakeAt();
          if (next !== undefined) delay = Math.min(idleMs, Math.max(10, next - clock.now()));
        } catch {
          // Keep the idle delay.
        }
      await clock.sleep(delay, wake.signal).catch(() => {});
    }
    await Promise.all([...inFlight.values()].map((f) => f.done));
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
