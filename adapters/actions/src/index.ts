export {
  combineActionRunners,
  createHttpActionRunner,
  type HttpActionRunnerOptions,
} from "./http-action-runner.js";
