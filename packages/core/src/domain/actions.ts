import { z } from "zod";
import { DescriptionSchema, isPrintable, NameSchema } from "./common.js";
import { RoleSchema } from "./user.js";

const actionBase = {
  name: NameSchema.optional(),
  /** How long the action may run before it counts as failed (approvals: before it counts as rejected). */
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86400)
    .optional(),
  /** An optional action's failure is recorded but does not fail the wave. */
  optional: z.boolean().optional(),
};

const HttpUrlSchema = z
  .string()
  .max(2048)
  .refine((u) => {
    try {
      const url = new URL(u);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch {
      return false;
    }
  }, "must be an absolute http(s) URL");

export const WaitActionSchema = z
  .strictObject({ ...actionBase, type: z.literal("wait"), seconds: z.number().int().min(1).max(86400) })
  .meta({ id: "WaitAction" });

/**
 * Who may decide an approval: anyone whose role is in `roles` or whose user id (e-mail) is in `users`.
 * Absent: anyone who may manage executions.
 */
export const ApproversSchema = z
  .strictObject({
    roles: z.array(RoleSchema).min(1).max(10).optional(),
    users: z.array(z.string().min(3).max(254)).min(1).max(50).optional(),
  })
  .refine((a) => a.roles !== undefined || a.users !== undefined, "name at least one role or user")
  .meta({ id: "Approvers" });
export type Approvers = z.infer<typeof ApproversSchema>;

export const ApprovalActionSchema = z
  .strictObject({
    ...actionBase,
    type: z.literal("approval"),
    message: DescriptionSchema.optional(),
    approvers: ApproversSchema.optional(),
  })
  .meta({ id: "ApprovalAction" });

export const HttpActionSchema = z
  .strictObject({
    ...actionBase,
    type: z.literal("http"),
    url: HttpUrlSchema,
    method: z.enum(["GET", "HEAD", "POST", "PUT"]).optional(),
    headers: z
      .record(
        z
          .string()
          .min(1)
          .max(256)
          .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be a valid header name"),
        z
          .string()
          .max(4096)
          .refine((v) => isPrintable(v), "must not contain control characters or line breaks"),
      )
      .refine((h) => Object.keys(h).length <= 20, "at most 20 headers")
      .optional(),
    body: z.string().max(65536).optional(),
    /** Accepted status codes; default: any 2xx. */
    expectStatus: z.array(z.number().int().min(100).max(599)).min(1).max(20).optional(),
    /** Health gate: keep calling every intervalSeconds until the status matches or the timeout expires. */
    retryUntilHealthy: z.boolean().optional(),
    intervalSeconds: z.number().int().min(1).max(3600).optional(),
  })
  .meta({ id: "HttpAction" });

const SsmParametersSchema = z
  .record(z.string().min(1).max(128), z.array(z.string().max(4096)).max(50))
  .refine((p) => Object.keys(p).length <= 50, "at most 50 parameters");

export const SsmAutomationActionSchema = z
  .strictObject({
    ...actionBase,
    type: z.literal("ssm-automation"),
    documentName: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[a-zA-Z0-9_\-.:/]+$/, "must be an SSM document name or ARN"),
    documentVersion: z.string().max(16).optional(),
    parameters: SsmParametersSchema.optional(),
  })
  .meta({ id: "SsmAutomationAction" });

export const SsmCommandActionSchema = z
  .strictObject({
    ...actionBase,
    type: z.literal("ssm-command"),
    documentName: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[a-zA-Z0-9_\-.:/]+$/, "must be an SSM document name or ARN"),
    parameters: SsmParametersSchema.optional(),
  })
  .meta({ id: "SsmCommandAction" });

export const WaveActionSchema = z
  .discriminatedUnion("type", [
    WaitActionSchema,
    ApprovalActionSchema,
    HttpActionSchema,
    SsmAutomationActionSchema,
    SsmCommandActionSchema,
  ])
  .meta({ id: "WaveAction" });
export type WaveAction = z.infer<typeof WaveActionSchema>;
export type WaveActionType = WaveAction["type"];

export const DEFAULT_ACTION_TIMEOUT_SECONDS: Readonly<Record<WaveActionType, number>> = {
  wait: 86400,
  approval: 86400,
  http: 300,
  "ssm-automation": 3600,
  "ssm-command": 3600,
};

/** Action types that need AWS Systems Manager and therefore real AWS (not the simulator). */
export const AWS_ONLY_ACTIONS: readonly WaveActionType[] = ["ssm-automation", "ssm-command"];
