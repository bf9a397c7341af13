import { z } from "zod";

/**
 * Deployment parameters, read from CDK context (`cdk deploy -c environment=prod -c adminEmail=…`, or
 * `cdk.json`). They shape the synthesized templates (WAF on/off, frontend on/off, domain), so they are
 * synth-time context rather than CloudFormation parameters. Every value is validated here, and a bad one is
 * named in the error.
 */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const bool = (fallback: boolean) =>
  z
    .union([z.boolean(), z.enum(["true", "false"])])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === true || v === "true"));

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

export const DeploymentParametersSchema = z
  .object({
    /** Suffix of every resource name (`drs-orchestration-…-{environment}`): one deployment per environment. */
    environment: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,15}$/,
        "lower-case letters, digits and '-', 1-16 characters, starting with a letter",
      )
      .default("prod"),
    /** Receives the alarm e-mails; the suggested first administrator (`npm run create-admin`). */
    adminEmail: optionalText.pipe(z.email().optional()),
    /** Cognito MFA (TOTP): "optional" as in the seed, or "required" for every user. */
    mfa: z.enum(["optional", "required"]).default("optional"),
    /** AWS WAF (regional web ACL) on the API stage. */
    wafEnabled: bool(true),
    /** Custom domain for the web UI (CloudFront); needs `certificateArn` (an ACM certificate in us-east-1). */
    domainName: optionalText,
    certificateArn: optionalText.pipe(
      z
        .string()
        .regex(
          /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/,
          "an ACM certificate ARN in us-east-1",
        )
        .optional(),
    ),
    /** false = API-only mode: no bucket, no CloudFront, no web UI. */
    frontend: bool(true),
    /** CloudWatch Logs retention (days) for Lambda, API access, state-machine and CloudFront logs. */
    retentionDays: z.coerce
      .number()
      .int()
      .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), {
        message: `one of ${RETENTION_DAYS.join(", ")}`,
      })
      .default(365),
    /** Browser origins allowed to call the API directly (API-only mode with your own web app). */
    corsOrigins: z
      .union([z.array(z.string()), z.string()])
      .optional()
      .transform((v) => (Array.isArray(v) ? v : (v ?? "").split(",")).map((o) => o.trim()).filter(Boolean))
      .pipe(z.array(z.url({ protocol: /^https?$/ }))),
    /** Name of the role the orchestrator assumes in every target account (cross-account stack). */
    crossAccountRoleName: z
      .string()
      .regex(/^[\w+=,.@-]{1,64}$/)
      .default("DRSOrchestrationRole"),
    /** Skip the web build check (tests): the frontend is deployed from this directory instead. */
    webDistDir: optionalText,
  })
  .superRefine((p, ctx) => {
    if (Boolean(p.domainName) !== Boolean(p.certificateArn))
      ctx.addIssue({
        code: "custom",
        path: [p.domainName ? "certificateArn" : "domainName"],
        message: "domainName and certificateArn go together",
      });
    if (p.domainName && !p.frontend)
      ctx.addIssue({ code: "custom", path: ["domainName"], message: "a custom domain needs the frontend" });
  });

export type DeploymentParameters = z.infer<typeof DeploymentParametersSchema>;

export const PARAMETER_KEYS = Object.keys(DeploymentParametersSchema.shape) as Array<
  keyof DeploymentParameters
>;

export class ParameterError extends Error {}

/** Reads the parameters from a context lookup (`node.tryGetContext`). */
export function readParameters(context: (key: string) => unknown): DeploymentParameters {
  const raw: Record<string, unknown> = {};
  for (const key of PARAMETER_KEYS) {
    const value = context(key);
    if (value !== undefined) raw[key] = value;
  }
  const parsed = DeploymentParametersSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) =>
        `  -c ${i.path.join(".") || "?"}: ${i.message} (got ${JSON.stringify(raw[String(i.path[0])] ?? null)})`,
    );
    throw new ParameterError(`Invalid deployment parameters:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** Names shared by the stack and the Lambda code. */
export function resourceNames(environment: string) {
  const prefix = `drs-orchestration-${environment}`;
  return {
    prefix,
    stateMachine: `${prefix}-state-machine`,
    stepFunction: `${prefix}-step`,
    pauseTokenFunction: `${prefix}-pause-token`,
    apiFunction: `${prefix}-api`,
    sweeperFunction: `${prefix}-sweeper`,
    userPool: `drs-orchestration-users-${environment}`,
    userPoolClient: `drs-orchestration-client-${environment}`,
    notificationsTopic: `${prefix}-notifications`,
    alarmsTopic: `${prefix}-alarms`,
    api: `${prefix}-api`,
  };
}
