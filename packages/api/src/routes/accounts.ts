import { AccountInputSchema, AccountUpdateSchema } from "@drso/core";
import { z } from "@hono/zod-openapi";
import { etagOf, expectedVersion } from "../http/etag.js";
import {
  COMMON_ERRORS,
  CONFLICT,
  jsonBody,
  jsonResponse,
  NOT_FOUND,
  PRECONDITION,
  type RouteKit,
} from "../route-kit.js";
import { AccountIdParam, AccountViewSchema } from "../schemas.js";

const tags = ["Accounts"];

export function registerAccountRoutes(kit: RouteKit) {
  kit.add(
    {
      method: "get",
      path: "/accounts",
      access: "drs:ManageAccounts",
      tags,
      summary: "List target accounts",
      responses: {
        200: jsonResponse(z.object({ items: z.array(AccountViewSchema) }), "Accounts"),
        ...COMMON_ERRORS,
      },
    },
    async (c) => c.json({ items: await c.var.services.accounts.list() } as never, 200),
  );
  kit.add(
    {
      method: "post",
      path: "/accounts",
      access: "drs:ManageAccounts",
      audit: "account.create",
      target: "account",
      tags,
      summary: "Add a target account (role ARN and external ID for cross-account access)",
      request: jsonBody(AccountInputSchema),
      responses: { 201: jsonResponse(AccountViewSchema, "Created"), ...COMMON_ERRORS, ...CONFLICT },
    },
    async (c) => {
      const account = await c.var.services.accounts.create(c.req.valid("json"));
      c.set("auditTarget", { id: account.accountId });
      c.header("etag", etagOf(account.version));
      return c.json(account as never, 201);
    },
  );
  kit.add(
    {
      method: "get",
      path: "/accounts/{accountId}",
      access: "drs:ManageAccounts",
      tags,
      summary: "Get a target account with its last validation",
      request: { params: AccountIdParam },
      responses: { 200: jsonResponse(AccountViewSchema, "The account"), ...COMMON_ERRORS, ...NOT_FOUND },
    },
    async (c) => {
      const account = await c.var.services.accounts.get(c.req.valid("param").accountId);
      c.header("etag", etagOf(account.version));
      return c.json(account as never, 200);
    },
  );
  kit.add(
    {
      method: "put",
      path: "/accounts/{accountId}",
      access: "drs:ManageAccounts",
      audit: "account.update",
      target: "account",
      tags,
      summary: "Update a target account (honours If-Match)",
      request: { params: AccountIdParam, ...jsonBody(AccountUpdateSchema) },
      responses: {
        200: jsonResponse(AccountViewSchema, "Updated"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
        ...CONFLICT,
        ...PRECONDITION,
      },
    },
    async (c) => {
      const account = await c.var.services.accounts.update(
        c.req.valid("param").accountId,
        c.req.valid("json"),
        expectedVersion(c.req.header("if-match")),
      );
      c.header("etag", etagOf(account.version));
      return c.json(account as never, 200);
    },
  );
  kit.add(
    {
      method: "delete",
      path: "/accounts/{accountId}",
      access: "drs:ManageAccounts",
      audit: "account.delete",
      target: "account",
      tags,
      summary: "Remove a target account that no protection group uses",
      request: { params: AccountIdParam },
      responses: {
        204: { description: "Deleted" },
        ...COMMON_ERRORS,
        ...NOT_FOUND,
        ...CONFLICT,
        ...PRECONDITION,
      },
    },
    async (c) => {
      await c.var.services.accounts.delete(
        c.req.valid("param").accountId,
        expectedVersion(c.req.header("if-match")),
      );
      return c.body(null, 204);
    },
  );
  kit.add(
    {
      method: "post",
      path: "/accounts/{accountId}/validate",
      access: "drs:ManageAccounts",
      audit: "account.validate",
      target: "account",
      tags,
      summary: "Check DRS access in every region of the account (assumes the role on AWS)",
      request: { params: AccountIdParam },
      responses: {
        200: jsonResponse(AccountViewSchema, "The account with lastValidation"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) => {
      const account = await c.var.services.accounts.validate(c.req.valid("param").accountId);
      c.header("etag", etagOf(account.version));
      return c.json(account as never, 200);
    },
  );
}
