import { ManualClock } from "@drso/clock";
import { createLocalIdentity } from "@drso/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, login } from "../support/api-client.js";
import { ADMIN, startTestServer, type TestServer } from "../support/test-server.js";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));

describe("authentication: only valid tokens get in", () => {
  const clock = new ManualClock(Date.now());
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ DRSO_ENGINE: "off" }, { clock });
  }, 120_000);
  afterAll(async () => t?.close());

  const profile = (token: string) =>
    apiClient(t.baseUrl, token).get<{ code?: string; role?: string }>("/users/profile");

  it("accepts the ID token and the access token", async () => {
    const response = await fetch(`${t.baseUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    const tokens = (await response.json()) as { idToken: string; accessToken: string; expiresIn: number };
    expect(tokens.expiresIn).toBe(2700);
    expect((await profile(tokens.idToken)).body.role).toBe("DRSAdmin");
    expect((await profile(tokens.accessToken)).status).toBe(200);
  });

  it("rejects a missing, malformed, tampered, alg:none, wrong-audience and expired token with 401", async () => {
    const token = await login(t.baseUrl, ADMIN.email, ADMIN.password);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = decode(payload);

    expect((await apiClient(t.baseUrl, "").get("/users/profile")).status).toBe(401);
    expect((await profile("not-a-jwt")).status).toBe(401);
    const tampered = `${header}.${b64({ ...claims, "custom:role": "DRSAdmin", email: "mallory@example.com" })}.${signature}`;
    expect((await profile(tampered)).status).toBe(401);
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith("A") ? "B" : "A"}A`;
    expect((await profile(flipped)).status).toBe(401);
    const none = `${b64({ alg: "none", typ: "JWT" })}.${payload}.`;
    expect((await profile(none)).status).toBe(401);

    // Same issuer and signing key, but minted for another client: the audience does not match.
    const other = createLocalIdentity({
      users: t.server.store.users,
      refreshTokens: t.server.store.refreshTokens,
      kv: t.server.store.kv,
      clock,
      issuer: decode(payload).iss,
      clientId: "some-other-client",
    });
    const foreign = await other.login(ADMIN.email, ADMIN.password);
    const wrongAudience = await profile(foreign.idToken);
    expect(wrongAudience.status).toBe(401);

    clock.advance(46 * 60_000);
    const expired = await profile(token);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe("TOKEN_EXPIRED");
    expect(expired.headers.get("content-type")).toContain("application/problem+json");
  });

  it("rotates refresh tokens and refuses a refresh token after logout or replay", async () => {
    const response = await fetch(`${t.baseUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    const { refreshToken } = (await response.json()) as { refreshToken: string };
    const refresh = (token: string) =>
      fetch(`${t.baseUrl}/api/auth/refresh`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refreshToken: token }),
      });
    const first = await refresh(refreshToken);
    expect(first.status).toBe(200);
    const rotated = ((await first.json()) as { refreshToken: string }).refreshToken;
    expect(rotated).not.toBe(refreshToken);
    expect((await refresh(refreshToken)).status).toBe(401);
    // The replay revoked every session of the user: the rotated token is dead too.
    expect((await refresh(rotated)).status).toBe(401);

    const again = (await (
      await fetch(`${t.baseUrl}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(ADMIN),
      })
    ).json()) as { refreshToken: string };
    const logout = await fetch(`${t.baseUrl}/api/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: again.refreshToken }),
    });
    expect(logout.status).toBe(204);
    expect((await refresh(again.refreshToken)).status).toBe(401);
  });

  it("locks an account for 15 minutes after 5 failed sign-ins", async () => {
    const admin = apiClient(t.baseUrl, await login(t.baseUrl, ADMIN.email, ADMIN.password));
    expect(
      (
        await admin.post("/users", {
          email: "victim@example.com",
          role: "DRSViewer",
          password: "Victim-Pass-1",
        })
      ).status,
    ).toBe(201);
    const attempt = (password: string) =>
      fetch(`${t.baseUrl}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "victim@example.com", password }),
      });
    for (let i = 0; i < 5; i++) expect((await attempt("wrong-Pass-9")).status).toBe(401);
    const locked = await attempt("Victim-Pass-1");
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { code: string }).code).toBe("ACCOUNT_LOCKED");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(800);
    clock.advance(15 * 60_000 + 1000);
    expect((await attempt("Victim-Pass-1")).status).toBe(200);
  });
});
