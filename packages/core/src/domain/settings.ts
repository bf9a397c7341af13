import { z } from "zod";

export const WebhookTargetSchema = z
  .strictObject({
    url: z
      .string()
      .max(2048)
      .refine((u) => {
        try {
          const p = new URL(u).protocol;
          return p === "https:" || p === "http:";
        } catch {
          return false;
        }
      }, "must be an absolute http(s) URL"),
    /** HMAC-SHA256 key for the `X-DRSO-Signature` header. Write-only: reads show `secretSet`. */
    secret: z.string().min(16).max(256).optional(),
    /** Event types to send; all when absent. */
    events: z.array(z.string().min(1).max(64)).max(50).optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: "WebhookTarget" });
export type WebhookTarget = z.infer<typeof WebhookTargetSchema>;

export const AllowedHostSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/,
    "must be a host name, an IP address or *.domain",
  );

export const DrsQuotasSchema = z
  .strictObject({
    serversPerJob: z.number().int().min(1).max(200),
    concurrentJobs: z.number().int().min(1).max(200),
    serversInAllJobs: z.number().int().min(1).max(10000),
  })
  .meta({ id: "DrsQuotas" });
export type DrsQuotas = z.infer<typeof DrsQuotasSchema>;

export const SettingsSchema = z
  .strictObject({
    /** Longest interval between two polls of a running DRS job. */
    pollIntervalSeconds: z.number().int().min(2).max(300),
    /** First poll after a launch; polling backs off from here to pollIntervalSeconds. */
    fastPollSeconds: z.number().int().min(1).max(60),
    quotas: DrsQuotasSchema,
    /** Drill instances are terminated automatically this long after the drill ends; 0 keeps them. */
    drillTtlHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 90),
    defaultWaveTimeoutSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 86400),
    /**
     * FAILBACK waves may first wait this long for failback replication (failback client, reverse replication
     * of EC2-origin servers), on top of the wave's own timeout: re-syncing disks takes hours, not minutes.
     */
    failbackReplicationTimeoutHours: z.number().int().min(1).max(720),
    webhooks: z.array(WebhookTargetSchema).max(20),
    /**
     * Hosts `http` wave actions may call although they are (or resolve to) loopback, link-local or private
     * addresses: exact names or IPs, or `*.example.com`. Empty by default: only public addresses.
     */
    httpActionAllowedHosts: z.array(AllowedHostSchema).max(100),
    /** Four-eyes: the user who started an execution may not decide its approvals. */
    forbidSelfApproval: z.boolean(),
    /** Plan readiness is evaluated this often (and after every change to a plan, group, account or settings). */
    readinessIntervalMinutes: z.number().int().min(1).max(1440),
    /** Readiness warns when a plan's last successful drill is older than this. */
    readinessMaxDrillAgeDays: z.number().int().min(1).max(3650),
  })
  .meta({ id: "Settings" });
export type Settings = z.infer<typeof SettingsSchema>;

export const SettingsUpdateSchema = z
  .strictObject({
    pollIntervalSeconds: SettingsSchema.shape.pollIntervalSeconds.optional(),
    fastPollSeconds: SettingsSchema.shape.fastPollSeconds.optional(),
    quotas: DrsQuotasSchema.partial().optional(),
    drillTtlHours: SettingsSchema.shape.drillTtlHours.optional(),
    defaultWaveTimeoutSeconds: SettingsSchema.shape.defaultWaveTimeoutSeconds.optional(),
    failbackReplicationTimeoutHours: SettingsSchema.shape.failbackReplicationTimeoutHours.optional(),
    webhooks: SettingsSchema.shape.webhooks.optional(),
    httpActionAllowedHosts: SettingsSchema.shape.httpActionAllowedHosts.optional(),
    forbidSelfApproval: SettingsSchema.shape.forbidSelfApproval.optional(),
    readinessIntervalMinutes: SettingsSchema.shape.readinessIntervalMinutes.optional(),
    readinessMaxDrillAgeDays: SettingsSchema.shape.readinessMaxDrillAgeDays.optional(),
  })
  .refine(
    (s) =>
      s.fastPollSeconds === undefined ||
      s.pollIntervalSeconds === undefined ||
      s.fastPollSeconds <= s.pollIntervalSeconds,
    {
      message: "fastPollSeconds must not exceed pollIntervalSeconds",
      path: ["fastPollSeconds"],
    },
  )
  .meta({ id: "SettingsUpdate" });
export type SettingsUpdate = z.infer<typeof SettingsUpdateSchema>;

export const DEFAULT_SETTINGS: Settings = {
  pollIntervalSeconds: 30,
  fastPollSeconds: 2,
  quotas: { serversPerJob: 100, concurrentJobs: 20, serversInAllJobs: 500 },
  drillTtlHours: 24,
  defaultWaveTimeoutSeconds: 7200,
  failbackReplicationTimeoutHours: 72,
  webhooks: [],
  httpActionAllowedHosts: [],
  forbidSelfApproval: false,
  readinessIntervalMinutes: 15,
  readinessMaxDrillAgeDays: 90,
};

export const SUPPORTED_DRS_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-east-1",
  "ap-south-1",
  "ap-south-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ca-central-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "il-central-1",
  "me-south-1",
  "me-central-1",
  "sa-east-1",
  "us-gov-east-1",
  "us-gov-west-1",
] as const;
