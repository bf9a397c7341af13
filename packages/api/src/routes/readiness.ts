import { READINESS_CHECKS } from "@drso/core";
import { z } from "@hono/zod-openapi";
import { COMMON_ERRORS, jsonResponse, NOT_FOUND, type RouteKit } from "../route-kit.js";
import { IdParam } from "../schemas.js";

const tags = ["Recovery plans"];

const ReadinessStatusSchema = z.enum(["READY", "WARNINGS", "NOT_READY"]).openapi("ReadinessStatus");

export const ReadinessFindingSchema = z
  .object({
    check: z.enum(READINESS_CHECKS),
    severity: z.enum(["error", "warning"]),
    waveId: z.string().optional(),
    waveName: z.string().optional(),
    sourceServerId: z.string().optional(),
    hostname: z.string().optional(),
    accountId: z.string().optional(),
    region: z.string().optional(),
    message: z.string(),
    fix: z.string(),
  })
  .openapi("ReadinessFinding");

export const ReadinessSchema = z
  .object({
    planId: z.string(),
    status: ReadinessStatusSchema,
    evaluatedAt: z.string(),
    serverCount: z.number().int(),
    checks: z.array(ReadinessFindingSchema),
    notApplicable: z.array(z.object({ check: z.enum(READINESS_CHECKS), reason: z.string() })),
    findingsOmitted: z
      .number()
      .int()
      .optional()
      .openapi({ description: "Findings beyond the first 300, counted but not stored" }),
    trigger: z.string().openapi({ description: "What caused this evaluation (schedule, change, on demand)" }),
  })
  .openapi("PlanReadiness");

const ReadinessHistorySchema = z
  .object({
    planId: z.string(),
    items: z.array(
      z.object({
        seq: z.number().int(),
        at: z.string(),
        previous: ReadinessStatusSchema.nullable(),
        status: ReadinessStatusSchema,
        errors: z.number().int(),
        warnings: z.number().int(),
        trigger: z.string(),
        reasons: z.array(z.string()),
      }),
    ),
  })
  .openapi("PlanReadinessHistory");

export function registerReadinessRoutes(kit: RouteKit) {
  kit.add(
    {
      method: "get",
      path: "/recovery-plans/{id}/readiness",
      access: "drs:ViewResources",
      tags,
      summary: "The plan's latest readiness evaluation (evaluated now if it has none yet)",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(ReadinessSchema, "Readiness: READY, WARNINGS or NOT_READY with the findings"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) => c.json((await c.var.services.readiness.latest(c.req.valid("param").id)) as never, 200),
  );

  kit.add(
    {
      method: "post",
      path: "/recovery-plans/{id}/readiness",
      access: "drs:ViewResources",
      audit: "recovery-plan.readiness-check",
      target: "recovery-plan",
      tags,
      summary: "Evaluate the plan's readiness now (reads DRS only; changes nothing there)",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(ReadinessSchema, "The new evaluation"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) => {
      const id = c.req.valid("param").id;
      const result = await c.var.services.readiness.evaluate(id, `on demand by ${c.var.principal!.email}`, {
        fresh: true,
      });
      c.set("auditTarget", { id, detail: { status: result.status } });
      return c.json(result as never, 200);
    },
  );

  kit.add(
    {
      method: "get",
      path: "/recovery-plans/{id}/readiness/history",
      access: "drs:ViewResources",
      tags,
      summary: "Changes of the plan's readiness status, newest first (the last 50)",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(ReadinessHistorySchema, "Readiness changes"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) => c.json((await c.var.services.readiness.history(c.req.valid("param").id)) as never, 200),
  );
}
