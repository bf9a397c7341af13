import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { DYNAMO_TABLES } from "@drso/store";
import { App, type AppProps } from "aws-cdk-lib";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { gatewayRoutes } from "../lambda/api-routes.js";
import { acknowledgeFindings } from "./acknowledgements.js";
import { bundleLambda, LAMBDA_ENTRIES, type LambdaName, PACKAGE_ROOT } from "./bundling.js";
import type { FunctionName } from "./constructs/compute.js";
import { CrossAccountStack } from "./cross-account-stack.js";
import { addNagChecks } from "./nag.js";
import { type DeploymentParameters, readParameters } from "./parameters.js";
import { RootStack, VERSION } from "./root-stack.js";

export const REPO_ROOT = resolve(PACKAGE_ROOT, "..", "..");
export const DEFAULT_WEB_DIST = join(REPO_ROOT, "packages", "web", "dist");

export class MissingWebBuildError extends Error {}

export function resolveWebDist(parameters: DeploymentParameters): string | undefined {
  if (!parameters.frontend) return undefined;
  const dir = resolve(parameters.webDistDir ?? DEFAULT_WEB_DIST);
  if (!existsSync(join(dir, "index.html")))
    throw new MissingWebBuildError(
      `The web UI is not built: ${join(dir, "index.html")} does not exist.\n` +
        "  Build it first:        npm run build -w @drso/web   (npm run synth / deploy do this for you)\n" +
        "  or deploy API-only:    -c frontend=false",
    );
  return dir;
}

export interface DrsoAppOptions extends AppProps {
  /** Where the Lambda bundles go (default hosts/aws/cdk.out/.bundles). */
  bundleDir?: string;
  /** Replaces the bundles (tests that only look at the templates). */
  code?: (name: FunctionName) => lambda.Code;
}

export const ROOT_STACK_ID = (environment: string) => `DrsOrchestrator-${environment}`;
export const CROSS_ACCOUNT_STACK_ID = "DrsOrchestratorTargetAccountRole";

/**
 * The CDK app: the orchestrator's root stack (one per environment; deploy it in the recovery region) and the
 * cross-account role stack for target accounts. Env-agnostic and offline: no lookups, no credentials needed to
 * synthesize. cdk-nag's AWS Solutions checks run on every synth.
 */
export function createDrsoApp(options: DrsoAppOptions = {}) {
  const { bundleDir, code, ...appProps } = options;
  const app = new App(appProps);
  addNagChecks(app);
  const parameters = readParameters((key) => app.node.tryGetContext(key));
  const webDistDir = resolveWebDist(parameters);
  const outRoot = bundleDir ?? join(PACKAGE_ROOT, "cdk.out", ".bundles");
  const lambdaCode = {} as Record<FunctionName, lambda.Code>;
  for (const name of Object.keys(LAMBDA_ENTRIES) as LambdaName[])
    lambdaCode[name] = code ? code(name) : lambda.Code.fromAsset(bundleLambda(name, outRoot));

  const root = new RootStack(app, ROOT_STACK_ID(parameters.environment), {
    description: `DRS Orchestrator ${VERSION} (${parameters.environment}): orchestration for AWS Elastic Disaster Recovery`,
    parameters,
    tables: DYNAMO_TABLES,
    routes: gatewayRoutes(VERSION),
    code: lambdaCode,
    ...(webDistDir ? { webDistDir } : {}),
    tags: { Project: "drs-orchestrator", Environment: parameters.environment },
  });
  const crossAccount = new CrossAccountStack(app, CROSS_ACCOUNT_STACK_ID, {
    defaultRoleName: parameters.crossAccountRoleName,
    tags: { Project: "drs-orchestrator" },
  });
  acknowledgeFindings(root, crossAccount);
  return { app, root, crossAccount, parameters };
}
