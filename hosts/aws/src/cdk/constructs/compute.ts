import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { assumeTargetRoleStatement, DRS_READ_ACTIONS, drsStatements } from "../policies.js";

export type FunctionName = "api" | "step" | "pause-token" | "sweeper";

/** Per-table access: what a function may do with a table (never more). */
export type TableAccess = "read" | "write" | "append";

const TABLE_ACTIONS: Record<TableAccess, string[]> = {
  read: [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:DescribeTable",
  ],
  write: [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:DescribeTable",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
  ],
  // The audit log is append-only: no update, no delete, not even through BatchWriteItem.
  append: [
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:DescribeTable",
    "dynamodb:PutItem",
    "dynamodb:ConditionCheckItem",
  ],
};

export interface ComputeProps {
  /** Physical names: `{ step: "drs-orchestration-prod-step", … }`. */
  functionNames: Record<FunctionName, string>;
  /** Role names (the cross-account trust matches `roleNamePrefix*`). */
  roleNamePrefix: string;
  code: Record<FunctionName, lambda.Code>;
  /** Tables by `DynamoTableSpec.id`, with their index names (grants name each index: no wildcards). */
  tables: Record<string, { table: dynamodb.ITable; indexNames: string[] }>;
  encryptionKey: kms.IKey;
  /** Formatted from its name, so that functions and state machine do not depend on each other. */
  stateMachineArn: string;
  userPoolArn: string;
  /** Environment variables every function gets (environment, version, state machine ARN, …). */
  environment: Record<string, string>;
  /** Extra variables for the API function (user pool, client, CORS origins). */
  apiEnvironment?: Record<string, string>;
  crossAccountRoleName: string;
  logRetention: logs.RetentionDays;
  /** Default 5 minutes. */
  sweepEvery?: Duration;
}

/**
 * The four Lambda functions (Node 22, arm64, X-Ray), each with its own role holding only what it does:
 *   api          the Hono app behind API Gateway
 *   step         one engine step (Step Functions `Step`)
 *   pause-token  stores a task token (Step Functions `WaitForSignal`)
 *   sweeper      restarts executions left without a workflow, and evaluates plan readiness (every 5 minutes)
 * plus the SNS topic for execution notifications and the sweeper's schedule.
 */
export class Compute extends Construct {
  readonly functions: Record<FunctionName, lambda.Function>;
  readonly roles: Record<FunctionName, iam.Role>;
  readonly notificationsTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { partition, region, account } = stack;

    this.notificationsTopic = new sns.Topic(this, "Notifications", {
      displayName: "DRS Orchestrator execution events",
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });

    const sizes: Record<FunctionName, { memory: number; timeout: Duration; description: string }> = {
      api: { memory: 1024, timeout: Duration.seconds(29), description: "DRS Orchestrator REST API (Hono)" },
      step: { memory: 1024, timeout: Duration.minutes(5), description: "DRS Orchestrator engine step" },
      "pause-token": {
        memory: 256,
        timeout: Duration.seconds(30),
        description: "DRS Orchestrator: stores a Step Functions task token",
      },
      sweeper: {
        memory: 256,
        timeout: Duration.minutes(2),
        description: "DRS Orchestrator: restarts undriven executions",
      },
    };

