import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import {
  combineActionRunners,
  createHttpActionRunner,
  createSsmActionRunner,
  httpActionAllowedHosts,
} from "@drso/actions";
import { createServices, createStandaloneReadiness, type Services } from "@drso/app";
import { SystemClock } from "@drso/clock";
import type { UserDirectory } from "@drso/core";
import { type Account, DEFAULT_SETTINGS, type DrsTarget, type Notifier, type Store } from "@drso/core";
import {
  assumeRoleCredentials,
  type CredentialSource,
  createSdkDrsGatewayFactory,
  createServiceQuotasReader,
} from "@drso/drs";
import { createCognitoUserDirectory, createCognitoVerifier, principalFromClaims } from "@drso/identity";
import {
  combineNotifiers,
  createEventBridgeNotifier,
  createSnsNotifier,
  createWebhookNotifier,
} from "@drso/notify";
import { createDynamoStore, dynamoTableNames } from "@drso/store";
import { createApiHandler } from "./api-lambda.js";
import { type LambdaEnv, loadLambdaEnv } from "./config.js";
import { createPauseTokenLambda } from "./pause-token-lambda.js";
import { quotaAwareSettings } from "./quotas.js";
import { createStepLambda } from "./step-lambda.js";
import { createSweeperLambda } from "./sweeper-lambda.js";
import { type Powertools, powertoolsTelemetry, type Telemetry } from "./telemetry.js";
import { createWorkflowDriver } from "./workflows.js";

/**
 * The AWS composition root: reads the environment once per cold start and wires the adapters to the ports.
 * Each entry point (`entry/*.ts`) takes only what it needs, so a function's bundle and its IAM role match.
 */
export function powertools(functionName: string): Powertools {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? "drs-orchestrator";
  return {
    logger: new Logger({ serviceName, persistentKeys: { function: functionName } }),
    metrics: new Metrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "DRSOrchestrator",
      serviceName,
    }),
    tracer: new Tracer({ serviceName }),
  };
}

interface Core {
  env: LambdaEnv;
  tools: Powertools;
  telemetry: Telemetry;
  store: Store;
  clock: SystemClock;
  credentialsFor(target: DrsTarget): CredentialSource | undefined;
}

function core(functionName: string, required: Array<keyof LambdaEnv> = []): Core {
  const env = loadLambdaEnv(process.env, required);
  const tools = powertools(functionName);
  const telemetry = powertoolsTelemetry(tools);
  const dynamo = tools.tracer.captureAWSv3Client(new DynamoDBClient({ region: env.AWS_REGION }));
  const tables = { ...dynamoTableNames(env.DRSO_ENVIRONMENT), ...(env.DRSO_TABLES ?? {}) } as ReturnType<
    typeof dynamoTableNames
  >;
  const store = createDynamoStore({ client: dynamo, tables });
  // One STS session per target account role, refreshed before expiry; the orchestrator's own account
  // (an account without a role ARN) uses the function's role.
  const ownCredentials = defaultProvider();
  const sessions = new Map<string, ReturnType<typeof assumeRoleCredentials>>();
  const accounts = new Map<string, { account?: Account; at: number }>();
  async function accountOf(accountId: string): Promise<Account | undefined> {
    const cached = accounts.get(accountId);
    if (cached && Date.now() - cached.at < 60_000) return cached.account;
    const account = await store.accounts.get(accountId);
    accounts.set(accountId, { ...(account ? { account } : {}), at: Date.now() });
    return account;
  }
  const credentialsFor =
    (target: DrsTarget): CredentialSource =>
    async () => {
      const account = await accountOf(target.accountId);
      if (!account?.roleArn) return ownCredentials();
      // One session per role, for every region: STS is called in the function's own region (always active),
      // and its sessions are valid in every region, opt-in recovery regions included.
      const key = `${account.roleArn}|${account.externalId ?? ""}`;
      let session = sessions.get(key);
      if (!session) {
        session = assumeRoleCredentials({
          roleArn: account.roleArn,
          region: target.region,
          stsRegion: env.AWS_REGION,
          sessionName: `drs-orchestrator-${env.DRSO_ENVIRONMENT}`,
          ...(account.externalId ? { externalId: account.externalId } : {}),
        });
        sessions.set(key, session);
      }
      return session();
    };
  return { env, tools, telemetry, store, clock: new SystemClock(), credentialsFor };
}

