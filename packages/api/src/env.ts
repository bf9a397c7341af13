import type { Services } from "@drso/app";
import type { Principal } from "@drso/core";
import type { RouteMeta } from "./route-meta.js";

/** Hono context variables set by the middleware chain. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    principal?: Principal;
    route?: RouteMeta;
    auditTarget?: { type?: string; id?: string; name?: string; detail?: Record<string, unknown> };
    services: Services;
  };
}
