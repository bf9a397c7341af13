import {
  NameSchema,
  ProtectionGroupInputSchema,
  RecoveryPlanInputSchema,
  uniqueItems,
  WaveInputSchema,
} from "@drso/core";
import { z } from "zod";

/**
 * The plans-as-code file format (docs/plans-as-code.md). Protection groups are the API's
 * `ProtectionGroupInput` as is; recovery plans are the API's `RecoveryPlanInput` with one change: a wave
 * names its protection groups (`protectionGroups`) instead of giving their IDs (`protectionGroupIds`).
 * Every other field, limit and message comes from the core schemas, so the file accepts exactly what the
 * API accepts.
 */
export const API_VERSION = "drs-orchestrator/v1";
export const KIND = "DrPlanSet";

export const PlanFileWaveSchema = WaveInputSchema.omit({ protectionGroupIds: true })
  .extend({
    protectionGroups: z
      .array(NameSchema)
      .min(1)
      .max(100)
      .refine(uniqueItems, "must not contain duplicates")
      .meta({ description: "Names of protection groups (defined in this file) that this wave recovers" }),
  })
  .meta({
    id: "PlanFileWave",
    description:
      "A wave: the API's WaveInput with protection groups named (protectionGroups) instead of protectionGroupIds",
  });
export type PlanFileWave = z.infer<typeof PlanFileWaveSchema>;

export const PlanFileRecoveryPlanSchema = RecoveryPlanInputSchema.extend({
  waves: z.array(PlanFileWaveSchema).min(1).max(100),
}).meta({ id: "PlanFileRecoveryPlan", description: "A recovery plan: the API's RecoveryPlanInput" });
export type PlanFileRecoveryPlan = z.infer<typeof PlanFileRecoveryPlanSchema>;

export const PlanFileProtectionGroupSchema = ProtectionGroupInputSchema;
export type PlanFileProtectionGroup = z.infer<typeof PlanFileProtectionGroupSchema>;

export const PlanFileSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(KIND),
    protectionGroups: z.array(PlanFileProtectionGroupSchema).max(10_000).optional(),
    recoveryPlans: z.array(PlanFileRecoveryPlanSchema).max(10_000).optional(),
  })
  .meta({
    title: "DRS Orchestrator plans as code",
    description:
      "Protection groups and recovery plans of a DRS Orchestrator deployment, referring to each other by name (drsctl validate|diff|apply|export).",
  });
export type PlanFile = z.infer<typeof PlanFileSchema>;

/** The JSON Schema published at docs/schemas/plans-as-code.schema.json (generated, never edited by hand). */
export function planFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PlanFileSchema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return schema;
}
