import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Every API answer carries the security headers, the request ID and the CORS headers, whatever produced it:
 * a handler, a refused token, an unknown route, a body refused before any handler, a preflight. The fast
 * path sets them before the handler instead of after it; this is what it must keep.
 */
const SECURITY = {
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-content-type-options": "nosniff",
  "cross-origin-opener-policy": "same-origin",
};
const ALLOWED = "https://console.example.com";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ DRSO_CORS_ORIGINS: ALLOWED });
});
afterAll(async () => {
  await t?.close();
});

describe("response headers", () => {
  const cases: Array<[string, RequestInit & { path: string }, number]> = [
    ["a handler's answer", { path: "/api/health" }, 200],
    ["a refused token", { path: "/api/recovery-plans", headers: { authorization: "Bearer nope" } }, 401],
    ["an unknown route", { path: "/api/no-such-route" }, 404],
    [
      "a body refused before the handler",
      {
        path: "/api/protection-groups",
        method: "POST",
        body: "x",
        headers: { "content-type": "text/plain" },
      },
      415,
    ],
  ];
  for (const [what, { path, ...init }, status] of cases) {
    it(`${what} (${status}) carries the security, request ID and CORS headers`, async () => {
      const headers = { origin: ALLOWED, ...((init.headers as Record<string, string>) ?? {}) };
      const response = await fetch(`${t.baseUrl}${path}`, { ...init, headers });
      expect(response.status).toBe(status);
      for (const [name, value] of Object.entries(SECURITY)) expect(response.headers.get(name)).toBe(value);
      expect(response.headers.get("x-request-id")).toMatch(/\S/);
      expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
      expect(response.headers.get("access-control-expose-headers")).toBe(
        "X-Request-Id,ETag,Location,Retry-After",
      );
      expect(response.headers.get("vary")).toBe("Origin");
    });
  }

  it("an origin that is not allowed gets no Access-Control-Allow-Origin", async () => {
    const response = await fetch(`${t.baseUrl}/api/health`, { headers: { origin: "https://evil.example" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });

  it("a preflight from an allowed origin is answered with the allowed methods and headers", async () => {
    const response = await fetch(`${t.baseUrl}/api/recovery-plans`, {
      method: "OPTIONS",
      headers: { origin: ALLOWED, "access-control-request-method": "POST" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(response.headers.get("access-control-allow-methods")).toBe("GET,POST,PUT,DELETE,OPTIONS");
    expect(response.headers.get("access-control-max-age")).toBe("86400");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });
});
