import type { ExecutionEventBus, Services } from "@drso/app";
import { type AuditEvent, type IdentityProvider, isPrintable, type TokenVerifier } from "@drso/core";
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import type { ApiEnv } from "./env.js";
import { errorToResponse, problemResponse, zodIssues } from "./http/problem.js";
import { createRouteKit, type RouteMeta } from "./route-kit.js";
import { registerAccountRoutes } from "./routes/accounts.js";
import { registerAuditRoutes } from "./routes/audit.js";
import { registerAuthRoutes } from "./routes/auth.js";
import { type HealthCheck, registerConfigRoutes } from "./routes/config.js";
import { registerDrillScheduleRoutes } from "./routes/drill-schedules.js";
import { registerDrsRoutes } from "./routes/drs.js";
import { registerEc2Routes } from "./routes/ec2.js";
import { registerExecutionRoutes } from "./routes/executions.js";
import { registerProtectionGroupRoutes } from "./routes/protection-groups.js";
import { registerReadinessRoutes } from "./routes/readiness.js";
import { registerRecoveryPlanRoutes } from "./routes/recovery-plans.js";
import { registerUserRoutes } from "./routes/users.js";

export interface ApiOptions {
  services: Services;
  verifier: TokenVerifier;
  /** Local mode: the product issues its own tokens and serves /auth/*. */
  identity?: IdentityProvider;
  /** Where the API lives: "/api" locally; "" behind API Gateway when the stage URL is the base. */
  basePath?: string;
  version: string;
  mode: { drs: string; store: string; identity: string };
  corsOrigins?: string[];
  rateLimit?: { ratePerSecond: number; burst: number };
  maxBodyBytes?: number;
  /** The caller's address (socket address locally, requestContext on Lambda). */
  clientAddress?: (c: { req: { header(name: string): string | undefined } }) => string;
  healthChecks?: () => Promise<HealthCheck[]>;
  /** Live execution events for server-sent events (local mode). */
  bus?: ExecutionEventBus;
  /** Extra routes registered with the same kit. */
  extend?: Array<(kit: ReturnType<typeof createRouteKit>) => void>;
  log?: (message: string, detail?: unknown) => void;
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  Accounts: "AWS accounts (and their cross-account roles) that hold DRS source servers",
  Audit: "The append-only audit log of every change and sign-in",
  Authentication:
    "Local sign-in: tokens, refresh, sign-out, signing keys (not mounted on AWS, where Cognito signs in)",
  Configuration: "Settings, supported regions and dependency health",
  DRS: "Source servers, quotas, account status and job logs, read from Elastic Disaster Recovery",
  EC2: "Recovery instances and launch templates",
  Executions: "Drills, recoveries and failbacks: start, control, follow, report, clean up",
  Health: "Liveness",
  "Protection groups": "Sets of source servers, chosen by tags or explicitly, recovered together",
  "Recovery plans": "Waves of protection groups with dependencies, pauses and actions",
  Users: "Users and roles (local identity) and the caller's profile",
};
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function createApi(options: ApiOptions) {
  const log = options.log ?? ((message: string, detail?: unknown) => console.error(message, detail));
  const basePath = options.basePath ?? "/api";
  const clientAddress = options.clientAddress ?? (() => "unknown");
  const { services } = options;
  const now = () => services.deps.clock.now();

  const api = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const target = (result as { target?: string }).target;
        return problemResponse(c, 400, "VALIDATION_FAILED", "The request is not valid; see errors[].", {
          errors: zodIssues(result.error, target === "json" ? "" : (target ?? "")),
        });
      }
      return undefined;
    },
  });

  // Runs on the outer app too (paths outside the API, e.g. after dot segments are resolved): once per request.
  const assignRequestId: MiddlewareHandler<ApiEnv> = async (c, next) => {
    if (!c.get("requestId")) {
      const incoming = c.req.header("x-request-id");
      const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : services.deps.newId();
      c.set("requestId", requestId);
      c.header("x-request-id", requestId);
    }
    c.set("services", services);
    await next();
  };
  api.use("*", assignRequestId);
  // The headers Hono's secureHeaders() produces with these options, read once from a throw-away app, and
  // set before the handler: secureHeaders() writes them through `c.res.headers` after it, which on the Node
  // adapter turns the handler's lightweight response into a full fetch Response.
  const securityHeaders: Promise<Array<[string, string]>> = Promise.resolve(
    new Hono()
      .use(
        secureHeaders({
          contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
          strictTransportSecurity: "max-age=31536000; includeSubDomains; preload",
          xFrameOptions: "DENY",
          referrerPolicy: "strict-origin-when-cross-origin",
          crossOriginResourcePolicy: false,
        }),
      )
      .get("/", (c) => c.body(null, 204))
      .request("/"),
  ).then((response) =>
    [...response.headers].filter(([name]) => name !== "content-type" && name !== "content-length"),
  );
  let securityHeaderList: Array<[string, string]> | undefined;
  api.use("*", async (c, next) => {
    securityHeaderList ??= await securityHeaders;
    for (const [name, value] of securityHeaderList ?? []) c.header(name, value);
    await next();
  });
  const allowOrigin = (origin: string) =>
    options.corsOrigins?.includes(origin) || options.corsOrigins?.includes("*") ? origin : null;
  const exposeHeaders = ["X-Request-Id", "ETag", "Location", "Retry-After"];
  const preflight = cors({
    origin: allowOrigin,
    allowHeaders: ["Content-Type", "Authorization", "X-Amz-Date", "X-Api-Key", "If-Match", "X-Request-Id"],
    allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    exposeHeaders,
    maxAge: 86400,
  });
  const exposed = exposeHeaders.join(",");
  // The same headers Hono's cors() sets on a non-preflight answer, set before the handler runs. cors() writes
  // them through `c.res.headers`, which creates a Response before the handler's own, and Hono then copies it
  // into the handler's: on the Node adapter that built a full fetch Response per request (a tenth of a GET).
  api.use("*", async (c, next) => {
    if (c.req.method === "OPTIONS") return preflight(c, next);
    const origin = allowOrigin(c.req.header("origin") || "");
    if (origin) c.header("Access-Control-Allow-Origin", origin);
    c.header("Access-Control-Expose-Headers", exposed);
    c.header("Vary", "Origin", { append: true });
    await next();
  });
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  api.use("*", async (c, next) => {
    const declared = Number(c.req.header("content-length"));
    if (Number.isFinite(declared) && declared > maxBody) {
      // Read and discard the body (bounded) so the client gets the 413 instead of a reset connection.
      if (declared <= 64 * maxBody && c.req.raw.body) {
        const reader = c.req.raw.body.getReader();
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) if ((await reader.read()).done) break;
      }
      return problemResponse(c, 413, "PAYLOAD_TOO_LARGE", `The request body exceeds ${maxBody} bytes.`, {
        limitBytes: maxBody,
      });
    }
    return next();
  });
  // A declared Content-Length is checked above; only a chunked body has to be counted as it arrives. Hono's
  // bodyLimit reads `c.req.raw.body`, which makes the Node adapter build a full fetch Request: on a GET that
  // was about a tenth of the request's CPU, so it runs only when a chunked body is on its way.
  const chunkedLimit = bodyLimit({
    maxSize: options.maxBodyBytes ?? 1024 * 1024,
    onError: (c) =>
      problemResponse(
        c,
        413,
        "PAYLOAD_TOO_LARGE",
        `The request body exceeds ${options.maxBodyBytes ?? 1024 * 1024} bytes.`,
      ),
  });
  api.use("*", (c, next) => (c.req.header("transfer-encoding") ? chunkedLimit(c, next) : next()));
  api.use("*", async (c, next) => {
    if (
      MUTATING.has(c.req.method) &&
      c.req.header("content-length") !== "0" &&
      (c.req.header("content-length") || c.req.header("transfer-encoding"))
    ) {
      const type = c.req.header("content-type") ?? "";
      if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
        return problemResponse(c, 415, "UNSUPPORTED_MEDIA_TYPE", "Send request bodies as application/json.");
      }
    }
    return next();
  });
  api.use("*", async (c, next) => {
    await next();
    const meta = c.get("route");
    if (!meta?.audit || !MUTATING.has(c.req.method)) return;
    const principal = c.get("principal");
    const target = c.get("auditTarget");
    const status = c.res.status;
    if (!principal && meta.access !== "public") return;
    const email =
      principal?.email ?? (typeof target?.detail?.email === "string" ? target.detail.email : undefined);
    const event: AuditEvent = {
      eventId: services.deps.newId(),
      at: new Date(now()).toISOString(),
      actor: {
        sub: principal?.sub ?? "anonymous",
        ...(email ? { email } : {}),
        ...(principal ? { role: principal.role } : {}),
      },
      action: meta.audit,
      outcome: status < 400 ? "success" : status === 401 || status === 403 ? "denied" : "failure",
      status,
      requestId: c.get("requestId"),
      sourceIp: clientAddress(c),
    };
    if (meta.target) event.targetType = meta.target;
    const targetId = target?.id ?? c.req.param("id") ?? c.req.param("accountId");
    if (targetId && isPrintable(targetId) && targetId.length <= 128) event.targetId = targetId;
    // The name a person knows the target by (a group's or plan's name), beside its id.
    if (target?.name && isPrintable(target.name)) event.targetName = target.name.slice(0, 256);
    const agent = c.req.header("user-agent");
    if (agent) event.userAgent = agent.slice(0, 256);
    if (target?.detail) event.detail = target.detail;
    try {
      await services.deps.store.audit.append(event);
    } catch (error) {
      log("audit append failed", error);
    }
  });

  api.onError((error, c) => errorToResponse(c, error, log));
  api.notFound((c) => problemResponse(c, 404, "ROUTE_NOT_FOUND", `No route ${c.req.method} ${c.req.path}.`));

  const kit = createRouteKit(api, {
    verifier: options.verifier,
    rateLimit: options.rateLimit ?? { ratePerSecond: 100, burst: 200 },
    now,
  });

  kit.add(
    {
      method: "get",
      path: "/health",
      access: "public",
      tags: ["Health"],
      summary: "Liveness",
      description:
        "Public: answers while the process serves requests. GET /config/health checks dependencies.",
      responses: {
        200: {
          description: "Alive",
          content: {
            "application/json": {
              schema: z
                .object({ status: z.literal("ok"), version: z.string(), time: z.string() })
                .openapi("Health"),
            },
          },
        },
      },
    },
    (c) =>
      c.json({ status: "ok" as const, version: options.version, time: new Date(now()).toISOString() }, 200),
  );
  if (options.identity) registerAuthRoutes(kit, options.identity, { now, clientAddress });
  registerProtectionGroupRoutes(kit);
  registerRecoveryPlanRoutes(kit);
  registerReadinessRoutes(kit);
  registerDrillScheduleRoutes(kit);
  registerDrsRoutes(kit);
  registerExecutionRoutes(kit, options.bus ? { bus: options.bus } : {});
  registerEc2Routes(kit);
  registerAccountRoutes(kit);
  registerConfigRoutes(kit, {
    version: options.version,
    mode: options.mode,
    ...(options.healthChecks ? { extraChecks: options.healthChecks } : {}),
  });
  registerUserRoutes(kit);
  registerAuditRoutes(kit);
  for (const extend of options.extend ?? []) extend(kit);

  api.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "An ID or access token (a JWS signed RS256) from POST /auth/login (local mode) or Amazon Cognito (AWS mode). " +
      "Verified as RFC8725 recommends: the algorithm is pinned to RS256 (any other `alg`, `none` included, is refused), " +
      "the key is chosen by `kid` from the issuer's own keys, and issuer, audience or client, `token_use` and expiry are checked.",
  });
  const document = () => {
    const doc = api.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "DRS Orchestrator API",
        version: options.version,
        description:
          "Protection groups, recovery plans, executions (drills, recoveries, failbacks) over AWS Elastic Disaster Recovery.",
        license: { name: "Apache-2.0", url: "https://www.apache.org/licenses/LICENSE-2.0" },
      },
      servers: [
        {
          url: basePath || "/",
          description:
            "This deployment's own API (production, staging or local alike): the web console and drsctl use it.",
          "x-internal": false,
        } as { url: string; description: string },
      ],
    });
    const used = new Set(
      Object.values(doc.paths ?? {}).flatMap((item) =>
        Object.values(item ?? {}).flatMap((op) => (op as { tags?: string[] }).tags ?? []),
      ),
    );
    doc.tags = [...used].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name }));
    return doc;
  };
  let cachedDocument: ReturnType<typeof document> | undefined;
  api.get("/openapi.json", (c) => {
    cachedDocument ??= document();
    return c.json(cachedDocument);
  });

  const app = new Hono();
  app.use("*", assignRequestId as unknown as MiddlewareHandler);
  app.route(basePath || "/", api);
  // Sub-app handlers do not apply to paths no route matched: answer those here, in the same format.
  app.notFound((c) => problemResponse(c, 404, "ROUTE_NOT_FOUND", `No route ${c.req.method} ${c.req.path}.`));
  app.onError((error, c) => errorToResponse(c, error, log));

  return { app, api, routes: kit.table as readonly RouteMeta[], openApiDocument: document };
}
