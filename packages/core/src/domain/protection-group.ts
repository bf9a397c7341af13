import { z } from "zod";
import {
  AccountIdSchema,
  DescriptionSchema,
  IsoDateTimeSchema,
  NameSchema,
  RegionSchema,
  SourceServerIdSchema,
  TagKeySchema,
  TagValueSchema,
  UuidSchema,
  uniqueItems,
} from "./common.js";

const launchFields = {
  launchDisposition: z.enum(["STARTED", "STOPPED"]).optional(),
  targetInstanceTypeRightSizingMethod: z.enum(["NONE", "BASIC", "IN_AWS"]).optional(),
  copyPrivateIp: z.boolean().optional(),
  copyTags: z.boolean().optional(),
  licensing: z.strictObject({ osByol: z.boolean() }).optional(),
  postLaunchEnabled: z.boolean().optional(),
};

export const LaunchOverridesSchema = z.strictObject(launchFields).meta({ id: "LaunchOverrides" });
export type LaunchOverrides = z.infer<typeof LaunchOverridesSchema>;

/** Group defaults pushed to each server's DRS launch configuration before launch, with per-server overrides. */
export const LaunchSettingsSchema = z
  .strictObject({
    ...launchFields,
    serverOverrides: z
      .record(SourceServerIdSchema, LaunchOverridesSchema)
      .refine((m) => Object.keys(m).length <= 3000, "at most 3000 server overrides")
      .optional(),
  })
  .meta({ id: "LaunchSettings" });
export type LaunchSettings = z.infer<typeof LaunchSettingsSchema>;

/**
 * What a server's failure means for its wave: a CRITICAL server (the default) that fails to launch fails the wave;
 * an OPTIONAL one is reported as an optional failure and the wave goes on.
 */
export const ServerImpactSchema = z.enum(["CRITICAL", "OPTIONAL"]).meta({
  id: "ServerImpact",
  description: "CRITICAL (default): its failure fails the wave; OPTIONAL: it does not",
});
export type ServerImpact = z.infer<typeof ServerImpactSchema>;

export const ServerSelectionTagsSchema = z
  .record(TagKeySchema, TagValueSchema)
  .refine((m) => Object.keys(m).length >= 1, "at least one tag")
  .refine((m) => Object.keys(m).length <= 20, "at most 20 tags");

export const ProtectionGroupInputSchema = z
  .strictObject({
    name: NameSchema,
    description: DescriptionSchema.optional(),
    accountId: AccountIdSchema,
    region: RegionSchema,
    sourceServerIds: z
      .array(SourceServerIdSchema)
      .min(1)
      .max(3000)
      .refine(uniqueItems, "must not contain duplicates")
      .optional(),
    serverSelectionTags: ServerSelectionTagsSchema.optional(),
    launchSettings: LaunchSettingsSchema.optional(),
    /** The impact of the group's servers (CRITICAL when absent). */
    serverImpact: ServerImpactSchema.optional(),
    /** Per-server impact, overriding `serverImpact`. */
    serverImpactOverrides: z
      .record(SourceServerIdSchema, ServerImpactSchema)
      .refine((m) => Object.keys(m).length <= 3000, "at most 3000 server overrides")
      .optional(),
  })
  .superRefine((value, ctx) => {
    const explicit = value.sourceServerIds !== undefined;
    const tagged = value.serverSelectionTags !== undefined;
    if (explicit === tagged) {
      ctx.addIssue({
        code: "custom",
        path: explicit ? ["serverSelectionTags"] : ["sourceServerIds"],
        message:
          "give exactly one of sourceServerIds (explicit servers) or serverSelectionTags (tag selection)",
      });
    }
    if (explicit && value.serverImpactOverrides) {
      const members = new Set(value.sourceServerIds);
      for (const id of Object.keys(value.serverImpactOverrides))
        if (!members.has(id))
          ctx.addIssue({
            code: "custom",
            path: ["serverImpactOverrides", id],
            message: `source server ${id} is not one of the group's sourceServerIds`,
          });
    }
  })
  .meta({ id: "ProtectionGroupInput" });
export type ProtectionGroupInput = z.infer<typeof ProtectionGroupInputSchema>;

export const ProtectionGroupSchema = z
  .object({
    groupId: UuidSchema,
    name: z.string(),
    description: z.string().optional(),
    accountId: z.string(),
    region: z.string(),
    selectionMode: z.enum(["explicit", "tags"]),
    sourceServerIds: z.array(z.string()).optional(),
    serverSelectionTags: z.record(z.string(), z.string()).optional(),
    launchSettings: LaunchSettingsSchema.optional(),
    serverImpact: ServerImpactSchema.optional(),
    serverImpactOverrides: z.record(z.string(), ServerImpactSchema).optional(),
    owner: z.string(),
    createdAt: IsoDateTimeSchema,
    updatedAt: IsoDateTimeSchema,
    version: z.number().int(),
  })
  .meta({ id: "ProtectionGroup" });
export type ProtectionGroup = z.infer<typeof ProtectionGroupSchema>;

/** A server's impact in its group: its override, else the group's, else CRITICAL. */
export function serverImpactOf(
  group: Pick<ProtectionGroup, "serverImpact" | "serverImpactOverrides">,
  sourceServerId: string,
): ServerImpact {
  return group.serverImpactOverrides?.[sourceServerId] ?? group.serverImpact ?? "CRITICAL";
}

export function selectionModeOf(input: Pick<ProtectionGroupInput, "sourceServerIds">): "explicit" | "tags" {
  return input.sourceServerIds !== undefined ? "explicit" : "tags";
}

/** A server matches a tag selection when it carries every selected key with the selected value. */
export function matchesSelectionTags(
  serverTags: Readonly<Record<string, string>> | undefined,
  selection: Readonly<Record<string, string>>,
): boolean {
  const tags = serverTags ?? {};
  return Object.entries(selection).every(([k, v]) => Object.hasOwn(tags, k) && tags[k] === v);
}

export interface ServerRef {
  sourceServerId: string;
  tags?: Readonly<Record<string, string>>;
}

/** The servers a group selects out of an inventory of the group's account and region. */
export function selectServers<S extends ServerRef>(
  group: Pick<ProtectionGroup, "sourceServerIds" | "serverSelectionTags">,
  inventory: readonly S[],
): S[] {
  if (group.sourceServerIds) {
    const wanted = new Set(group.sourceServerIds);
    return inventory.filter((s) => wanted.has(s.sourceServerId));
  }
  const selection = group.serverSelectionTags ?? {};
  return inventory.filter((s) => matchesSelectionTags(s.tags, selection));
}

/** Launch settings that apply to one server: the group's defaults overlaid with its override. */
export function effectiveLaunchSettings(
  settings: LaunchSettings | undefined,
  sourceServerId: string,
): LaunchOverrides {
  if (!settings) return {};
  const { serverOverrides, ...defaults } = settings;
  return { ...defaults, ...(serverOverrides?.[sourceServerId] ?? {}) };
}
