import { AuditEventSchema } from "@drso/core";
import { z } from "@hono/zod-openapi";
import { COMMON_ERRORS, jsonResponse, PageQuery, pageOf, type RouteKit } from "../route-kit.js";
import { stripUndefined } from "./protection-groups.js";

export function registerAuditRoutes(kit: RouteKit) {
  kit.add(
    {
      method: "get",
      path: "/audit",
      access: "audit:ReadAuditLog",
      tags: ["Audit"],
      summary: "The append-only audit log, newest first (DRSAdmin and DRSAuditor)",
      request: {
        query: z.object({
          actor: z.string().max(254).optional(),
          action: z.string().max(64).optional(),
          targetType: z.string().max(64).optional(),
          targetId: z.string().max(128).optional(),
          outcome: z.enum(["success", "failure", "denied"]).optional(),
          from: z.iso.datetime({ offset: true }).max(64).optional(),
          to: z.iso.datetime({ offset: true }).max(64).optional(),
          ...PageQuery,
        }),
      },
      responses: {
        200: jsonResponse(pageOf(AuditEventSchema, "AuditPage"), "A page of audit events"),
        ...COMMON_ERRORS,
      },
    },
    async (c) => {
      const { limit, nextToken, ...filter } = c.req.valid("query");
      return c.json(
        (await c.var.services.audit.list(
          stripUndefined(filter),
          stripUndefined({ limit, nextToken }),
        )) as never,
        200,
      );
    },
  );
}
