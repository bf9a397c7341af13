import { AccountIdSchema, ProtectionGroupInputSchema, RegionSchema } from "@drso/core";
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
  UPSTREAM,
} from "../route-kit.js";
import { IdParam, ProtectionGroupViewSchema, ResolveRequestSchema, ResolveResultSchema } from "../schemas.js";

const tags = ["Protection groups"];

export function registerProtectionGroupRoutes(kit: RouteKit) {
  kit.add(
    {
      method: "get",
      path: "/protection-groups",
      access: "drs:ViewResources",
      tags,
      summary: "List protection groups",
      request: {
        query: z.object({
          accountId: AccountIdSchema.optional(),
          region: RegionSchema.optional(),
          name: z
            .string()
            .max(128)
            .optional()
            .openapi({ description: "Case-insensitive substring of the name" }),
          hasConflict: QueryBool.optional(),
          tag: z
            .string()
            .max(400)
            .optional()
            .openapi({ description: "key=value: groups selecting or holding servers with this tag" }),
          ...PageQuery,
        }),
      },
      responses: {
        200: jsonResponse(
          pageOf(ProtectionGroupViewSchema, "ProtectionGroupPage"),
          "A page of protection groups",
        ),
        ...COMMON_ERRORS,
      },
    },
    async (c) => {
      const { limit, nextToken, ...filter } = c.req.valid("query");
      const page = await c.var.services.protectionGroups.list(
        stripUndefined(filter),
        stripUndefined({ limit, nextToken }),
      );
      return c.json(page as never, 200);
    },
  );

  kit.add(
    {
      method: "post",
      path: "/protection-groups",
      access: "drs:CreateProtectionGroup",
      audit: "protection-group.create",
      target: "protection-group",
      tags,
      summary: "Create a protection group (explicit servers or a tag selection)",
      request: jsonBody(ProtectionGroupInputSchema),
      responses: {
        201: jsonResponse(ProtectionGroupViewSchema, "Created"),
        ...COMMON_ERRORS,
        ...CONFLICT,
        ...UPSTREAM,
      },
    },
    async (c) => {
      const principal = c.var.principal!;
      const group = await c.var.services.protectionGroups.create(c.req.valid("json"), principal.email);
      c.set("auditTarget", { id: group.groupId, name: group.name, detail: { name: group.name } });
      c.header("etag", etagOf(group.version));
      c.header("location", `${new URL(c.req.url).pathname}/${group.groupId}`);
      return c.json(group as never, 201);
    },
  );

  kit.add(
    {
      method: "post",
      path: "/protection-groups/resolve",
      access: "drs:ViewResources",
      tags,
      summary: "Preview the servers a selection matches now, with conflicts",
      request: jsonBody(ResolveRequestSchema),
      responses: {
        200: jsonResponse(ResolveResultSchema, "Matching servers"),
        ...COMMON_ERRORS,
        ...UPSTREAM,
      },
    },
    async (c) =>
      c.json(
        (await c.var.services.protectionGroups.resolve(stripUndefined(c.req.valid("json")))) as never,
        200,
      ),
  );

  kit.add(
    {
      method: "get",
      path: "/protection-groups/{id}",
      access: "drs:ViewResources",
      tags,
      summary: "Get a protection group with its resolved servers and conflicts",
      request: { params: IdParam, query: z.object({ refresh: QueryBool.optional() }) },
      responses: {
        200: jsonResponse(ProtectionGroupViewSchema, "The group"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) => {
      const { refresh } = c.req.valid("query");
      const group = await c.var.services.protectionGroups.get(c.req.valid("param").id, {
        refresh: refresh ?? false,
      });
      c.header("etag", etagOf(group.version));
      return c.json(group as never, 200);
    },
  );

  kit.add(
    {
      method: "put",
      path: "/protection-groups/{id}",
      access: "drs:UpdateProtectionGroup",
      audit: "protection-group.update",
      target: "protection-group",
      tags,
      summary: "Replace a protection group (honours If-Match)",
      request: { params: IdParam, ...jsonBody(ProtectionGroupInputSchema) },
      responses: {
        200: jsonResponse(ProtectionGroupViewSchema, "Updated"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
        ...CONFLICT,
        ...PRECONDITION,
        ...UPSTREAM,
      },
    },
    async (c) => {
      const group = await c.var.services.protectionGroups.update(
        c.req.valid("param").id,
        c.req.valid("json"),
        expectedVersion(c.req.header("if-match")),
      );
      c.set("auditTarget", { id: group.groupId, name: group.name });
      c.header("etag", etagOf(group.version));
      return c.json(group as never, 200);
    },
  );

  kit.add(
    {
      method: "delete",
      path: "/protection-groups/{id}",
      access: "drs:DeleteProtectionGroup",
      audit: "protection-group.delete",
      target: "protection-group",
      tags,
      summary: "Delete a protection group that no recovery plan uses",
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
      const existing = await c.var.services.deps.store.protectionGroups.get(id);
      if (existing) c.set("auditTarget", { id, name: existing.name });
      await c.var.services.protectionGroups.delete(id, expectedVersion(c.req.header("if-match")));
      return c.body(null, 204);
    },
  );
}

/** Drops undefined values so that optional properties stay absent (exactOptionalPropertyTypes). */
export function stripUndefined<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
