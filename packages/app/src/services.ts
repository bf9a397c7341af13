import { createAccountService } from "./accounts.js";
import type { AppDeps } from "./deps.js";
import { createDiscoveryService } from "./discovery.js";
import { createDrillScheduler } from "./drill-schedules.js";
import { createExecutionService, type EngineSignal } from "./executions.js";
import { createFailbackClientSimulation } from "./failback-client-simulation.js";
import { createInstanceService } from "./instances.js";
import { createInventory } from "./inventory.js";
import { createProtectionGroupService } from "./protection-groups.js";
import { createReadinessService, type ReadinessService } from "./readiness.js";
import { createRecoveryPlanService } from "./recovery-plans.js";
import { createSettingsService } from "./settings.js";

/** The use cases, wired from ports. One instance per process. */
export function createServices(deps: AppDeps, engine: EngineSignal = { kick: () => {} }) {
  const inventory = createInventory(deps);
  const settings = createSettingsService(deps);
  const readiness = createReadinessService(deps, inventory, settings);
  const recoveryPlans = createRecoveryPlanService(deps, inventory, readiness);
  const executions = createExecutionService(deps, inventory, recoveryPlans, engine);
  const schedules = createDrillScheduler(deps, executions.start, async (planId) => {
    const r = await readiness.latest(planId);
    return {
      status: r.status,
      reasons: r.checks.filter((c) => c.severity === "error").map((c) => c.message),
    };
  });
  return {
    deps,
    inventory,
    settings: reevaluatingAfter(settings, ["update"], readiness, "settings"),
    protectionGroups: reevaluatingAfter(
      createProtectionGroupService(deps, inventory),
      ["create", "update", "delete"],
      readiness,
      "protection group",
    ),
    recoveryPlans: reevaluatingAfter(
      recoveryPlans,
      ["create", "update", "delete"],
      readiness,
      "recovery plan",
    ),
    readiness,
    executions,
    schedules,
    instances: createInstanceService(deps, inventory),
    /** Sim mode: the demo's failback clients on request. */
    failbackClients: createFailbackClientSimulation(deps, engine),
    accounts: reevaluatingAfter(
      createAccountService(deps, inventory),
      ["create", "update", "delete"],
      readiness,
      "account",
    ),
    discovery: createDiscoveryService(deps, inventory, settings),
    audit: deps.store.audit,
    users: deps.users,
  };
}

export type Services = ReturnType<typeof createServices>;

/**
 * After a successful change of a plan, group, account or settings, readiness is evaluated again for every plan
 * (conflicts and shared quotas span plans), in the background: the change's answer never waits for DRS.
 */
function reevaluatingAfter<S extends object, K extends keyof S>(
  service: S,
  methods: readonly K[],
  readiness: ReadinessService,
  what: string,
): S {
  const wrapped = { ...service };
  for (const m of methods) {
    const original = service[m] as unknown as (...args: unknown[]) => Promise<unknown>;
    wrapped[m] = (async (...args: unknown[]) => {
      const result = await original.apply(service, args);
      readiness.changed(what);
      return result;
    }) as S[K];
  }
  return wrapped;
}
