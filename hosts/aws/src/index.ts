/**
 * @drso/aws: DRS Orchestrator on AWS. The CDK app (`src/cdk/app.ts`), the Lambda entry points
 * (`src/lambda/entry/*`) and the Step Functions driver. Exported for tests and tooling.
 */

export { CrossAccountStack } from "./cdk/cross-account-stack.js";
export { crossAccountTemplate } from "./cdk/cross-account-template.js";
export { CROSS_ACCOUNT_STACK_ID, createDrsoApp, ROOT_STACK_ID } from "./cdk/drso-app.js";
export { type DeploymentParameters, readParameters } from "./cdk/parameters.js";
export { NESTED_STACKS, RootStack } from "./cdk/root-stack.js";
export { API_BASE_PATH, type ApiHandlerDeps, createApiHandler } from "./lambda/api-lambda.js";
export { gatewayRoutes } from "./lambda/api-routes.js";
export { createPauseTokenLambda } from "./lambda/pause-token-lambda.js";
export { createStepLambda, nextMove } from "./lambda/step-lambda.js";
export { createSweeperLambda } from "./lambda/sweeper-lambda.js";
export { createWorkflowDriver, type StepFunctionsClient } from "./lambda/workflows.js";
export {
  buildDefinition,
  MAX_PARK_SECONDS,
  PARK_AFTER_SECONDS,
  type StepInput,
  type StepOutput,
} from "./state-machine/definition.js";
export { LocalStateMachine } from "./testing/asl-interpreter.js";
