import { createLocalDriver, createServices, createStepHandler, type Services } from "@drso/app";
import { type Clock, ManualClock } from "@drso/clock";
import {
  type ActionRunner,
  DEFAULT_SETTINGS,
  type DrsTarget,
  type Execution,
  type ProtectionGroupInput,
  type RecoveryPlanInput,
  type Settings,
  type Store,
} from "@drso/core";
import { createSdkDrsGatewayFactory, type SdkDrsGatewayOptions, simulatorCredentials } from "@drso/drs";
import { createMemoryStore } from "@drso/store";
import { type FleetSpec, type RunningSimulator, startSimulator } from "drs-sim";

/** The orchestrator host's clock, offset from DRS's (the simulator's): tests make it jump. */
export class SkewedClock implements Clock {
  offsetMs = 0;
  constructor(private readonly base: ManualClock) {}
  now(): number {
    return this.base.now() + this.offsetMs;
  }
  schedule(atMs: number, fn: () => void): () => void {
    return this.base.schedule(atMs - this.offsetMs, fn);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }
}

export interface EngineHarnessOptions {
  fleet: "demo" | FleetSpec;
  seed?: number;
  timeScale?: number;
  simConfig?: Record<string, unknown>;
  settings?: Partial<Settings>;
  store?: Store;
  /** Credentials per target (default: the simulator's per-account keys); tests of assumed-role sessions pass their own. */
  credentialsFor?: SdkDrsGatewayOptions["credentialsFor"];
  /**
   * Engines stepping the store side by side (default 1). On AWS every execution steps in Lambdas of its own, so
   * executions in one account/region step at the same time; one local driver steps those one at a time.
   */
  engines?: number;
  /** Wave action runners (default: none; a plan with actions fails them as unsupported). */
  actions?: (store: Store) => ActionRunner;
}

const USERS = {
  list: async () => [],
  get: async () => undefined,
  create: async () => {
    throw new Error("not used");
  },
  update: async () => {
    throw new Error("not used");
  },
  delete: async () => {},
  ensureInitialAdmin: async () => undefined,
};

/**
 * The engine against the real simulator over the real AWS SDK, on one virtual clock: minutes of DRS time
 * pass in milliseconds and every run with the same seed is the same run.
 */
export async function createEngineHarness(options: EngineHarnessOptions) {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
  const sim: RunningSimulator = await startSimulator({
    clock,
    fleet: options.fleet,
    seed: options.seed ?? 1,
    timeScale: options.timeScale ?? 1,
    config: { requestLogSize: 500_000, ...(options.simConfig ?? {}) } as never,
  });
  const store = options.store ?? createMemoryStore();
  const drs = createSdkDrsGatewayFactory({
    mode: "sim",
    endpoint: sim.url,
    credentialsFor: options.credentialsFor ?? ((t) => simulatorCredentials(t.accountId)),
    maxAttempts: 1,
  });
  const settings: Settings = {
    ...DEFAULT_SETTINGS,
    ...options.settings,
    quotas: { ...DEFAULT_SETTINGS.quotas, ...options.settings?.quotas },
  };
  await store.settings.put(settings, 0);
  const engineClock = new SkewedClock(clock);
  const actions = options.actions?.(store);
  const stepExecution = createStepHandler({
    store,
    drs,
    clock: engineClock,
    ...(actions ? { actions } : {}),
  });
  const driver = createLocalDriver({ store, clock: engineClock, stepExecution, owner: "harness" });
  const engines = [driver];
  for (let n = 2; n <= (options.engines ?? 1); n++)
    engines.push(createLocalDriver({ store, clock: engineClock, stepExecution, owner: `harness-${n}` }));
  let ids = 0;
  const services: Services = createServices(
    {
      store,
      drs,
      clock,
      newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, "0")}`,
      users: USERS,
      inventoryTtlSeconds: 0,
      ...(actions ? { actions } : {}),
    },
    driver,
  );

  const targets = sim.control.state().regions.map((r) => ({ accountId: r.accountId, region: r.region }));
  const byAccount = new Map<string, string[]>();
  for (const t of targets) byAccount.set(t.accountId, [...(byAccount.get(t.accountId) ?? []), t.region]);
  for (const [accountId, regions] of byAccount) {
    const now = new Date(clock.now()).toISOString();
    await store.accounts.create({
      accountId,
      name: accountId,
      regions,
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
  }

  /**
   * Runs the engine and the simulator until `done()` holds: steps whatever is due, then jumps the shared clock
   * to the next thing anyone waits for (an engine wake-up or a simulator timer).
   */
  async function drive(done: () => Promise<boolean>, maxIterations = 20_000): Promise<number> {
    for (let i = 0; i < maxIterations; i++) {
      await Promise.all(engines.map((d) => d.runDue()));
      if (await done()) return i;
      // Jump to the engine's next wake-up; simulator timers on the way fire in order as the clock passes them.
      const engineWake = await store.executions.nextWakeAt();
      const wake = engineWake !== undefined ? engineWake - engineClock.offsetMs : clock.nextTimerAt();
      if (wake === undefined) throw new Error("nothing left to wait for, but the condition does not hold");
      clock.advanceTo(Math.max(clock.now() + 1, wake));
    }
    throw new Error(`condition not reached after ${maxIterations} iterations`);
  }

  async function execution(id: string): Promise<Execution> {
    const e = await store.executions.get(id);
    if (!e) throw new Error(`no execution ${id}`);
    return e;
  }

  // The summary, not the whole document: `drive` asks after every step, and a 3,000-server execution is MBs.
  const terminal = (id: string) => async () =>
    ["COMPLETED", "FAILED", "CANCELLED"].includes((await store.executions.getSummary(id))?.status ?? "");

  return {
    clock,
    engineClock,
    sim,
    store,
    drs,
    services,
    driver,
    stepExecution,
    targets: targets as DrsTarget[],
    drive,
    execution,
    terminal,
    async group(input: ProtectionGroupInput) {
      return services.protectionGroups.create(input, "tester@example.com");
    },
    async plan(input: RecoveryPlanInput) {
      return services.recoveryPlans.create(input, "tester@example.com");
    },
    /** StartRecovery calls the simulator received, by source server. */
    launchesByServer(): Map<string, number> {
      const counts = new Map<string, number>();
      for (const r of sim.control.requests({ op: "StartRecovery", status: 202 })) {
        for (const id of r.sourceServerIDs ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    },
    async close() {
      await sim.close();
      await store.close();
    },
  };
}

export type EngineHarness = Awaited<ReturnType<typeof createEngineHarness>>;
