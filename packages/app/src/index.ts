export type { AppDeps, SimulatorControl } from "./deps.js";
export { runEffect } from "./engine/effect-runner.js";
export { createExecutionEventBus, type ExecutionEventBus } from "./engine/event-bus.js";
export { createLocalDriver, type LocalDriver, leaseRenewer } from "./engine/local-driver.js";
export {
  createStepHandler,
  NOTIFIED_EVENT_TYPES,
  type StepExecution,
  type StepHandlerDeps,
} from "./engine/step-handler.js";
export { dateRangeBounds, type EngineSignal, parseSeedDate } from "./executions.js";
export type { ProtectionGroupView, ResolveRequest } from "./protection-groups.js";
export {
  CHANGE_QUIET_MS,
  createStandaloneReadiness,
  type ReadinessChange,
  type ReadinessDeps,
  type ReadinessService,
  type ReadinessView,
} from "./readiness.js";
export type { RecoveryPlanView } from "./recovery-plans.js";
export { buildReport, type ExecutionReport, humanActions, humanTime, reportMarkdown } from "./report.js";
export { createServices, type Services } from "./services.js";
export { type SettingsView, toSettingsView } from "./settings.js";
