export { forbiddenRange, hostAllowed, refusedDestination } from "./destination-guard.js";
export {
  combineActionRunners,
  createHttpActionRunner,
  type HttpActionRunnerOptions,
  httpActionAllowedHosts,
} from "./http-action-runner.js";
export { actionIdempotencyKey } from "./idempotency.js";
export {
  createSsmActionRunner,
  type SsmActionRunnerOptions,
} from "./ssm-action-runner.js";
