import {
  AccountIdSchema,
  AccountSchema,
  ProtectionGroupSchema,
  RecoveryPlanSchema,
  RegionSchema,
  SettingsSchema,
  SourceServerIdSchema,
  TagKeySchema,
  TagValueSchema,
  UuidSchema,
  WebhookTargetSchema,
} from "@drso/core";
import { z } from "@hono/zod-openapi";

export const IdParam = z.object({ id: UuidSchema.meta({ param: { name: "id", in: "path" } }) });
export const AccountIdParam = z.object({
  accountId: AccountIdSchema.meta({ param: { name: "accountId", in: "path" } }),
});

const IssueSchema = z.object({ path: z.string(), message: z.string() });

export const ResolvedServerSchema = z
  .object({
    sourceServerId: z.string(),
    hostname: z.string(),
    replicationState: z.string(),
    readiness: z.string(),
    tags: z.record(z.string(), z.string()),
    assignedTo: z.object({ groupId: z.string(), groupName: z.string() }).optional(),
  })
  .openapi("ResolvedServer");

export const ProtectionGroupViewSchema = ProtectionGroupSchema.extend({
  serverCount: z.number().int().optional(),
  hasConflict: z.boolean().optional(),
  conflictsWith: z.array(z.object({ groupId: z.string(), name: z.string() })).optional(),
  servers: z.array(ResolvedServerSchema).optional(),
  resolutionError: z.string().optional(),
}).openapi("ProtectionGroupView");

export const ResolveRequestSchema = z
  .strictObject({
    accountId: AccountIdSchema,
    region: RegionSchema,
    serverSelectionTags: z.record(TagKeySchema, TagValueSchema).optional(),
    sourceServerIds: z.array(SourceServerIdSchema).max(3000).optional(),
    excludeGroupId: UuidSchema.optional(),
  })
  .refine((r) => (r.serverSelectionTags === undefined) !== (r.sourceServerIds === undefined), {
    message: "give exactly one of serverSelectionTags or sourceServerIds",
    path: ["serverSelectionTags"],
  })
  .openapi("ResolveRequest");

export const ResolveResultSchema = z
  .object({
    accountId: z.string(),
    region: z.string(),
    count: z.number().int(),
    servers: z.array(ResolvedServerSchema),
    conflicts: z.array(
      z.object({
        sourceServerId: z.string(),
        hostname: z.string(),
        groupId: z.string(),
        groupName: z.string(),
      }),
    ),
    notFound: z.array(z.string()),
  })
  .openapi("ResolveResult");

export const RecoveryPlanViewSchema = RecoveryPlanSchema.extend({
  accounts: z.array(z.object({ accountId: z.string(), region: z.string() })),
  protectionGroupCount: z.number().int(),
  failbackAllowanceSeconds: z.number().int().openapi({
    description:
      "What a FAILBACK of this plan allows each wave for replication back to the origin, on top of the wave's timeoutSeconds (setting failbackReplicationTimeoutHours; frozen when a failback starts)",
  }),
  lastExecution: z
    .object({
      executionId: z.string(),
      status: z.string(),
      executionType: z.string(),
      startTime: z.string(),
      endTime: z.string().optional(),
    })
    .optional(),
  readiness: z
    .object({ status: z.enum(["READY", "WARNINGS", "NOT_READY"]), evaluatedAt: z.string() })
    .optional()
    .openapi({
      description: "The latest readiness evaluation (GET /recovery-plans/{id}/readiness has the findings)",
    }),
  warnings: z.array(IssueSchema).optional(),
}).openapi("RecoveryPlanView");

export const PlanValidationSchema = z
  .object({
    valid: z.boolean(),
    issues: z.array(IssueSchema),
    warnings: z.array(IssueSchema),
    serverCount: z.number().int().optional(),
  })
  .openapi("PlanValidation");

export const SourceServerViewSchema = z
  .object({
    accountId: z.string(),
    region: z.string(),
    sourceServerId: z.string(),
    arn: z.string().optional(),
    hostname: z.string(),
    tags: z.record(z.string(), z.string()),
    replicationState: z.string(),
    replicationError: z.string().optional(),
    readiness: z.string(),
    lagDuration: z.string().optional(),
    lastLaunchResult: z.string().optional(),
    recoveryInstanceId: z.string().optional(),
    os: z.string().optional(),
    originEnvironment: z.string(),
    originRegion: z.string().optional(),
    replicationDirection: z.string().optional(),
    recommendedInstanceType: z.string().optional(),
    diskBytes: z.number().optional(),
    assignmentStatus: z.enum(["assigned", "unassigned"]),
    protectionGroup: z.object({ groupId: z.string(), groupName: z.string() }).optional(),
  })
  .openapi("SourceServerView");

export const QuotaViewSchema = z
  .object({
    accountId: z.string(),
    region: z.string(),
    source: z.string(),
    limits: z.object({
      serversPerJob: z.number(),
      concurrentJobs: z.number(),
      serversInAllJobs: z.number(),
      replicatingServers: z.number(),
    }),
    usage: z
      .object({
        activeJobs: z.number(),
        serversInActiveJobs: z.number(),
        replicatingServers: z.number(),
        sourceServers: z.number(),
      })
      .optional(),
    error: z.string().optional(),
  })
  .openapi("DrsQuotaView");

export const DrsAccountStatusSchema = z
  .object({
    accountId: z.string(),
    region: z.string(),
    accountName: z.string(),
    initialized: z.boolean(),
    status: z.enum(["INITIALIZED", "UNINITIALIZED", "UNREACHABLE"]),
    error: z.string().optional(),
  })
  .openapi("DrsAccountStatus");

export const AccountViewSchema = AccountSchema;

export const SettingsViewSchema = SettingsSchema.omit({ webhooks: true })
  .extend({
    webhooks: z.array(WebhookTargetSchema.omit({ secret: true }).extend({ secretSet: z.boolean() })),
    version: z.number().int(),
  })
  .openapi("SettingsView");