    const roles = {} as Record<FunctionName, iam.Role>;
    const functions = {} as Record<FunctionName, lambda.Function>;
    for (const name of Object.keys(sizes) as FunctionName[]) {
      // Generated name: a log group retained by an earlier deployment never blocks this one; kept on delete
      // and update, removed when the stack's first creation rolls back (decision 015).
      const logGroup = new logs.LogGroup(this, `${name}-logs`, {
        retention: props.logRetention,
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      });
      const role = new iam.Role(this, `${name}-role`, {
        roleName: `${props.roleNamePrefix}${name}-${region}`,
        assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
        description: `DRS Orchestrator ${name} function`,
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: "OwnLogs",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [logGroup.logGroupArn],
        }),
      );
      const fn = new lambda.Function(this, `${name}-function`, {
        functionName: props.functionNames[name],
        description: sizes[name].description,
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        handler: "index.handler",
        code: props.code[name],
        memorySize: sizes[name].memory,
        timeout: sizes[name].timeout,
        role,
        logGroup,
        tracing: lambda.Tracing.ACTIVE,
        environment: {
          ...props.environment,
          // Table names are generated by CloudFormation: the functions read them from here.
          DRSO_TABLES: stack.toJsonString(
            Object.fromEntries(Object.entries(props.tables).map(([id, t]) => [id, t.table.tableName])),
          ),
          ...(name === "api" ? (props.apiEnvironment ?? {}) : {}),
          POWERTOOLS_SERVICE_NAME: "drs-orchestrator",
          POWERTOOLS_METRICS_NAMESPACE: "DRSOrchestrator",
          POWERTOOLS_LOG_LEVEL: "INFO",
          NODE_OPTIONS: "--enable-source-maps",
        },
      });
      roles[name] = role;
      functions[name] = fn;
    }
    this.roles = roles;
    this.functions = functions;

    // ------------------------------------------------------------------ data
    const grantTables = (name: FunctionName, access: Record<string, TableAccess>) => {
      const byAccess = new Map<TableAccess, string[]>();
      for (const [tableId, level] of Object.entries(access)) {
        const entry = props.tables[tableId];
        if (!entry) throw new Error(`No table '${tableId}' for ${name}`);
        const arn = entry.table.tableArn;
        byAccess.set(level, [
          ...(byAccess.get(level) ?? []),
          arn,
          ...entry.indexNames.map((i) => `${arn}/index/${i}`),
        ]);
      }
      for (const [level, resources] of byAccess)
        roles[name].addToPolicy(
          new iam.PolicyStatement({
            sid: `Tables${level[0]!.toUpperCase()}${level.slice(1)}`,
            actions: TABLE_ACTIONS[level],
            resources,
          }),
        );
      roles[name].addToPolicy(
        new iam.PolicyStatement({
          sid: "DataKey",
          actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
          resources: [props.encryptionKey.keyArn],
        }),
      );
    };
    grantTables("api", {
      protectionGroups: "write",
      recoveryPlans: "write",
      executionHistory: "write",
      executionItems: "write",
      claims: "write",
      config: "write",
      audit: "append",
    });
    grantTables("step", {
      executionHistory: "write",
      executionItems: "write",
      // The DRS quota counters (decision 028) move in the same transaction as every execution save.
      claims: "write",
      config: "read",
    });
    grantTables("pause-token", { executionHistory: "write", executionItems: "write" });
    // The sweeper also evaluates plan readiness (issue 17): it reads plans, groups, accounts, settings and
    // executions, keeps results in the config table's key-value items and audits changes.
    grantTables("sweeper", {
      executionHistory: "read",
      executionItems: "read",
      protectionGroups: "read",
      recoveryPlans: "read",
      config: "write",
      audit: "append",
    });

    // ------------------------------------------------------------------ Step Functions
    const executionArns = `${props.stateMachineArn.replace(":stateMachine:", ":execution:")}:*`;
    roles.api.addToPolicy(
      new iam.PolicyStatement({
        sid: "DriveWorkflows",
        actions: ["states:StartExecution", "states:ListExecutions", "states:SendTaskSuccess"],
        resources: [props.stateMachineArn],
      }),
    );
    for (const name of ["api", "sweeper"] as const) {
      roles[name].addToPolicy(
        new iam.PolicyStatement({
          sid: "ReadWorkflows",
          actions: ["states:DescribeExecution"],
          resources: [executionArns],
        }),
      );
    }
    roles.sweeper.addToPolicy(
      new iam.PolicyStatement({
        sid: "RestartWorkflows",
        actions: ["states:StartExecution", "states:ListExecutions", "states:SendTaskSuccess"],
        resources: [props.stateMachineArn],
      }),
    );
    roles["pause-token"].addToPolicy(
      new iam.PolicyStatement({
        sid: "CompletePark",
        actions: ["states:SendTaskSuccess"],
        resources: [props.stateMachineArn],
      }),
    );

    // ------------------------------------------------------------------ DRS, SSM, STS
    for (const statement of drsStatements({ account, partition, write: false, ssm: false }))
      roles.api.addToPolicy(statement);
    for (const statement of drsStatements({ account, partition, write: true, ssm: true }))
      roles.step.addToPolicy(statement);
    // Readiness only reads DRS and SSM documents in this account (target accounts: through the role).
    roles.sweeper.addToPolicy(
      new iam.PolicyStatement({ sid: "DrsRead", actions: [...DRS_READ_ACTIONS], resources: ["*"] }),
    );
    roles.sweeper.addToPolicy(
      new iam.PolicyStatement({
        sid: "SsmDescribeDocuments",
        actions: ["ssm:DescribeDocument"],
        resources: [`arn:${partition}:ssm:*:*:document/*`],
      }),
    );
    roles.api.addToPolicy(assumeTargetRoleStatement(props.crossAccountRoleName, partition));
    roles.sweeper.addToPolicy(assumeTargetRoleStatement(props.crossAccountRoleName, partition));
    roles.step.addToPolicy(assumeTargetRoleStatement(props.crossAccountRoleName, partition));

    // ------------------------------------------------------------------ notifications
    for (const name of ["api", "step", "sweeper"] as const) {
      // (Topic.grantPublish would add kms:GenerateDataKey*; the TableKey statement already covers the same key.)
      roles[name].addToPolicy(
        new iam.PolicyStatement({
          sid: "PublishNotifications",
          actions: ["sns:Publish"],
          resources: [this.notificationsTopic.topicArn],
        }),
      );
      roles[name].addToPolicy(
        new iam.PolicyStatement({
          sid: "LifecycleEvents",
          actions: ["events:PutEvents"],
          resources: [`arn:${partition}:events:${region}:${account}:event-bus/default`],
        }),
      );
    }

    // ------------------------------------------------------------------ users (Cognito admin API)
    roles.api.addToPolicy(
      new iam.PolicyStatement({
        sid: "ManageUsers",
        actions: [
          "cognito-idp:AdminCreateUser",
          "cognito-idp:AdminGetUser",
          "cognito-idp:AdminSetUserPassword",
          "cognito-idp:AdminUpdateUserAttributes",
          "cognito-idp:AdminDisableUser",
          "cognito-idp:AdminEnableUser",
          "cognito-idp:AdminDeleteUser",
          "cognito-idp:AdminAddUserToGroup",
          "cognito-idp:AdminRemoveUserFromGroup",
          "cognito-idp:AdminListGroupsForUser",
          "cognito-idp:AdminUserGlobalSignOut",
          "cognito-idp:ListUsers",
          "cognito-idp:ListUsersInGroup",
        ],
        resources: [props.userPoolArn],
      }),
    );

    // ------------------------------------------------------------------ sweeper schedule
    new events.Rule(this, "SweepSchedule", {
      description: "DRS Orchestrator: drive executions whose workflow went missing",
      schedule: events.Schedule.rate(props.sweepEvery ?? Duration.minutes(5)),
      targets: [new targets.LambdaFunction(functions.sweeper, { retryAttempts: 2 })],
    });
  }
}
