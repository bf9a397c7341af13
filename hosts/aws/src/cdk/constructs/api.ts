import { RemovalPolicy, Stack } from "aws-cdk-lib";
import * as apigateway from "aws-cdk-lib/aws-apigateway";
import type * as cognito from "aws-cdk-lib/aws-cognito";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as wafv2 from "aws-cdk-lib/aws-wafv2";
import { Construct } from "constructs";
import { asRestApi } from "../cdk-types.js";

export interface ApiRoute {
  method: string;
  /** Below `basePath`, OpenAPI style: `/executions/{id}/pause`. */
  path: string;
  public: boolean;
  pathParameters: string[];
  requiredQueryParameters: string[];
  /** The route takes a JSON body: API Gateway checks it is a JSON object (the app's zod schemas do the rest). */
  jsonBody: boolean;
}

export interface ApiProps {
  restApiName: string;
  handler: lambda.IFunction;
  userPool: cognito.IUserPool;
  /** Every route of the app (from its OpenAPI document); anything else is refused by API Gateway. */
  routes: ApiRoute[];
  /** Default "/api": the same paths as local mode, and what CloudFront forwards. */
  basePath?: string;
  stageName?: string;
  /** Seed: burst 500, rate 1000. */
  throttle?: { burstLimit: number; rateLimit: number };
  /** Browser origins allowed to call the API directly (API-only mode); none = no CORS preflight methods. */
  corsOrigins?: string[];
  logRetention: logs.RetentionDays;
  /** Regional AWS WAF web ACL on the stage (managed rule groups + a rate limit per client IP). */
  waf?: boolean;
}

/** API Gateway's own errors as problem+json (RFC 9457), like the app's, with a stable `code`. */
const GATEWAY_PROBLEMS: Array<{
  type: apigateway.ResponseType;
  status: string;
  code: string;
  title: string;
}> = [
  {
    type: apigateway.ResponseType.UNAUTHORIZED,
    status: "401",
    code: "UNAUTHENTICATED",
    title: "Unauthorized",
  },
  {
    type: apigateway.ResponseType.EXPIRED_TOKEN,
    status: "401",
    code: "TOKEN_EXPIRED",
    title: "Unauthorized",
  },
  {
    type: apigateway.ResponseType.INVALID_SIGNATURE,
    status: "401",
    code: "UNAUTHENTICATED",
    title: "Unauthorized",
  },
  { type: apigateway.ResponseType.ACCESS_DENIED, status: "403", code: "FORBIDDEN", title: "Forbidden" },
  { type: apigateway.ResponseType.WAF_FILTERED, status: "403", code: "REQUEST_BLOCKED", title: "Forbidden" },
  // API Gateway answers an unknown route with 403 "Missing Authentication Token"; it is a 404.
  {
    type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    status: "404",
    code: "ROUTE_NOT_FOUND",
    title: "Not Found",
  },
  {
    type: apigateway.ResponseType.RESOURCE_NOT_FOUND,
    status: "404",
    code: "ROUTE_NOT_FOUND",
    title: "Not Found",
  },
  {
    type: apigateway.ResponseType.BAD_REQUEST_PARAMETERS,
    status: "400",
    code: "VALIDATION_FAILED",
    title: "Bad Request",
  },
  {
    type: apigateway.ResponseType.BAD_REQUEST_BODY,
    status: "400",
    code: "VALIDATION_FAILED",
    title: "Bad Request",
  },
  {
    type: apigateway.ResponseType.REQUEST_TOO_LARGE,
    status: "413",
    code: "PAYLOAD_TOO_LARGE",
    title: "Payload Too Large",
  },
  { type: apigateway.ResponseType.THROTTLED, status: "429", code: "THROTTLED", title: "Too Many Requests" },
  {
    type: apigateway.ResponseType.QUOTA_EXCEEDED,
    status: "429",
    code: "THROTTLED",
    title: "Too Many Requests",
  },
  {
    type: apigateway.ResponseType.INTEGRATION_TIMEOUT,
    status: "504",
    code: "TIMEOUT",
    title: "Gateway Timeout",
  },
  { type: apigateway.ResponseType.DEFAULT_4XX, status: "", code: "BAD_REQUEST", title: "Request refused" },
  { type: apigateway.ResponseType.DEFAULT_5XX, status: "", code: "UPSTREAM_ERROR", title: "Gateway error" },
];

