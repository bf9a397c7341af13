import { DYNAMO_TABLES } from "@drso/store";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayRoutes } from "../lambda/api-routes.js";
import { buildDefinition } from "../state-machine/definition.js";
import { joinToString, type SynthesizedApp, synthesizeApp } from "../testing/synth.js";
import { NESTED_STACKS } from "./root-stack.js";

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Effect: string };

const of = (t: Template, type: string) => Object.values(t.findResources(type)) as Resource[];
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resources = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

let s: SynthesizedApp;
beforeAll(() => {
  s = synthesizeApp();
}, 240_000);
afterAll(() => s?.cleanup());

/** Policy statements of the role whose RoleName starts with the prefix, e.g. `drs-orchestration-prod-api-`. */
function roleStatements(name: string): Statement[] {
  const compute = s.nested.Compute;
  const roles = compute.findResources("AWS::IAM::Role");
  const roleId = Object.entries(roles).find(([, r]) =>
    joinToString((r as Resource).Properties.RoleName).startsWith(`drs-orchestration-prod-${name}-`),
  )?.[0];
  if (!roleId) throw new Error(`no role for ${name}`);
  const policies = Object.values(compute.findResources("AWS::IAM::Policy")) as Resource[];
  return policies
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe("the CDK app: structure", () => {
  it("is a root stack of seven nested stacks, synthesized offline in one go", () => {
    const stacks = s.root.findResources("AWS::CloudFormation::Stack");
    expect(Object.keys(stacks)).toHaveLength(NESTED_STACKS.length);
    expect(Object.keys(s.nested).sort()).toEqual([...NESTED_STACKS].sort());
    // Nothing but nested stacks at the root: every resource lives in its area.
    expect(
      Object.values(s.root.toJSON().Resources as Record<string, Resource>).every(
        (r) => r.Type === "AWS::CloudFormation::Stack",
      ),
    ).toBe(true);
    console.log(`synth (7 nested stacks + cross-account stack, cdk-nag): ${s.synthMs} ms`);
  });

  it("puts each area's resources in its own nested stack", () => {
    expect(of(s.nested.Security, "AWS::Cognito::UserPool")).toHaveLength(1);
    expect(of(s.nested.Security, "AWS::KMS::Key")).toHaveLength(1);
    expect(of(s.nested.Database, "AWS::DynamoDB::Table")).toHaveLength(DYNAMO_TABLES.length);
    expect(of(s.nested.Compute, "AWS::Lambda::Function")).toHaveLength(4);
    expect(of(s.nested.Orchestration, "AWS::StepFunctions::StateMachine")).toHaveLength(1);
    expect(of(s.nested.Api, "AWS::ApiGateway::RestApi")).toHaveLength(1);
    expect(of(s.nested.Frontend, "AWS::CloudFront::Distribution")).toHaveLength(1);
    expect(of(s.nested.Monitoring, "AWS::CloudWatch::Dashboard")).toHaveLength(1);
  });

  it("has outputs for the API, the web UI, Cognito and the next step", () => {
    const outputs = Object.keys(s.root.toJSON().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining([
        "ApiUrl",
        "WebUrl",
        "UserPoolId",
        "UserPoolClientId",
        "StateMachineArn",
        "NextStep",
      ]),
    );
  });
});

describe("cdk-nag (AwsSolutions)", () => {
  it("reports no unacknowledged finding, error or warning", () => {
    const violations = s.report.pluginReports.flatMap((r) => r.violations ?? []);
    expect(violations).toEqual([]);
  });

  it("acknowledges each kept finding with a reason", () => {
    expect(s.acknowledged.length).toBeGreaterThan(10);
    for (const ack of s.acknowledged) {
      expect(ack.id).toMatch(/^AwsSolutions-[A-Z0-9]+(\[.+\])?$/);
      expect(ack.reason.length, ack.id).toBeGreaterThan(40);
    }
  });
});

describe("data: DynamoDB tables from DYNAMO_TABLES", () => {
  it("creates exactly the adapter's tables, keys and indexes", () => {
    for (const spec of DYNAMO_TABLES) {
      s.nested.Database.hasResourceProperties("AWS::DynamoDB::Table", {
        TableName: Match.absent(),
        KeySchema: [
          { AttributeName: spec.partitionKey.name, KeyType: "HASH" },
          ...(spec.sortKey ? [{ AttributeName: spec.sortKey.name, KeyType: "RANGE" }] : []),
        ],
        ...(spec.globalSecondaryIndexes.length > 0
          ? {
              GlobalSecondaryIndexes: spec.globalSecondaryIndexes.map((i) =>
                Match.objectLike({ IndexName: i.indexName }),
              ),
            }
          : {}),
        ...(spec.timeToLiveAttribute
          ? { TimeToLiveSpecification: { AttributeName: spec.timeToLiveAttribute, Enabled: true } }
          : {}),
      });
    }
  });

  it("encrypts every table with the customer managed key, with PITR, deletion protection, on-demand, retained", () => {
    const tables = of(s.nested.Database, "AWS::DynamoDB::Table");
    for (const t of tables) {
      expect(t.Properties.BillingMode).toBe("PAY_PER_REQUEST");
      expect(t.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(t.Properties.DeletionProtectionEnabled).toBe(true);
      expect(t.Properties.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: "KMS" });
      expect((t.Properties.SSESpecification as { KMSMasterKeyId?: unknown }).KMSMasterKeyId).toBeDefined();
      expect(t.DeletionPolicy).toBe("Retain");
    }
    s.nested.Security.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
    s.nested.Security.hasResource("AWS::KMS::Key", { DeletionPolicy: "Retain" });
  });
});

describe("identity: Cognito as the seed configures it", () => {
  it("has the seed's password policy, optional TOTP MFA, e-mail sign-in, custom:role and threat protection", () => {
    s.nested.Security.hasResourceProperties("AWS::Cognito::UserPool", {
      UserPoolName: "drs-orchestration-users-prod",
      UsernameAttributes: ["email"],
      AutoVerifiedAttributes: ["email"],
      AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 8,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: false,
          TemporaryPasswordValidityDays: 7,
        }),
      },
      MfaConfiguration: "OPTIONAL",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
      Schema: Match.arrayWith([
        Match.objectLike({ Name: "role", Mutable: true, AttributeDataType: "String" }),
      ]),
      UserPoolTier: "PLUS",
      UserPoolAddOns: { AdvancedSecurityMode: "ENFORCED" },
      DeletionProtection: "ACTIVE",
    });
    s.nested.Security.hasResource("AWS::Cognito::UserPool", { DeletionPolicy: "Retain" });
  });

  it("has one group per role", () => {
    const groups = of(s.nested.Security, "AWS::Cognito::UserPoolGroup").map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual([
      "DRSAdmins",
      "DRSAuditors",
      "DRSCrossAccount",
      "DRSOperators",
      "DRSViewers",
    ]);
  });

  it("has a public client: SRP + refresh only, 45-minute tokens, 30-day refresh, no secret, role not writable", () => {
    s.nested.Security.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      ClientName: "drs-orchestration-client-prod",
      GenerateSecret: false,
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      AccessTokenValidity: 45,
      IdTokenValidity: 45,
      RefreshTokenValidity: 43200,
      TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "minutes" },
      PreventUserExistenceErrors: "ENABLED",
      ReadAttributes: Match.arrayWith(["custom:role", "email"]),
      WriteAttributes: ["email"],
    });
  });
});

