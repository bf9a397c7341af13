import { z } from "zod";

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** Every environment variable the Lambda functions read; the CDK compute construct sets them. */
export const LambdaEnvSchema = z.object({
  AWS_REGION: z.string().min(1),
  DRSO_ENVIRONMENT: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/),
  DRSO_VERSION: z.string().min(1).default("0.1.0"),
  DRSO_STATE_MACHINE_ARN: z.string().regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]+$/),
  DRSO_USER_POOL_ID: optional,
  DRSO_USER_POOL_CLIENT_ID: optional,
  DRSO_NOTIFICATIONS_TOPIC_ARN: optional,
  DRSO_EVENT_BUS_NAME: optional,
  DRSO_CORS_ORIGINS: optional,
  DRSO_RATE_LIMIT_PER_USER: z.coerce.number().positive().default(100),
  /** `{"executionHistory":"<name>",…}`: the generated table names (absent: the names derived from DRSO_ENVIRONMENT). */
  DRSO_TABLES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      try {
        const parsed = JSON.parse(v) as unknown;
        if (parsed && typeof parsed === "object" && Object.values(parsed).every((n) => typeof n === "string"))
          return parsed as Record<string, string>;
      } catch {}
      ctx.addIssue({ code: "custom", message: "must be a JSON object of table names" });
      return z.NEVER;
    }),
});

export type LambdaEnv = z.infer<typeof LambdaEnvSchema>;

export class LambdaConfigError extends Error {}

/** Parses the environment once at cold start; names each bad variable. */
export function loadLambdaEnv(
  env: NodeJS.ProcessEnv = process.env,
  require: Array<keyof LambdaEnv> = [],
): LambdaEnv {
  const parsed = LambdaEnvSchema.safeParse(env);
  const problems = parsed.success
    ? require.filter((k) => parsed.data[k] === undefined).map((k) => `  ${k}: required by this function`)
    : parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  if (!parsed.success || problems.length > 0)
    throw new LambdaConfigError(`Invalid Lambda configuration:\n${problems.join("\n")}`);
  return parsed.data;
}
