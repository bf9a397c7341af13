import { createAccountService } from "./accounts.js";
import type { AppDeps } from "./deps.js";
import { createDiscoveryService } from "./discovery.js";
import { createExecutionService, type EngineSignal } from "./executions.js";
import { createFailbackClientSimulation } from "./failback-client-simulation.js";
import { createInstanceService } from "./instances.js";
import { createInventory } from "./inventory.js";
import { createProtectionGroupService } from "./protection-groups.js";
import { createRecoveryPlanService } from "./recovery-plans.js";
import { createSettingsService } from "./settings.js";

/** The use cases, wired from ports. One instance per process. */
export function createServices(deps: AppDeps, engine: EngineSignal = { kick: () => {} }) {
  const inventory = createInventory(deps);
  const settings = createSettingsService(deps);
  const recoveryPlans = createRecoveryPlanService(deps, inventory);
  return {
    deps,
    inventory,
    settings,
    protectionGroups: createProtectionGroupService(deps, inventory),
    recoveryPlans,
    executions: createExecutionService(deps, inventory, recoveryPlans, engine),
    instances: createInstanceService(deps, inventory),
    /** Sim mode: the demo's failback clients on request. */
    failbackClients: createFailbackClientSimulation(deps, engine),
    accounts: createAccountService(deps, inventory),
    discovery: createDiscoveryService(deps, inventory, settings),
    audit: deps.store.audit,
    users: deps.users,
  };
}

export type Services = ReturnType<typeof createServices>;
