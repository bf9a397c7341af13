import { AccountIdSchema, RegionSchema } from "@drso/core";
import { z } from "@hono/zod-openapi";
import { COMMON_ERRORS, jsonResponse, PageQuery, QueryBool, type RouteKit, UPSTREAM } from "../route-kit.js";
import { DrsAccountStatusSchema, QuotaViewSchema, SourceServerViewSchema } from "../schemas.js";
import { stripUndefined } from "./protection-groups.js";

const tags = ["DRS"];

export function registerDrsRoutes(kit: RouteKit) {
  kit.add(
    {
      method: "get",
      path: "/drs/source-servers",
      access: "drs:ViewResources",
      tags,
      summary: "Discover DRS source servers, showing which protection group holds each",
      request: {
        query: z.object({
          region: RegionSchema,
          accountId: AccountIdSchema.optional(),
          replicationStatus: z.string().max(32).optional().openapi({
            description: "A DRS data replication state (e.g. CONTINUOUS) or readiness (READY, NOT_READY…)",
          }),
          assignmentStatus: z.enum(["assigned", "unassigned"]).optional(),
          tag: z.string().max(400).optional(),
          refresh: QueryBool.optional(),
          ...PageQuery,
        }),
      },
      responses: {
        200: jsonResponse(
          z
            .object({
              items: z.array(SourceServerViewSchema),
              nextToken: z.string().optional(),
              count: z.number().int(),
            })
            .openapi("SourceServerPage"),
          "A page of source servers; `count` is the total after filters",
        ),
        ...COMMON_ERRORS,
        ...UPSTREAM,
      },
    },
    async (c) => {
      const { limit, nextToken, ...query } = c.req.valid("query");
      return c.json(
        (await c.var.services.discovery.sourceServers(
          stripUndefined(query),
          stripUndefined({ limit, nextToken }),
        )) as never,
        200,
      );
    },
  );

  kit.add(
    {
      method: "get",
      path: "/drs/quotas",
      access: "drs:ViewResources",
      tags,
      summary: "DRS quotas and current usage per account and region",
      request: {
        query: z.object({ accountId: AccountIdSchema.optional(), region: RegionSchema.optional() }),
      },
      responses: {
        200: jsonResponse(z.object({ items: z.array(QuotaViewSchema) }), "Quotas"),
        ...COMMON_ERRORS,
      },
    },
    async (c) =>
      c.json(
        { items: await c.var.services.discovery.quotas(stripUndefined(c.req.valid("query"))) } as never,
        200,
      ),
  );

  kit.add(
    {
      method: "get",
      path: "/drs/accounts",
      access: "drs:ViewResources",
      tags,
      summary: "DRS initialization status of every configured account and region",
      responses: {
        200: jsonResponse(z.object({ items: z.array(DrsAccountStatusSchema) }), "Status"),
        ...COMMON_ERRORS,
      },
    },
    async (c) => c.json({ items: await c.var.services.discovery.accountsStatus() } as never, 200),
  );
}