describe("API Gateway", () => {
  const methods = () =>
    of(s.nested.Api, "AWS::ApiGateway::Method").filter((m) => m.Properties.HttpMethod !== "OPTIONS");

  it("has one method per route of the app, and nothing else", () => {
    expect(methods()).toHaveLength(gatewayRoutes().length);
  });

  it("puts the Cognito authorizer on every non-public route; only /health and /openapi.json are public", () => {
    const authorizers = of(s.nested.Api, "AWS::ApiGateway::Authorizer");
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0]!.Properties).toMatchObject({
      Type: "COGNITO_USER_POOLS",
      IdentitySource: "method.request.header.Authorization",
    });
    const publicMethods = methods().filter((m) => m.Properties.AuthorizationType === "NONE");
    expect(publicMethods).toHaveLength(2);
    for (const m of methods()) {
      if (m.Properties.AuthorizationType === "NONE") continue;
      expect(m.Properties.AuthorizationType).toBe("COGNITO_USER_POOLS");
      expect(m.Properties.AuthorizerId).toBeDefined();
      expect(m.Properties.RequestParameters).toMatchObject({ "method.request.header.Authorization": true });
    }
    const publicRoutes = gatewayRoutes().filter((r) => r.public);
    expect(publicRoutes.map((r) => r.path).sort()).toEqual(["/health", "/openapi.json"]);
    // No /auth/* on AWS: Cognito issues tokens.
    expect(gatewayRoutes().some((r) => r.path.startsWith("/auth"))).toBe(false);
  });

  it("validates required parameters and JSON bodies on every method", () => {
    s.nested.Api.hasResourceProperties("AWS::ApiGateway::RequestValidator", {
      ValidateRequestParameters: true,
      ValidateRequestBody: true,
    });
    for (const m of methods()) expect(m.Properties.RequestValidatorId).toBeDefined();
    s.nested.Api.hasResourceProperties("AWS::ApiGateway::Method", {
      HttpMethod: "GET",
      RequestParameters: {
        "method.request.header.Authorization": true,
        "method.request.querystring.region": true,
      },
    });
    s.nested.Api.hasResourceProperties("AWS::ApiGateway::Method", {
      HttpMethod: "POST",
      RequestParameters: { "method.request.header.Authorization": true, "method.request.path.id": true },
      RequestModels: { "application/json": Match.anyValue() },
    });
  });

  it("throttles (burst 500, rate 1000), logs access as JSON and execution errors, traces with X-Ray", () => {
    s.nested.Api.hasResourceProperties("AWS::ApiGateway::Stage", {
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp("requestId"),
      }),
      MethodSettings: [
        Match.objectLike({
          HttpMethod: "*",
          ResourcePath: "/*",
          ThrottlingBurstLimit: 500,
          ThrottlingRateLimit: 1000,
          LoggingLevel: "ERROR",
          DataTraceEnabled: false,
        }),
      ],
    });
  });

  it("answers its own errors as problem+json", () => {
    for (const type of [
      "UNAUTHORIZED",
      "ACCESS_DENIED",
      "MISSING_AUTHENTICATION_TOKEN",
      "THROTTLED",
      "DEFAULT_4XX",
      "DEFAULT_5XX",
    ])
      s.nested.Api.hasResourceProperties("AWS::ApiGateway::GatewayResponse", {
        ResponseType: type,
        ResponseParameters: Match.objectLike({
          "gatewayresponse.header.Content-Type": "'application/problem+json'",
        }),
        ResponseTemplates: { "application/json": Match.stringLikeRegexp('"code":"') },
      });
    s.nested.Api.hasResourceProperties("AWS::ApiGateway::GatewayResponse", {
      ResponseType: "MISSING_AUTHENTICATION_TOKEN",
      StatusCode: "404",
    });
  });

  it("grants API Gateway one invoke permission on the API function, for this API's stage only", () => {
    const permissions = of(s.nested.Api, "AWS::Lambda::Permission");
    expect(permissions).toHaveLength(1);
    expect(permissions[0]!.Properties).toMatchObject({ Principal: "apigateway.amazonaws.com" });
    expect(joinToString(permissions[0]!.Properties.SourceArn)).toMatch(/\/v1\/\*\/\*$/);
    expect(of(s.nested.Compute, "AWS::Lambda::Permission").map((p) => p.Properties.Principal)).toEqual([
      "events.amazonaws.com",
    ]);
  });

  it("has a regional WAF web ACL with managed rules and a rate limit, associated with the stage", () => {
    s.nested.Api.hasResourceProperties("AWS::WAFv2::WebACL", {
      Scope: "REGIONAL",
      DefaultAction: { Allow: {} },
      Rules: Match.arrayWith([
        Match.objectLike({ Name: "AWSManagedRulesCommonRuleSet" }),
        Match.objectLike({ Name: "AWSManagedRulesKnownBadInputsRuleSet" }),
        Match.objectLike({
          Name: "RateLimitPerIp",
          Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: "IP" }) },
        }),
      ]),
    });
    expect(of(s.nested.Api, "AWS::WAFv2::WebACLAssociation")).toHaveLength(1);
  });

  it("rate-limits the client behind CloudFront by its forwarded IP, not CloudFront's edge address", () => {
    const [acl] = of(s.nested.Api, "AWS::WAFv2::WebACL");
    const rules = acl!.Properties.Rules as Array<{
      Name: string;
      Statement: {
        RateBasedStatement?: { AggregateKeyType: string; Limit: number; ForwardedIPConfig?: unknown };
      };
    }>;
    const forwarded = rules.find((r) => r.Statement.RateBasedStatement?.AggregateKeyType === "FORWARDED_IP");
    expect(forwarded?.Statement.RateBasedStatement).toMatchObject({
      ForwardedIPConfig: { HeaderName: "X-Forwarded-For", FallbackBehavior: "NO_MATCH" },
    });
    // The socket-address rule stays for direct calls, high enough not to throttle a CloudFront edge.
    const direct = rules.find((r) => r.Statement.RateBasedStatement?.AggregateKeyType === "IP");
    expect(direct!.Statement.RateBasedStatement!.Limit).toBeGreaterThan(
      forwarded!.Statement.RateBasedStatement!.Limit,
    );
  });

  it("lets CloudWatch use the data key only for this account's alarms (aws:SourceAccount, aws:SourceArn)", () => {
    const [key] = of(s.nested.Security, "AWS::KMS::Key");
    const statements = (
      key!.Properties.KeyPolicy as {
        Statement: Array<Statement & { Sid?: string; Condition?: unknown; Principal?: unknown }>;
      }
    ).Statement;
    const cw = statements.filter((st) =>
      JSON.stringify(st.Principal ?? "").includes("cloudwatch.amazonaws.com"),
    );
    expect(cw).toHaveLength(1);
    const condition = cw[0]!.Condition as Record<string, Record<string, unknown>>;
    expect(JSON.stringify(condition.StringEquals?.["aws:SourceAccount"])).toContain("AWS::AccountId");
    expect(joinToString(condition.ArnLike?.["aws:SourceArn"])).toMatch(
      /:cloudwatch:<TOKEN>:<TOKEN>:alarm:\*$/,
    );
  });
});