/**
 * The REST API: one method per route of the app (so API Gateway refuses unknown routes itself), a Cognito
 * authorizer on every non-public one, required headers / path / query parameters validated, the Lambda proxy
 * integration (one invoke permission for the whole API), throttling, JSON access logs, execution logs,
 * X-Ray, problem+json gateway errors and, optionally, a regional WAF web ACL.
 */
export class Api extends Construct {
  readonly restApi: apigateway.RestApi;
  readonly authorizer: apigateway.CognitoUserPoolsAuthorizer;
  readonly basePath: string;
  readonly webAcl?: wafv2.CfnWebACL;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.basePath = props.basePath ?? "/api";
    const stageName = props.stageName ?? "v1";
    const throttle = props.throttle ?? { burstLimit: 500, rateLimit: 1000 };
    this.accessLogs = new logs.LogGroup(this, "AccessLogs", {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    const cors = props.corsOrigins && props.corsOrigins.length > 0 ? props.corsOrigins : undefined;
    this.restApi = new apigateway.RestApi(this, "RestApi", {
      restApiName: props.restApiName,
      description: "DRS Orchestrator API",
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      disableExecuteApiEndpoint: false,
      deployOptions: {
        stageName,
        throttlingBurstLimit: throttle.burstLimit,
        throttlingRateLimit: throttle.rateLimit,
        tracingEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
      ...(cors
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: cors,
              allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
              allowHeaders: [
                "Content-Type",
                "Authorization",
                "X-Amz-Date",
                "X-Api-Key",
                "If-Match",
                "X-Request-Id",
              ],
              exposeHeaders: ["X-Request-Id", "ETag", "Location", "Retry-After"],
            },
          }
        : {}),
    });

    for (const problem of GATEWAY_PROBLEMS) {
      const detail =
        problem.type === apigateway.ResponseType.BAD_REQUEST_PARAMETERS ||
        problem.type === apigateway.ResponseType.BAD_REQUEST_BODY
          ? "$context.error.validationErrorString"
          : "$context.error.messageString";
      this.restApi.addGatewayResponse(`Problem${problem.type.responseType}`, {
        type: problem.type,
        ...(problem.status ? { statusCode: problem.status } : {}),
        responseHeaders: {
          "Content-Type": "'application/problem+json'",
          ...(cors ? { "Access-Control-Allow-Origin": `'${cors[0]}'` } : {}),
        },
        templates: {
          "application/json": `{"type":"https://drs-orchestrator.dev/problems/${problem.code.toLowerCase().replace(/_/g, "-")}","title":"${problem.title}",${problem.status ? `"status":${problem.status},` : ""}"code":"${problem.code}","detail":${detail},"requestId":"$context.requestId"}`,
        },
      });
    }

    this.authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, "Authorizer", {
      cognitoUserPools: [props.userPool],
      identitySource: apigateway.IdentitySource.header("Authorization"),
      authorizerName: `${props.restApiName}-cognito`,
    });
    const validator = new apigateway.RequestValidator(this, "Validator", {
      restApi: asRestApi(this.restApi),
      requestValidatorName: "parameters-and-body",
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    const jsonObject = this.restApi.addModel("JsonObject", {
      contentType: "application/json",
      modelName: "JsonObject",
      description: "Any JSON object: the app validates the fields and answers problem+json",
      schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, type: apigateway.JsonSchemaType.OBJECT },
    });

    // One AWS_PROXY integration object and one invoke permission for the whole API (a permission per method
    // would overflow the function's 20 KB resource policy).
    const integration = new apigateway.Integration({
      type: apigateway.IntegrationType.AWS_PROXY,
      integrationHttpMethod: "POST",
      uri: `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${props.handler.functionArn}/invocations`,
    });
    new lambda.CfnPermission(this, "InvokeApiFunction", {
      action: "lambda:InvokeFunction",
      functionName: props.handler.functionArn,
      principal: "apigateway.amazonaws.com",
      sourceArn: this.restApi.arnForExecuteApi("*", "/*", stageName),
    });

    for (const route of props.routes) {
      const resource = this.restApi.root.resourceForPath(`${this.basePath}${route.path}`);
      const requestParameters: Record<string, boolean> = {};
      for (const p of route.pathParameters) requestParameters[`method.request.path.${p}`] = true;
      for (const q of route.requiredQueryParameters)
        requestParameters[`method.request.querystring.${q}`] = true;
      if (!route.public) requestParameters["method.request.header.Authorization"] = true;
      resource.addMethod(route.method, integration, {
        requestParameters,
        requestValidator: validator,
        ...(route.jsonBody ? { requestModels: { "application/json": jsonObject } } : {}),
        ...(route.public
          ? { authorizationType: apigateway.AuthorizationType.NONE }
          : { authorizationType: apigateway.AuthorizationType.COGNITO, authorizer: this.authorizer }),
      });
    }

    if (props.waf) {
      this.webAcl = new wafv2.CfnWebACL(this, "WebAcl", {
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        description: "DRS Orchestrator API: AWS managed rules and a rate limit per client IP",
        visibilityConfig: {
          cloudWatchMetricsEnabled: true,
          metricName: `${props.restApiName}-waf`,
          sampledRequestsEnabled: true,
        },
        rules: [
          managedRule("AWSManagedRulesAmazonIpReputationList", 10),
          // Plans with many waves exceed the common rule set's 8 KB body limit: count, don't block, that rule.
          managedRule("AWSManagedRulesCommonRuleSet", 20, ["SizeRestrictions_BODY"]),
          managedRule("AWSManagedRulesKnownBadInputsRuleSet", 30),
          {
            // Behind CloudFront the socket address is an edge location shared by many users: count the client
            // address CloudFront forwards (X-Forwarded-For). Requests without the header (direct calls to the
            // execute-api endpoint) are left to the next rule.
            name: "RateLimitPerClientIp",
            priority: 40,
            action: { block: {} },
            statement: {
              rateBasedStatement: {
                limit: 3000,
                aggregateKeyType: "FORWARDED_IP",
                forwardedIpConfig: { headerName: "X-Forwarded-For", fallbackBehavior: "NO_MATCH" },
              },
            },
            visibilityConfig: {
              cloudWatchMetricsEnabled: true,
              metricName: "RateLimitPerClientIp",
              sampledRequestsEnabled: true,
            },
          },
          {
            // The socket address: direct callers, and a ceiling per CloudFront edge (a spoofed X-Forwarded-For
            // still counts here).
            name: "RateLimitPerIp",
            priority: 50,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: 20_000, aggregateKeyType: "IP" } },
            visibilityConfig: {
              cloudWatchMetricsEnabled: true,
              metricName: "RateLimitPerIp",
              sampledRequestsEnabled: true,
            },
          },
        ],
      });
      new wafv2.CfnWebACLAssociation(this, "WebAclAssociation", {
        resourceArn: this.restApi.deploymentStage.stageArn,
        webAclArn: this.webAcl.attrArn,
      });
    }
  }

  /** `https://{id}.execute-api.{region}.amazonaws.com/{stage}` */
  get stageUrl(): string {
    return this.restApi.url.replace(/\/$/, "");
  }
}

function managedRule(name: string, priority: number, countOnly: string[] = []): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: "AWS",
        name,
        ...(countOnly.length > 0
          ? { ruleActionOverrides: countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
          : {}),
      },
    },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
  };
}
