import {
  grantsOf,
  NotFoundError,
  UserCreateSchema,
  UserSchema,
  UserUpdateSchema,
  UuidSchema,
} from "@drso/core";
import { z } from "@hono/zod-openapi";
import { COMMON_ERRORS, CONFLICT, jsonBody, jsonResponse, NOT_FOUND, type RouteKit } from "../route-kit.js";

const tags = ["Users"];
const UserIdParam = z.object({ id: UuidSchema.meta({ param: { name: "id", in: "path" } }) });

export const ProfileSchema = z
  .object({
    sub: z.string(),
    email: z.string(),
    role: z.string(),
    groups: z.array(z.string()),
    permissions: z.array(z.string()),
  })
  .openapi("Profile");

export function registerUserRoutes(kit: RouteKit) {
  kit.add(
    {
      method: "get",
      path: "/users/profile",
      access: "drs:ViewResources",
      tags,
      summary: "The caller, with role and effective permissions",
      responses: { 200: jsonResponse(ProfileSchema, "Profile"), ...COMMON_ERRORS },
    },
    async (c) => {
      const p = c.var.principal!;
      return c.json(
        { sub: p.sub, email: p.email, role: p.role, groups: p.groups, permissions: [...grantsOf(p.role)] },
        200,
      );
    },
  );
  kit.add(
    {
      method: "get",
      path: "/users",
      access: "admin:ManageUsers",
      tags,
      summary: "List users",
      responses: { 200: jsonResponse(z.object({ items: z.array(UserSchema) }), "Users"), ...COMMON_ERRORS },
    },
    async (c) => c.json({ items: await c.var.services.users.list() } as never, 200),
  );
  kit.add(
    {
      method: "post",
      path: "/users",
      access: "admin:ManageUsers",
      audit: "user.create",
      target: "user",
      tags,
      summary: "Create a user (a temporary password is returned once when none is given)",
      request: jsonBody(UserCreateSchema),
      responses: {
        201: jsonResponse(
          z.object({ user: UserSchema, temporaryPassword: z.string().optional() }),
          "Created",
        ),
        ...COMMON_ERRORS,
        ...CONFLICT,
      },
    },
    async (c) => {
      const result = await c.var.services.users.create(c.req.valid("json"));
      c.set("auditTarget", {
        id: result.user.userId,
        detail: { email: result.user.email, role: result.user.role },
      });
      return c.json(result as never, 201);
    },
  );
  kit.add(
    {
      method: "get",
      path: "/users/{id}",
      access: "admin:ManageUsers",
      tags,
      summary: "Get a user",
      request: { params: UserIdParam },
      responses: { 200: jsonResponse(UserSchema, "The user"), ...COMMON_ERRORS, ...NOT_FOUND },
    },
    async (c) => {
      const id = c.req.valid("param").id;
      const user = await c.var.services.users.get(id);
      if (!user) throw new NotFoundError("user", id);
      return c.json(user as never, 200);
    },
  );
  kit.add(
    {
      method: "put",
      path: "/users/{id}",
      access: "admin:ManageUsers",
      audit: "user.update",
      target: "user",
      tags,
      summary: "Change a user's role, password or disabled flag",
      request: { params: UserIdParam, ...jsonBody(UserUpdateSchema) },
      responses: { 200: jsonResponse(UserSchema, "Updated"), ...COMMON_ERRORS, ...NOT_FOUND, ...CONFLICT },
    },
    async (c) => {
      const body = c.req.valid("json");
      const user = await c.var.services.users.update(c.req.valid("param").id, body);
      c.set("auditTarget", {
        detail: { role: body.role, disabled: body.disabled, passwordChanged: body.password !== undefined },
      });
      return c.json(user as never, 200);
    },
  );
  kit.add(
    {
      method: "delete",
      path: "/users/{id}",
      access: "admin:ManageUsers",
      audit: "user.delete",
      target: "user",
      tags,
      summary: "Delete a user (not the last administrator)",
      request: { params: UserIdParam },
      responses: { 204: { description: "Deleted" }, ...COMMON_ERRORS, ...NOT_FOUND, ...CONFLICT },
    },
    async (c) => {
      await c.var.services.users.delete(c.req.valid("param").id);
      return c.body(null, 204);
    },
  );
}
