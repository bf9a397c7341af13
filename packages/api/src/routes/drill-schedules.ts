import { DrillScheduleSchema } from "@drso/core";
import { z } from "@hono/zod-openapi";
import { COMMON_ERRORS, jsonResponse, NOT_FOUND, type RouteKit } from "../route-kit.js";
import { IdParam } from "../schemas.js";

const ScheduledRunSchema = z
  .object({
    slot: z.string().openapi({ description: "The cron slot" }),
    at: z.string().openapi({ description: "When it was handled" }),
    outcome: z.enum(["started", "refused", "missed"]),
    executionId: z.string().optional(),
    code: z.string().optional(),
    reason: z.string().optional(),
    late: z.boolean().optional(),
    missedBefore: z.number().int().optional(),
  })
  .openapi("ScheduledRun");

const DrillScheduleViewSchema = z
  .object({
    planId: z.string(),
    schedule: DrillScheduleSchema.optional(),
    enabled: z.boolean(),
    nextRuns: z.array(z.string()).openapi({ description: "The next three slots (none when disabled)" }),
    lastRun: ScheduledRunSchema.optional(),
    runs: z.array(ScheduledRunSchema).openapi({ description: "The last 20 slots handled, newest first" }),
  })
  .openapi("DrillScheduleView");

/** Scheduled drills: the schedule is part of the plan (PUT the plan); this reads when it runs and what happened. */
export function registerDrillScheduleRoutes(kit: RouteKit) {
  kit.add(
    {
      method: "get",
      path: "/recovery-plans/{id}/schedule",
      access: "drs:ViewResources",
      tags: ["Recovery plans"],
      summary: "The plan's drill schedule: its next runs and what happened at the last slots",
      description:
        "Set the schedule with the plan (`schedule` in PUT /recovery-plans/{id}). A slot that could not start a drill (plan NOT_READY, servers in another execution) is recorded with why, audited and notified (`schedule.refused`); one that passed unseen is `missed` unless the missed-run policy is `run-once`.",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(DrillScheduleViewSchema, "Schedule"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) => c.json((await c.var.services.schedules.view(c.req.valid("param").id)) as never, 200),
  );
}