describe("compute: Lambda functions and least-privilege roles", () => {
  it("runs every function on Node 22, arm64, with X-Ray and its own log group", () => {
    const fns = of(s.nested.Compute, "AWS::Lambda::Function");
    expect(fns.map((f) => f.Properties.FunctionName).sort()).toEqual([
      "drs-orchestration-prod-api",
      "drs-orchestration-prod-pause-token",
      "drs-orchestration-prod-step",
      "drs-orchestration-prod-sweeper",
    ]);
    for (const f of fns) {
      expect(f.Properties).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        TracingConfig: { Mode: "Active" },
        LoggingConfig: { LogGroup: expect.anything() },
      });
      expect((f.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        DRSO_ENVIRONMENT: "prod",
        DRSO_STATE_MACHINE_ARN: expect.anything(),
      });
    }
    expect(of(s.nested.Compute, "AWS::IAM::Role")).toHaveLength(4);
    expect(of(s.nested.Compute, "AWS::IAM::ManagedPolicy")).toHaveLength(0);
    for (const r of of(s.nested.Compute, "AWS::IAM::Role"))
      expect(r.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it("never grants a wildcard action, and '*' resources only to actions that take no resource (or only via DRS)", () => {
    const noResourceLevel =
      /^(xray:|drs:(Describe|Get|List)|servicequotas:GetAWSDefaultServiceQuota$|ssm:(GetAutomationExecution|ListCommands|ListCommandInvocations|GetCommandInvocation)$)/;
    // EC2 calls DRS makes with the caller's forward access session (RunInstances & co touch resources created
    // at launch): '*' but only with aws:CalledVia drs.amazonaws.com.
    const viaDrs = (st: Statement) =>
      JSON.stringify(
        (st as { Condition?: Record<string, Record<string, unknown>> }).Condition?.[
          "ForAnyValue:StringEquals"
        ]?.["aws:CalledVia"],
      ) === '["drs.amazonaws.com"]';
    for (const name of ["api", "step", "pause-token", "sweeper"]) {
      for (const st of roleStatements(name)) {
        for (const a of actions(st)) expect(a, `${name}: ${a}`).not.toMatch(/^\*$|:\*$/);
        if (resources(st).includes("*") && !(viaDrs(st) && actions(st).every((a) => a.startsWith("ec2:"))))
          for (const a of actions(st)) expect(a, `${name} ${st.Sid}: ${a} on *`).toMatch(noResourceLevel);
      }
    }
  });

  it("keeps the audit log append-only for everyone", () => {
    for (const name of ["api", "step", "pause-token", "sweeper"]) {
      for (const st of roleStatements(name)) {
        const onAudit = resources(st).some((r) => JSON.stringify(r).includes("Tableaudit"));
        if (!onAudit) continue;
        expect(actions(st)).not.toContain("dynamodb:DeleteItem");
        expect(actions(st)).not.toContain("dynamodb:UpdateItem");
        expect(actions(st)).not.toContain("dynamodb:BatchWriteItem");
      }
    }
  });

  it("gives each function only its tables; the sweeper writes only readiness (config) and audit entries", () => {
    const touched = (name: string) =>
      new Set(
        roleStatements(name)
          .filter((st) => actions(st).some((a) => a.startsWith("dynamodb:")))
          .flatMap((st) =>
            resources(st).map((r) => /Table(\w+?)[0-9A-F]{8}Arn/.exec(JSON.stringify(r))?.[1]),
          ),
      );
    // The step writes the claims table: the DRS quota counters move with every execution save (decision 028).
    expect([...touched("step")].sort()).toEqual(["claims", "config", "executionHistory", "executionItems"]);
    expect([...touched("pause-token")].sort()).toEqual(["executionHistory", "executionItems"]);
    // The sweeper also evaluates plan readiness (decision 030): it keeps results in the config table's key-value
    // items and audits status changes; executions, plans and groups it only reads.
    expect([...touched("sweeper")].sort()).toEqual([
      "audit",
      "config",
      "executionHistory",
      "executionItems",
      "protectionGroups",
      "recoveryPlans",
    ]);
    expect(touched("api").size).toBe(DYNAMO_TABLES.length);
    const sweeperWrites = roleStatements("sweeper")
      .filter((st) => actions(st).some((a) => /dynamodb:(Put|Update|Delete|BatchWrite)/.test(a)))
      .flatMap((st) => resources(st).map((r) => /Table(\w+?)[0-9A-F]{8}Arn/.exec(JSON.stringify(r))?.[1]));
    expect([...new Set(sweeperWrites)].sort()).toEqual(["audit", "config"]);
    // Index ARNs are named, never `index/*`.
    for (const name of ["api", "step"])
      for (const st of roleStatements(name))
        for (const r of resources(st)) expect(JSON.stringify(r)).not.toContain("/index/*");
  });

  it("lets only the engine launch recoveries; the API reads DRS and terminates instances", () => {
    const all = (name: string) => roleStatements(name).flatMap(actions);
    expect(all("step")).toEqual(
      expect.arrayContaining(["drs:StartRecovery", "drs:StartFailbackLaunch", "ssm:SendCommand"]),
    );
    expect(all("api")).not.toContain("drs:StartRecovery");
    expect(all("api")).toEqual(
      expect.arrayContaining(["drs:DescribeSourceServers", "drs:TerminateRecoveryInstances"]),
    );
    expect(all("pause-token").filter((a) => a.startsWith("drs:"))).toEqual([]);
    // The sweeper's readiness evaluation only reads DRS.
    expect(all("sweeper").filter((a) => a.startsWith("drs:") && !/^drs:(Describe|Get|List)/.test(a))).toEqual(
      [],
    );
    expect(all("sweeper")).toContain("drs:DescribeSourceServers");
  });

  it("assumes only the cross-account role, by name", () => {
    for (const name of ["api", "step", "sweeper"]) {
      const assume = roleStatements(name).filter((st) => actions(st).includes("sts:AssumeRole"));
      expect(assume).toHaveLength(1);
      expect(resources(assume[0]!).map(joinToString)).toEqual([
        "arn:<TOKEN>:iam::*:role/DRSOrchestrationRole",
      ]);
    }
    expect(roleStatements("pause-token").flatMap(actions)).not.toContain("sts:AssumeRole");
  });

  it("starts and signals workflows of this state machine only", () => {
    const arnOf = (st: Statement) => resources(st).map(joinToString);
    const start = roleStatements("api").find((st) => actions(st).includes("states:StartExecution"))!;
    expect(arnOf(start)).toEqual([
      "arn:<TOKEN>:states:<TOKEN>:<TOKEN>:stateMachine:drs-orchestration-prod-state-machine",
    ]);
    const park = roleStatements("pause-token").find((st) => actions(st).includes("states:SendTaskSuccess"))!;
    expect(actions(park)).toEqual(["states:SendTaskSuccess"]);
    expect(arnOf(park)).toEqual(arnOf(start));
  });

  it("runs the sweeper every 5 minutes", () => {
    s.nested.Compute.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(5 minutes)" });
  });
});

describe("orchestration: the Step Functions state machine", () => {
  it("is a Standard workflow with the generated definition, all events logged without execution data, X-Ray", () => {
    const [sm] = of(s.nested.Orchestration, "AWS::StepFunctions::StateMachine");
    expect(sm!.Properties).toMatchObject({
      StateMachineName: "drs-orchestration-prod-state-machine",
      StateMachineType: "STANDARD",
      TracingConfiguration: { Enabled: true },
      // No execution data: inputs/outputs carry task tokens.
      LoggingConfiguration: { Level: "ALL", IncludeExecutionData: false },
    });
    const definition = JSON.parse(
      joinToString(sm!.Properties.DefinitionString).replaceAll("<TOKEN>", "fn"),
    ) as Record<string, unknown>;
    expect(definition).toEqual(buildDefinition({ stepFunctionArn: "fn", pauseTokenFunctionArn: "fn" }));
  });

  it("may start only itself (the hand-over, continue-as-new), by name", () => {
    const start = of(s.nested.Orchestration, "AWS::IAM::Policy")
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((st) => actions(st).includes("states:StartExecution"));
    expect(start).toHaveLength(1);
    expect(resources(start[0]!).map(joinToString)).toEqual([
      "arn:<TOKEN>:states:<TOKEN>:<TOKEN>:stateMachine:drs-orchestration-prod-state-machine",
    ]);
  });

  it("may invoke only the step and pause-token functions", () => {
    const policies = of(s.nested.Orchestration, "AWS::IAM::Policy");
    const invoke = policies
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((st) => actions(st).includes("lambda:InvokeFunction"));
    expect(invoke).toHaveLength(1);
    expect(resources(invoke[0]!)).toHaveLength(2);
  });
});

describe("frontend: S3 + CloudFront", () => {
  it("keeps both buckets private, encrypted and TLS-only; the site bucket versioned and access-logged", () => {
    const buckets = of(s.nested.Frontend, "AWS::S3::Bucket");
    expect(buckets).toHaveLength(2);
    for (const b of buckets) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.BucketEncryption).toMatchObject({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      });
    }
    s.nested.Frontend.hasResourceProperties("AWS::S3::Bucket", {
      VersioningConfiguration: { Status: "Enabled" },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: "s3/" }),
    });
    const policies = of(s.nested.Frontend, "AWS::S3::BucketPolicy");
    expect(policies).toHaveLength(2);
    for (const p of policies)
      expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });

  it("reads the bucket through Origin Access Control only", () => {
    s.nested.Frontend.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: "s3",
        SigningBehavior: "always",
      }),
    });
    const [dist] = of(s.nested.Frontend, "AWS::CloudFront::Distribution");
    const config = dist!.Properties.DistributionConfig as { Origins: Array<Record<string, unknown>> };
    const s3Origin = config.Origins.find((o) => o.S3OriginConfig)!;
    expect(s3Origin.OriginAccessControlId).toBeDefined();
    expect(JSON.stringify(of(s.nested.Frontend, "AWS::S3::BucketPolicy"))).toContain(
      "cloudfront.amazonaws.com",
    );
  });

  it("sends the seed's security headers", () => {
    s.nested.Frontend.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: 31536000,
            IncludeSubdomains: true,
            Preload: true,
            Override: true,
          },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: "DENY", Override: true },
          ReferrerPolicy: { ReferrerPolicy: "strict-origin-when-cross-origin", Override: true },
          ContentSecurityPolicy: {
            ContentSecurityPolicy: Match.stringLikeRegexp(
              "default-src 'self'.*connect-src 'self' https://\\*\\.amazonaws\\.com",
            ),
            Override: true,
          },
        },
      }),
    });
  });

  it("caches /assets/* for a year, never HTML or /aws-config.json, forwards /api/* uncached, routes the SPA", () => {
    const [dist] = of(s.nested.Frontend, "AWS::CloudFront::Distribution");
    const config = dist!.Properties.DistributionConfig as {
      CacheBehaviors: Array<Record<string, unknown>>;
      DefaultCacheBehavior: Record<string, unknown>;
      HttpVersion: string;
      Logging: unknown;
      DefaultRootObject: string;
    };
    const behavior = (path: string) => config.CacheBehaviors.find((b) => b.PathPattern === path)!;
    const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
    expect(behavior("*.html").CachePolicyId).toBe(CACHING_DISABLED);
    expect(behavior("/aws-config.json").CachePolicyId).toBe(CACHING_DISABLED);
    expect(behavior("/api/*")).toMatchObject({
      CachePolicyId: CACHING_DISABLED,
      ViewerProtocolPolicy: "https-only",
    });
    expect((behavior("/api/*").AllowedMethods as string[]).length).toBe(7);
    s.nested.Frontend.hasResourceProperties("AWS::CloudFront::CachePolicy", {
      CachePolicyConfig: Match.objectLike({ MinTTL: 31536000, DefaultTTL: 31536000, MaxTTL: 31536000 }),
    });
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe("redirect-to-https");
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([
      expect.objectContaining({ EventType: "viewer-request" }),
    ]);
    expect(config.DefaultRootObject).toBe("index.html");
    expect(config.Logging).toBeDefined();
    // No distribution-wide error pages: they would hide the API's 403/404 problem+json behind index.html.
    expect(
      (dist!.Properties.DistributionConfig as { CustomErrorResponses?: unknown }).CustomErrorResponses,
    ).toBeUndefined();
  });

  it("deploys the built UI with a generated aws-config.json (API URL, user pool, client, region)", () => {
    const deployments = of(s.nested.Frontend, "Custom::CDKBucketDeployment");
    expect(deployments).toHaveLength(2);
    const site = deployments.find((d) => d.Properties.Prune === true)!;
    const markers = site.Properties.SourceMarkers as Array<Record<string, unknown>>;
    expect(Object.keys(markers.find((m) => Object.keys(m).length > 0)!)).toHaveLength(3);
    expect(site.Properties.DistributionPaths).toEqual(["/*"]);
    expect(site.Properties.SystemMetadata).toEqual({ "cache-control": "no-cache" });
    const assets = deployments.find((d) => d.Properties.Prune === false)!;
    expect(assets.Properties.SystemMetadata).toEqual({
      "cache-control": "public, max-age=31536000, immutable",
    });
  });
});

describe("monitoring", () => {
  it("alarms on Lambda errors and throttles, workflow failures and API 5xx, into an encrypted topic", () => {
    const alarms = of(s.nested.Monitoring, "AWS::CloudWatch::Alarm");
    const metrics = alarms.map((a) => `${a.Properties.Namespace}/${a.Properties.MetricName}`);
    expect(metrics.filter((m) => m === "AWS/Lambda/Errors")).toHaveLength(4);
    expect(metrics.filter((m) => m === "AWS/Lambda/Throttles")).toHaveLength(4);
    expect(metrics).toEqual(
      expect.arrayContaining([
        "AWS/States/ExecutionsFailed",
        "AWS/States/ExecutionsTimedOut",
        "AWS/ApiGateway/5XXError",
      ]),
    );
    for (const a of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
    s.nested.Monitoring.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    s.nested.Monitoring.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "dr-team@example.com",
    });
  });
});
