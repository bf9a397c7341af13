export {
  combineActionRunners,
  createHttpActionRunner,
  type HttpActionRunnerOptions,
} from "./http-action-runner.js";
export {
  automationClientToken,
  createSsmActionRunner,
  type SsmActionRunnerOptions,
} from "./ssm-action-runner.js";
