import { createServices, type Services } from "@drso/app";
import { ManualClock } from "@drso/clock";
import {
  DEFAULT_SETTINGS,
  type Execution,
  type ProtectionGroupInput,
  type RecoveryPlanInput,
  type Settings,
  type Store,
  type UserDirectory,
} from "@drso/core";
import { createSdkDrsGatewayFactory, simulatorCredentials } from "@drso/drs";
import { createMemoryStore } from "@drso/store";
import { type FleetSpec, type RunningSimulator, startSimulator } from "drs-sim";
import { createPauseTokenLambda } from "../lambda/pause-token-lambda.js";
import { createStepLambda } from "../lambda/step-lambda.js";
import { createSweeperLambda } from "../lambda/sweeper-lambda.js";
import type { Telemetry } from "../lambda/telemetry.js";
import { createWorkflowDriver } from "../lambda/workflows.js";
import { buildDefinition, type PauseTokenInput, type StepInput } from "../state-machine/definition.js";
import { LocalStateMachine } from "./asl-interpreter.js";

export const STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:drs-orchestration-test";

const NO_USERS: UserDirectory = {
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

/** Telemetry that keeps what was said, so that a test can assert that nothing went wrong quietly. */
export function recordingTelemetry() {
  const lines: Array<{ level: string; message: string; detail?: unknown }> = [];
  const metrics = new Map<string, number>();
  const telemetry: Telemetry = {
    debug: (message, detail) => lines.push({ level: "debug", message, detail }),
    info: (message, detail) => lines.push({ level: "info", message, detail }),
    warn: (message, detail) => lines.push({ level: "warn", message, detail }),
    error: (message, detail) => lines.push({ level: "error", message, detail }),
    count: (metric, value = 1) => metrics.set(metric, (metrics.get(metric) ?? 0) + value),
  };
  return { telemetry, lines, metrics, errors: () => lines.filter((l) => l.level === "error") };
}

/**
 * The AWS driver end to end, locally: the generated state machine run by the local ASL interpreter, the real
 * Step / pause-token Lambda handlers in-process, the memory store, and the DRS simulator over the real SDK,
 * all on one ManualClock. The use cases' engine signal is the Step Functions one, talking to the interpreter's
 * fake SFNClient.
 */
export async function createSfnDrillHarness(
  options: {
    settings?: Partial<Settings>;
    store?: Store;
    /** Default the demo fleet. */
    fleet?: FleetSpec;
    /** Simulator job timings (default 0.01: a launch in seconds; 1 = DRS's real durations). */
    timeScale?: number;
    seed?: number;
    /** History budget of the Step Lambda (default HAND_OVER_EVENTS). */
    handOverEvents?: number;
  } = {},
) {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
  const sim: RunningSimulator = await startSimulator({
    clock,
    fleet: options.fleet ?? "demo",
    timeScale: options.timeScale ?? 0.01,
    seed: options.seed ?? 1,
  });
  const store = options.store ?? createMemoryStore();
  const settings: Settings = { ...DEFAULT_SETTINGS, ...options.settings };
  await store.settings.put(settings, 0);
  const drs = createSdkDrsGatewayFactory({
    mode: "sim",
    endpoint: sim.url,
    credentialsFor: (t) => simulatorCredentials(t.accountId),
    maxAttempts: 1,
  });
  const recorded = recordingTelemetry();
  const { telemetry } = recorded;

  const definition = buildDefinition({ stepFunctionArn: "step", pauseTokenFunctionArn: "pause-token" });
  const stepLambda = createStepLambda({
    engine: { store, drs, clock },
    telemetry,
    ...(options.handOverEvents !== undefined ? { handOverEvents: options.handOverEvents } : {}),
  });
  const machine = new LocalStateMachine({
    definition,
    stateMachineArn: STATE_MACHINE_ARN,
    clock,
    functions: {
      step: (payload) => stepLambda(payload as StepInput),
      "pause-token": (payload) => pauseTokenLambda(payload as PauseTokenInput),
    },
  });
  const workflows = createWorkflowDriver({
    store,
    sfn: machine.client,
    stateMachineArn: STATE_MACHINE_ARN,
    telemetry,
  });
  const pauseTokenLambda = createPauseTokenLambda({ store, clock, workflows, telemetry });
  const sweeper = createSweeperLambda({ store, clock, workflows, telemetry });

  let ids = 0;
  const services: Services = createServices(
    {
      store,
      drs,
      clock,
      newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, "0")}`,
      users: NO_USERS,
      inventoryTtlSeconds: 0,
    },
    workflows.signal,
  );

  const byAccount = new Map<string, string[]>();
  for (const r of sim.control.state().regions)
    byAccount.set(r.accountId, [...(byAccount.get(r.accountId) ?? []), r.region]);
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

  async function execution(id: string): Promise<Execution> {
    const e = await store.executions.get(id);
    if (!e) throw new Error(`no execution ${id}`);
    return e;
  }

  /**
   * Lets the workflows run until `done()` holds: whenever every workflow waits on the clock or on a task token,
   * jump the shared clock to the next timer (a Wait, a park timeout, a retry backoff or a simulator timer).
   */
  async function drive(done: () => Promise<boolean>, maxSteps = 20_000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      await machine.idle();
      if (await done()) return;
      if (!clock.runNext()) throw new Error("nothing left to wait for, but the condition does not hold");
    }
    throw new Error(`condition not reached after ${maxSteps} clock jumps`);
  }

  return {
    clock,
    sim,
    store,
    drs,
    services,
    machine,
    workflows,
    sweeper,
    recorded,
    execution,
    drive,
    async group(input: ProtectionGroupInput) {
      return services.protectionGroups.create(input, "tester@example.com");
    },
    async plan(input: RecoveryPlanInput) {
      return services.recoveryPlans.create(input, "tester@example.com");
    },
    /** The workflows of an execution with their history sizes (what the 25,000-event limit applies to). */
    history(executionId: string) {
      const runs = machine.runsOf(executionId);
      return {
        workflows: runs.map((r) => ({ name: r.name, status: r.status, events: r.eventCount })),
        maxEvents: Math.max(0, ...runs.map((r) => r.eventCount)),
        totalEvents: runs.reduce((sum, r) => sum + r.eventCount, 0),
        handOvers: runs.filter((r) => r.history.at(-1) === "HandedOver").length,
        failed: runs.filter((r) => r.status === "FAILED").length,
      };
    },
    launchesByServer(): Map<string, number> {
      const counts = new Map<string, number>();
      for (const r of sim.control.requests({ op: "StartRecovery", status: 202 }))
        for (const id of r.sourceServerIDs ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
      return counts;
    },
    async close() {
      await sim.close();
      await store.close();
    },
  };
}

export type SfnDrillHarness = Awaited<ReturnType<typeof createSfnDrillHarness>>;
