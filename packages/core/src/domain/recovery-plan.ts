import { z } from "zod";
import { type WaveAction, WaveActionSchema } from "./actions.js";
import { DescriptionSchema, IsoDateTimeSchema, NameSchema, UuidSchema, uniqueItems } from "./common.js";
import { DrillScheduleSchema } from "./drill-schedule.js";

export const WaveIdSchema = z
  .string()
  .regex(/^[a-z0-9-]{1,64}$/, "must be 1-64 characters of a-z, 0-9 and '-'")
  .max(64)
  .meta({ example: "wave-1" });

export const DEFAULT_WAVE_TIMEOUT_SECONDS = 7200;

/**
 * What a wave's failure (or timeout) does: `abort` skips every wave not started and fails the execution;
 * `continue` lets the others go on; `pause` stops for a person to retry the wave, skip past it or abort.
 */
export const OnFailureSchema = z.enum(["abort", "continue", "pause"]).meta({
  id: "OnFailure",
  description: "abort | continue | pause (wait for a person: retry, skip or abort)",
});
export type OnFailure = z.infer<typeof OnFailureSchema>;

export const WaveInputSchema = z
  .strictObject({
    waveId: WaveIdSchema.optional(),
    name: NameSchema,
    description: DescriptionSchema.optional(),
    protectionGroupIds: z
      .array(UuidSchema)
      .min(1)
      .max(100)
      .refine(uniqueItems, "must not contain duplicates"),
    dependsOn: z.array(WaveIdSchema).max(100).refine(uniqueItems, "must not contain duplicates").optional(),
    pauseBefore: z.boolean().optional(),
    preActions: z.array(WaveActionSchema).max(20).optional(),
    postActions: z.array(WaveActionSchema).max(20).optional(),
    onFailure: OnFailureSchema.optional(),
    timeoutSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 86400)
      .optional(),
  })
  .meta({ id: "WaveInput" });
export type WaveInput = z.infer<typeof WaveInputSchema>;

export const RecoveryPlanInputSchema = z
  .strictObject({
    name: NameSchema,
    description: DescriptionSchema.optional(),
    rpoSeconds: z
      .number()
      .int()
      .min(0)
      .max(365 * 86400)
      .optional(),
    rtoSeconds: z
      .number()
      .int()
      .min(1)
      .max(365 * 86400)
      .optional(),
    waves: z.array(WaveInputSchema).min(1).max(100),
    /** Scheduled drills of this plan (absent: none). */
    schedule: DrillScheduleSchema.optional(),
  })
  .meta({ id: "RecoveryPlanInput" });
export type RecoveryPlanInput = z.infer<typeof RecoveryPlanInputSchema>;

export const WaveSchema = z
  .object({
    waveId: z.string(),
    name: z.string(),
    description: z.string().optional(),
    protectionGroupIds: z.array(z.string()),
    dependsOn: z.array(z.string()),
    pauseBefore: z.boolean(),
    preActions: z.array(WaveActionSchema),
    postActions: z.array(WaveActionSchema),
    onFailure: OnFailureSchema,
    timeoutSeconds: z.number().int(),
  })
  .meta({ id: "Wave" });
export type Wave = z.infer<typeof WaveSchema>;

export const RecoveryPlanSchema = z
  .object({
    planId: UuidSchema,
    name: z.string(),
    description: z.string().optional(),
    rpoSeconds: z.number().int().optional(),
    rtoSeconds: z.number().int().optional(),
    waves: z.array(WaveSchema),
    schedule: DrillScheduleSchema.optional(),
    owner: z.string(),
    createdAt: IsoDateTimeSchema,
    updatedAt: IsoDateTimeSchema,
    version: z.number().int(),
  })
  .meta({ id: "RecoveryPlan" });
export type RecoveryPlan = z.infer<typeof RecoveryPlanSchema>;

/** Fills defaults: wave IDs (`wave-N` by position), empty lists, `abort`, the default timeout. */
export function normalizeWaves(waves: readonly WaveInput[]): Wave[] {
  const taken = new Set(waves.map((w) => w.waveId).filter((id): id is string => id !== undefined));
  let counter = 0;
  const nextId = () => {
    for (;;) {
      counter += 1;
      const id = `wave-${counter}`;
      if (!taken.has(id)) {
        taken.add(id);
        return id;
      }
    }
  };
  return waves.map((w) => {
    const wave: Wave = {
      waveId: w.waveId ?? nextId(),
      name: w.name,
      protectionGroupIds: [...w.protectionGroupIds],
      dependsOn: [...(w.dependsOn ?? [])],
      pauseBefore: w.pauseBefore ?? false,
      preActions: [...(w.preActions ?? [])] as WaveAction[],
      postActions: [...(w.postActions ?? [])] as WaveAction[],
      onFailure: w.onFailure ?? "abort",
      timeoutSeconds: w.timeoutSeconds ?? DEFAULT_WAVE_TIMEOUT_SECONDS,
    };
    if (w.description !== undefined) wave.description = w.description;
    return wave;
  });
}
