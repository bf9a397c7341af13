import { existsSync, readFileSync } from "node:fs";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".map": "application/json; charset=utf-8",
};

/** The seed's CloudFront security headers, applied to the console locally. */
const UI_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self' data:; connect-src 'self' https://*.amazonaws.com; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
  "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
};

export const WEB_DIST = resolve(fileURLToPath(new URL("../../../packages/web/dist", import.meta.url)));

/**
 * Serves the built web console at `/` with SPA routing, and its runtime `aws-config.json` (local identity).
 * Without a build, `/` explains how to build it instead of failing.
 */
export function mountWebUi(app: Hono, options: { apiBase: string; distDir?: string }) {
  const dist = options.distDir ?? WEB_DIST;
  const config = JSON.stringify({ apiUrl: options.apiBase, auth: { mode: "local" }, version: 1 });
  app.get("/aws-config.json", (c) =>
    c.body(config, 200, { "content-type": "application/json", "cache-control": "no-store" }),
  );
  app.get("*", (c) => {
    const path = decodeURIComponent(new URL(c.req.url).pathname);
    if (path.startsWith(options.apiBase)) return c.notFound();
    if (!existsSync(join(dist, "index.html"))) {
      return c.html(
        "<!doctype html><title>DRS Orchestrator</title><h1>DRS Orchestrator</h1><p>The API is running at <a href='/api/health'>/api</a>. The web console is not built: run <code>npm run build -w @drso/web</code>.</p>",
        200,
      );
    }
    const file = normalize(join(dist, path));
    const inside = file.startsWith(dist) && existsSync(file) && !file.endsWith("/") && extname(file) !== "";
    const target = inside ? file : join(dist, "index.html");
    const type = TYPES[extname(target)] ?? "application/octet-stream";
    const immutable = inside && path.startsWith("/assets/");
    return c.body(readFileSync(target), 200, {
      ...UI_HEADERS,
      "content-type": type,
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
  });
}
