import { CfnOutput, NestedStack, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import * as kms from "aws-cdk-lib/aws-kms";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { buildDefinition } from "../state-machine/definition.js";
import { asTables } from "./cdk-types.js";
import { Api, type ApiRoute } from "./constructs/api.js";
import { Compute, type FunctionName } from "./constructs/compute.js";
import { Database, type TableSpec } from "./constructs/database.js";
import { Frontend } from "./constructs/frontend.js";
import { Identity } from "./constructs/identity.js";
import { Monitoring } from "./constructs/monitoring.js";
import { Orchestration } from "./constructs/orchestration.js";
import { type DeploymentParameters, resourceNames } from "./parameters.js";

export const VERSION = "0.1.0";

export interface RootStackProps extends StackProps {
  parameters: DeploymentParameters;
  /** `DYNAMO_TABLES` from @drso/store. */
  tables: readonly TableSpec[];
  /** Physical table names (default generated: see decision 015). */
  tableName?: (spec: TableSpec) => string;
  /** The API's routes (from the app's OpenAPI document). */
  routes: ApiRoute[];
  /** Code of each Lambda function (esbuild bundles). */
  code: Record<FunctionName, lambda.Code>;
  /** The built web app; required when `parameters.frontend`. */
  webDistDir?: string;
}

/** The nested stacks, in deployment order. */
export const NESTED_STACKS = [
  "Security",
  "Database",
  "Compute",
  "Orchestration",
  "Api",
  "Frontend",
  "Monitoring",
] as const;

/**
 * The orchestrator in one account and region (deploy it in the recovery region): a root stack composing
 * nested stacks. Constructs do not know they are nested; this class only places them and passes references.
 */
export class RootStack extends Stack {
  readonly nestedStacks: Partial<Record<(typeof NESTED_STACKS)[number], NestedStack>> = {};
  readonly database: Database;
  readonly identity: Identity;
  readonly compute: Compute;
  readonly orchestration: Orchestration;
  readonly api: Api;
  readonly frontend?: Frontend;
  readonly monitoring: Monitoring;
  readonly key: kms.Key;
  readonly parameters: DeploymentParameters;
  readonly names: ReturnType<typeof resourceNames>;

  constructor(scope: Construct, id: string, props: RootStackProps) {
    super(scope, id, props);
    const p = props.parameters;
    const names = resourceNames(p.environment);
    this.parameters = p;
    this.names = names;
    const retention = p.retentionDays as logs.RetentionDays;
    const nested = (name: (typeof NESTED_STACKS)[number], description: string) => {
      const stack = new NestedStack(this, name, {
        description: `DRS Orchestrator (${p.environment}): ${description}`,
      });
      this.nestedStacks[name] = stack;
      return stack;
    };

    // Security and identity: the data key, Cognito.
    const security = nested("Security", "encryption key and Cognito user pool");
    this.key = new kms.Key(security, "DataKey", {
      alias: `alias/${names.prefix}`,
      description: "DRS Orchestrator: DynamoDB tables and SNS topics",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.identity = new Identity(security, "Identity", {
      userPoolName: names.userPool,
      clientName: names.userPoolClient,
      mfa: p.mfa === "required" ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
    });

    this.database = new Database(nested("Database", "DynamoDB tables"), "Database", {
      tables: props.tables,
      ...(props.tableName ? { tableName: props.tableName } : {}),
      encryptionKey: this.key,
    });

    // By name, not by reference: the functions that start and signal workflows and the state machine that
    // invokes the functions would otherwise depend on each other.
    const stateMachineArnString = `arn:${this.partition}:states:${this.region}:${this.account}:stateMachine:${names.stateMachine}`;

    this.compute = new Compute(nested("Compute", "Lambda functions and notifications"), "Compute", {
      functionNames: {
        api: names.apiFunction,
        step: names.stepFunction,
        "pause-token": names.pauseTokenFunction,
        sweeper: names.sweeperFunction,
      },
      roleNamePrefix: `${names.prefix}-`,
      code: props.code,
      tables: Object.fromEntries(
        props.tables.map((spec) => [
          spec.id,
          {
            table: asTables(this.database.tables)[spec.id]!,
            indexNames: spec.globalSecondaryIndexes.map((i) => i.indexName),
          },
        ]),
      ),
      encryptionKey: this.key,
      stateMachineArn: stateMachineArnString,
      userPoolArn: this.identity.userPool.userPoolArn,
      environment: {
        DRSO_ENVIRONMENT: p.environment,
        DRSO_VERSION: VERSION,
        DRSO_STATE_MACHINE_ARN: stateMachineArnString,
      },
      apiEnvironment: {
        DRSO_USER_POOL_ID: this.identity.userPool.userPoolId,
        DRSO_USER_POOL_CLIENT_ID: this.identity.client.userPoolClientId,
        DRSO_CORS_ORIGINS: p.corsOrigins.join(","),
      },
      crossAccountRoleName: p.crossAccountRoleName,
      logRetention: retention,
    });
    for (const name of ["api", "step"] as const) {
      this.compute.functions[name].addEnvironment(
        "DRSO_NOTIFICATIONS_TOPIC_ARN",
        this.compute.notificationsTopic.topicArn,
      );
      this.compute.functions[name].addEnvironment("DRSO_EVENT_BUS_NAME", "default");
    }

    this.orchestration = new Orchestration(
      nested("Orchestration", "Step Functions engine driver"),
      "Orchestration",
      {
        stateMachineName: names.stateMachine,
        definition: buildDefinition({
          stepFunctionArn: this.compute.functions.step.functionArn,
          pauseTokenFunctionArn: this.compute.functions["pause-token"].functionArn,
        }),
        functions: [this.compute.functions.step, this.compute.functions["pause-token"]],
        logRetention: retention,
      },
    );

    this.api = new Api(nested("Api", "API Gateway REST API"), "Api", {
      restApiName: names.api,
      handler: this.compute.functions.api,
      userPool: this.identity.userPool,
      routes: props.routes,
      corsOrigins: p.corsOrigins,
      logRetention: retention,
      waf: p.wafEnabled,
    });

    if (p.frontend) {
      if (!props.webDistDir) throw new Error("The frontend is enabled but no web build directory was given.");
      this.frontend = new Frontend(nested("Frontend", "web UI (S3 + CloudFront)"), "Frontend", {
        webDistDir: props.webDistDir,
        runtimeConfig: {
          apiUrl: "/api",
          auth: {
            mode: "cognito",
            userPoolId: this.identity.userPool.userPoolId,
            clientId: this.identity.client.userPoolClientId,
            region: this.region,
          },
        },
        api: {
          domainName: `${this.api.restApi.restApiId}.execute-api.${this.region}.${this.urlSuffix}`,
          stageName: this.api.restApi.deploymentStage.stageName,
        },
        ...(p.domainName ? { domainName: p.domainName } : {}),
        ...(p.certificateArn ? { certificateArn: p.certificateArn } : {}),
        logRetentionDays: p.retentionDays,
      });
    }

    this.monitoring = new Monitoring(nested("Monitoring", "alarms and dashboard"), "Monitoring", {
      // Dashboards are global to the account: the region keeps two regions' deployments apart.
      dashboardName: `${names.prefix}-${this.region}`,
      functions: this.compute.functions,
      stateMachine: this.orchestration.stateMachine,
      restApi: this.api.restApi,
      metricsNamespace: "DRSOrchestrator",
      encryptionKey: this.key,
      ...(p.adminEmail ? { alarmEmail: p.adminEmail } : {}),
    });

    new CfnOutput(this, "ApiUrl", {
      description: "The API (the same paths as local mode's /api)",
      value: `${this.api.stageUrl}${this.api.basePath}`,
    });
    if (this.frontend)
      new CfnOutput(this, "WebUrl", {
        description: "The web UI",
        value: p.domainName ? `https://${p.domainName}` : this.frontend.url,
      });
    new CfnOutput(this, "UserPoolId", { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, "UserPoolClientId", { value: this.identity.client.userPoolClientId });
    new CfnOutput(this, "StateMachineArn", { value: this.orchestration.stateMachine.stateMachineArn });
    new CfnOutput(this, "NotificationsTopicArn", { value: this.compute.notificationsTopic.topicArn });
    new CfnOutput(this, "AlarmTopicArn", { value: this.monitoring.alarmTopic.topicArn });
    new CfnOutput(this, "NextStep", {
      description: "Create the first administrator",
      value: `npm run create-admin -- --email ${p.adminEmail ?? "<you@example.com>"} --stack ${this.stackName} --region ${this.region}`,
    });
  }
}
