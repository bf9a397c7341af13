import { SettingsUpdateSchema } from "@drso/core";
import { z } from "@hono/zod-openapi";
import { etagOf, expectedVersion } from "../http/etag.js";
import { COMMON_ERRORS, jsonBody, jsonResponse, PRECONDITION, type RouteKit } from "../route-kit.js";
import { SettingsViewSchema } from "../schemas.js";

const tags = ["Configuration"];

export interface HealthCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

export const SystemHealthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    version: z.string(),
    mode: z.object({ drs: z.string(), store: z.string(), identity: z.string() }),
    checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })),
  })
  .openapi("SystemHealth");

export function registerConfigRoutes(
  kit: RouteKit,
  options: {
    version: string;
    mode: { drs: string; store: string; identity: string };
    extraChecks?: () => Promise<HealthCheck[]>;
  },
) {
  kit.add(
    {
      method: "get",
      path: "/config/settings",
      access: "drs:ViewResources",
      tags,
      summary: "System settings (secrets are never returned)",
      responses: { 200: jsonResponse(SettingsViewSchema, "Settings"), ...COMMON_ERRORS },
    },
    async (c) => {
      const settings = await c.var.services.settings.get();
      c.header("etag", etagOf(settings.version));
      return c.json(settings as never, 200);
    },
  );
  kit.add(
    {
      method: "put",
      path: "/config/settings",
      access: "drs:ManageAccounts",
      audit: "settings.update",
      target: "settings",
      tags,
      summary: "Update system settings (partial; honours If-Match)",
      request: jsonBody(SettingsUpdateSchema),
      responses: {
        200: jsonResponse(SettingsViewSchema, "Updated settings"),
        ...COMMON_ERRORS,
        ...PRECONDITION,
      },
    },
    async (c) => {
      const settings = await c.var.services.settings.update(
        c.req.valid("json"),
        expectedVersion(c.req.header("if-match")),
      );
      c.header("etag", etagOf(settings.version));
      return c.json(settings as never, 200);
    },
  );
  kit.add(
    {
      method: "get",
      path: "/config/regions",
      access: "drs:ViewResources",
      tags,
      summary: "Regions where DRS is available",
      responses: {
        200: jsonResponse(z.object({ regions: z.array(z.string()) }), "Regions"),
        ...COMMON_ERRORS,
      },
    },
    async (c) => c.json({ regions: c.var.services.discovery.regions() }, 200),
  );
  kit.add(
    {
      method: "get",
      path: "/config/health",
      access: "drs:ViewResources",
      tags,
      summary: "System health: store, engine, DRS reachability",
      responses: { 200: jsonResponse(SystemHealthSchema, "Health"), ...COMMON_ERRORS },
    },
    async (c) => {
      const checks: HealthCheck[] = [];
      try {
        await c.var.services.deps.store.ping();
        checks.push({ name: "store", ok: true });
      } catch (error) {
        checks.push({ name: "store", ok: false, detail: (error as Error).message });
      }
      for (const s of await c.var.services.discovery.accountsStatus()) {
        checks.push({
          name: `drs:${s.accountId}/${s.region}`,
          ok: s.status === "INITIALIZED",
          ...(s.status !== "INITIALIZED" ? { detail: "error" in s ? s.error : s.status } : {}),
        });
      }
      if (options.extraChecks) checks.push(...(await options.extraChecks()));
      return c.json(
        {
          status: checks.every((x) => x.ok) ? "ok" : "degraded",
          version: options.version,
          mode: options.mode,
          checks,
        } as never,
        200,
      );
    },
  );
}