function engineDeps(c: Core) {
  const drs = createSdkDrsGatewayFactory({ mode: "aws", credentialsFor: c.credentialsFor });
  const notifiers: Notifier[] = [
    createWebhookNotifier({
      targets: async () => ((await c.store.settings.get())?.settings ?? DEFAULT_SETTINGS).webhooks,
      log: (m, d) => c.telemetry.warn(m, { detail: d }),
    }),
  ];
  if (c.env.DRSO_NOTIFICATIONS_TOPIC_ARN)
    notifiers.push(
      createSnsNotifier({
        client: c.tools.tracer.captureAWSv3Client(new SNSClient({ region: c.env.AWS_REGION })),
        topicArn: c.env.DRSO_NOTIFICATIONS_TOPIC_ARN,
      }),
    );
  if (c.env.DRSO_EVENT_BUS_NAME)
    notifiers.push(
      createEventBridgeNotifier({
        client: c.tools.tracer.captureAWSv3Client(new EventBridgeClient({ region: c.env.AWS_REGION })),
        eventBusName: c.env.DRSO_EVENT_BUS_NAME,
      }),
    );
  const ssmClients = new Map<string, SSMClient>();
  const actions = combineActionRunners(
    createHttpActionRunner({ allowedHosts: httpActionAllowedHosts(c.store) }),
    createSsmActionRunner({
      clientFor: (target: DrsTarget) => {
        const key = `${target.accountId}/${target.region}`;
        let client = ssmClients.get(key);
        if (!client) {
          const credentials = c.credentialsFor(target);
          client = new SSMClient({ region: target.region, ...(credentials ? { credentials } : {}) });
          ssmClients.set(key, client);
        }
        return client;
      },
    }),
  );
  return { store: c.store, drs, clock: c.clock, notifier: combineNotifiers(...notifiers), actions };
}

function workflowsOf(c: Core) {
  return createWorkflowDriver({
    store: c.store,
    sfn: c.tools.tracer.captureAWSv3Client(new SFNClient({ region: c.env.AWS_REGION })),
    stateMachineArn: c.env.DRSO_STATE_MACHINE_ARN,
    telemetry: c.telemetry,
  });
}

export function composeStepLambda() {
  const c = core("step");
  const engine = engineDeps(c);
  const quotas = createServiceQuotasReader({
    clientFor: (region, accountId) => {
      const credentials = c.credentialsFor({ accountId, region });
      return new ServiceQuotasClient({ region, ...(credentials ? { credentials } : {}) });
    },
  });
  return {
    tools: c.tools,
    step: createStepLambda({
      engine: {
        ...engine,
        settingsFor: quotaAwareSettings(quotas),
        log: (m, d) => c.telemetry.warn(m, { detail: d }),
      },
      telemetry: c.telemetry,
    }),
  };
}

export function composePauseTokenLambda() {
  const c = core("pause-token");
  return {
    tools: c.tools,
    storeToken: createPauseTokenLambda({
      store: c.store,
      clock: c.clock,
      workflows: workflowsOf(c),
      telemetry: c.telemetry,
    }),
  };
}

export function composeSweeperLambda() {
  const c = core("sweeper");
  const engine = engineDeps(c);
  return {
    tools: c.tools,
    sweep: createSweeperLambda({
      store: c.store,
      clock: c.clock,
      workflows: workflowsOf(c),
      telemetry: c.telemetry,
      readiness: createStandaloneReadiness({
        store: c.store,
        drs: engine.drs,
        clock: c.clock,
        newId: () => crypto.randomUUID(),
        notifier: engine.notifier,
        actions: engine.actions,
      }),
    }),
  };
}

export function composeApiLambda() {
  const c = core("api", ["DRSO_USER_POOL_ID", "DRSO_USER_POOL_CLIENT_ID"]);
  const userPoolId = c.env.DRSO_USER_POOL_ID!;
  const clientId = c.env.DRSO_USER_POOL_CLIENT_ID!;
  const users: UserDirectory = createCognitoUserDirectory({
    client: c.tools.tracer.captureAWSv3Client(
      new CognitoIdentityProviderClient({ region: c.env.AWS_REGION }),
    ),
    userPoolId,
  });
  const engine = engineDeps(c);
  const services: Services = createServices(
    {
      store: c.store,
      drs: engine.drs,
      clock: c.clock,
      newId: () => crypto.randomUUID(),
      users,
      notifier: engine.notifier,
      actions: engine.actions,
    },
    workflowsOf(c).signal,
  );
  const rate = c.env.DRSO_RATE_LIMIT_PER_USER;
  return {
    tools: c.tools,
    api: createApiHandler({
      services,
      verifier: createCognitoVerifier({ userPoolId, clientId, region: c.env.AWS_REGION }),
      principalFromClaims,
      version: c.env.DRSO_VERSION,
      corsOrigins: (c.env.DRSO_CORS_ORIGINS ?? "")
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
      rateLimit: { ratePerSecond: rate, burst: Math.max(20, rate * 2) },
      telemetry: c.telemetry,
    }),
  };
}
