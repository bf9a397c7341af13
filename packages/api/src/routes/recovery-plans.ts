import { AccountIdSchema, RecoveryPlanInputSchema } from "@drso/core";
import { z } from "@hono/zod-openapi";
import { etagOf, expectedVersion } from "../http/etag.js";
import {
  COMMON_ERRORS,
  CONFLICT,
  jsonBody,
  jsonResponse,
  NOT_FOUND,
  PageQuery,
  PRECONDITION,
  pageOf,
  QueryBool,
  type RouteKit,
} from "../route-kit.js";
import { IdParam, PlanValidationSchema, RecoveryPlanViewSchema } from "../schemas.js";
import { stripUndefined } from "./protection-groups.js";

const tags = ["Recovery plans"];

export function registerRecoveryPlanRoutes(kit: RouteKit) {
  kit.add(
    {
      method: "get",
      path: "/recovery-plans",
      access: "drs:ViewResources",
      tags,
      summary: "List recovery plans with their last execution",
      request: {
        query: z.object({
          accountId: AccountIdSchema.optional(),
          name: z.string().max(128).optional(),
          nameExact: z.string().max(128).optional(),
          tag: z.string().max(400).optional(),
          hasConflict: QueryBool.optional(),
          status: z
            .string()
            .max(32)
            .optional()
            .openapi({ description: "Status of the plan's last execution" }),
          ...PageQuery,
        }),
      },
      responses: {
        200: jsonResponse(pageOf(RecoveryPlanViewSchema, "RecoveryPlanPage"), "A page of plans"),
        ...COMMON_ERRORS,
      },
    },
    async (c) => {
      const { limit, nextToken, ...filter } = c.req.valid("query");
      return c.json(
        (await c.var.services.recoveryPlans.list(
          stripUndefined(filter),
          stripUndefined({ limit, nextToken }),
        )) as never,
        200,
      );
    },
  );

  kit.add(
    {
      method: "post",
      path: "/recovery-plans",
      access: "drs:CreateRecoveryPlan",
      audit: "recovery-plan.create",
      target: "recovery-plan",
      tags,
      summary: "Create a recovery plan of waves",
      request: jsonBody(RecoveryPlanInputSchema),
      responses: { 201: jsonResponse(RecoveryPlanViewSchema, "Created"), ...COMMON_ERRORS, ...CONFLICT },
    },
    async (c) => {
      const plan = await c.var.services.recoveryPlans.create(c.req.valid("json"), c.var.principal!.email);
      c.set("auditTarget", { id: plan.planId, name: plan.name, detail: { name: plan.name } });
      c.header("etag", etagOf(plan.version));
      c.header("location", `${new URL(c.req.url).pathname}/${plan.planId}`);
      return c.json(plan as never, 201);
    },
  );

  kit.add(
    {
      method: "post",
      path: "/recovery-plans/validate",
      access: "drs:ViewResources",
      tags,
      summary: "Validate a plan without saving it (DAG, references, server overlap, action support)",
      request: jsonBody(RecoveryPlanInputSchema),
      responses: { 200: jsonResponse(PlanValidationSchema, "Validation result"), ...COMMON_ERRORS },
    },
    async (c) => c.json((await c.var.services.recoveryPlans.validate(c.req.valid("json"))) as never, 200),
  );

  kit.add(
    {
      method: "get",
      path: "/recovery-plans/{id}",
      access: "drs:ViewResources",
      tags,
      summary: "Get a recovery plan",
      request: { params: IdParam },
      responses: { 200: jsonResponse(RecoveryPlanViewSchema, "The plan"), ...COMMON_ERRORS, ...NOT_FOUND },
    },
    async (c) => {
      const plan = await c.var.services.recoveryPlans.get(c.req.valid("param").id);
      c.header("etag", etagOf(plan.version));
      return c.json(plan as never, 200);
    },
  );

  kit.add(
    {
      method: "put",
      path: "/recovery-plans/{id}",
      access: "drs:UpdateRecoveryPlan",
      audit: "recovery-plan.update",
      target: "recovery-plan",
      tags,
      summary: "Replace a recovery plan (honours If-Match)",
      request: { params: IdParam, ...jsonBody(RecoveryPlanInputSchema) },
      responses: {
        200: jsonResponse(RecoveryPlanViewSchema, "Updated"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
        ...CONFLICT,
        ...PRECONDITION,
      },
    },
    async (c) => {
      const plan = await c.var.services.recoveryPlans.update(
        c.req.valid("param").id,
        c.req.valid("json"),
        expectedVersion(c.req.header("if-match")),
      );
      c.set("auditTarget", { id: plan.planId, name: plan.name });
      c.header("etag", etagOf(plan.version));
      return c.json(plan as never, 200);
    },
  );

  kit.add(
    {
      method: "delete",
      path: "/recovery-plans/{id}",
      access: "drs:DeleteRecoveryPlan",
      audit: "recovery-plan.delete",
      target: "recovery-plan",
      tags,
      summary: "Delete a recovery plan without an active execution",
      request: { params: IdParam },
      responses: {
        204: { description: "Deleted" },
        ...COMMON_ERRORS,
        ...NOT_FOUND,
        ...CONFLICT,
        ...PRECONDITION,
      },
    },
    async (c) => {
      const id = c.req.valid("param").id;
      const existing = await c.var.services.deps.store.recoveryPlans.get(id);
      if (existing) c.set("auditTarget", { id, name: existing.name });
      await c.var.services.recoveryPlans.delete(id, expectedVersion(c.req.header("if-match")));
      return c.body(null, 204);
    },
  );
}
