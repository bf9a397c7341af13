import {
  can,
  ForbiddenError,
  type TokenVerifier,
  TooManyRequestsError,
  UnauthenticatedError,
  ValidationError,
} from "@drso/core";
import { createRoute, type OpenAPIHono, type RouteConfig, type RouteHandler, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { ApiEnv } from "./env.js";
import { createRateLimiter } from "./http/rate-limit.js";
import type { Access, RouteMeta } from "./route-meta.js";

export type { Access, RouteMeta } from "./route-meta.js";

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ example: "VALIDATION_FAILED" }),
    detail: z.string(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** A 429 answer: problem+json with the seconds to wait in `Retry-After`. */
export const rateLimited = (description: string) => ({
  ...problem(description),
  headers: {
    "Retry-After": {
      description: "Seconds to wait before the next request",
      schema: { type: "integer" as const, minimum: 1 },
    },
  },
});

/** The error responses every authenticated route can produce. */
export const COMMON_ERRORS = {
  400: problem("Invalid request (problem+json with `errors[]`)"),
  401: problem("Missing, expired or invalid token"),
  403: problem("The caller's role lacks the route's permission"),
  429: rateLimited("Rate limit exceeded (per user)"),
} as const;
/** Every route can fail unexpectedly; the body never carries internals, only the request id to quote. */
const INTERNAL_ERROR = problem("Unexpected server error (logged with the request id)");
export const NOT_FOUND = { 404: problem("Not found") } as const;
export const CONFLICT = {
  409: problem("Conflict (name taken, server assigned, resource in use, invalid state)"),
} as const;
export const PRECONDITION = { 412: problem("If-Match does not match the current version") } as const;
export const UPSTREAM = {
  502: problem("DRS or another dependency failed"),
  503: problem("DRS is throttling; retry later"),
} as const;

export interface RouteKitOptions {
  verifier: TokenVerifier;
  rateLimit: { ratePerSecond: number; burst: number };
  now: () => number;
}

/**
 * Registers routes with their access rule and keeps the table of every route (the RBAC walk test and the
 * docs read it). Authentication, authorization and per-user rate limiting run before request validation,
 * so an unauthenticated caller learns nothing about a route's schema.
 */
export function createRouteKit(app: OpenAPIHono<ApiEnv>, options: RouteKitOptions) {
  const table: RouteMeta[] = [];
  const operationIds = new Set<string>();
  const limiter = createRateLimiter({ ...options.rateLimit, now: options.now });

  function guard(meta: RouteMeta): MiddlewareHandler<ApiEnv> {
    return async (c, next) => {
      c.set("route", meta);
      if (meta.access === "public") return next();
      const header = c.req.header("authorization");
      const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match) throw new UnauthenticatedError("Send an ID token as 'Authorization: Bearer <token>'.");
      const principal = await options.verifier.verify(match[1]!);
      c.set("principal", principal);
      const wait = limiter.take(`user:${principal.sub}`);
      if (wait > 0) throw new TooManyRequestsError("Too many requests for this user; slow down.", wait);
      if (meta.access !== "authenticated" && !can(principal.role, meta.access)) {
        throw new ForbiddenError(`Role ${principal.role} does not have permission ${meta.access}.`, {
          requiredPermission: meta.access,
          role: principal.role,
        });
      }
      return next();
    };
  }

  function add<R extends RouteConfig>(
    config: R & { access: Access; audit?: string; target?: string },
    handler: RouteHandler<R, ApiEnv>,
  ): void {
    const { access, audit, target, ...routeConfig } = config;
    const meta: RouteMeta = { method: routeConfig.method.toUpperCase(), path: routeConfig.path, access };
    if (audit) meta.audit = audit;
    if (target) meta.target = target;
    table.push(meta);
    const existing = routeConfig.middleware;
    const body = routeConfig.request?.body as { required?: boolean } | undefined;
    const middleware = [
      guard(meta),
      ...(body?.required === true ? [requireBody] : []),
      ...(body ? [refuseProtoKeys] : []),
      ...(existing ? (Array.isArray(existing) ? existing : [existing]) : []),
    ];
    const operationId = operationIdOf(meta.method, meta.path);
    if (operationIds.has(operationId)) throw new Error(`duplicate operationId ${operationId}`);
    operationIds.add(operationId);
    const route = createRoute({
      ...routeConfig,
      operationId,
      middleware,
      responses: { ...routeConfig.responses, 500: INTERNAL_ERROR },
      // A public route says so explicitly (`security: []`); every other route requires a bearer token.
      security: access === "public" ? [] : [{ bearerAuth: [] }],
      ...(access !== "public" && access !== "authenticated"
        ? { description: `${routeConfig.description ?? ""}\n\nRequires permission \`${access}\`.`.trim() }
        : {}),
    } as unknown as R);
    app.openapi(route, handler as never);
  }

  return { add, table };
}

export type RouteKit = ReturnType<typeof createRouteKit>;

/** `GET /protection-groups/{id}/resolve` -> `getProtectionGroupsByIdResolve`: stable, unique per route. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .split("/")
    .filter((segment) => segment !== "")
    .flatMap((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      return param ? ["by", ...param[1]!.split(/[^A-Za-z0-9]+/)] : segment.split(/[^A-Za-z0-9]+/);
    })
    .filter((word) => word !== "");
  return [method.toLowerCase(), ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join("");
}

/**
 * A route whose body the document marks required refuses a request without one. Without this, the JSON
 * validator reads a missing body as `{}`, and a route whose fields are all optional (PUT /users/{id},
 * PUT /config/settings) would accept an empty request as a valid update.
 */
const requireBody: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const length = c.req.header("content-length");
  const chunked = c.req.header("transfer-encoding") !== undefined;
  if (!chunked && (length === undefined || length.trim() === "0"))
    throw new ValidationError("A JSON request body is required.", [{ path: "", message: "required" }]);
  return next();
};

/**
 * A `__proto__` key anywhere in a JSON body is refused. zod's records drop such a key without a word (so
 * `{"serverSelectionTags": {"__proto__": true}}` passed as if the tag were not there), and no resource of this
 * API has a field or tag by that name that a user could mean.
 */
const refuseProtoKeys: MiddlewareHandler<ApiEnv> = async (c, next) => {
  if (!/json/i.test(c.req.header("content-type") ?? "")) return next();
  const text = await c.req.text();
  if (!/"__proto__"\s*:/.test(text)) return next();
  let found = false;
  try {
    JSON.parse(text, (key, value: unknown) => {
      if (key === "__proto__") found = true;
      return value;
    });
  } catch {
    return next(); // not JSON: the body validator answers MALFORMED_JSON
  }
  if (found)
    throw new ValidationError('The request body must not contain a "__proto__" key.', [
      { path: "__proto__", message: "not allowed" },
    ]);
  return next();
};

/** Query-string helpers (values arrive as strings). */
export const QueryBool = z.enum(["true", "false"]).transform((v) => v === "true");
export const PageQuery = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: "Page size, 1-100 (default 50)" }),
  nextToken: z.string().max(4096).optional().openapi({ description: "Cursor from the previous page" }),
};

export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), nextToken: z.string().optional() }).openapi(name);
}

export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    body: {
      content: { "application/json": { schema } },
      required: true,
      ...(description ? { description } : {}),
    },
  };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}
