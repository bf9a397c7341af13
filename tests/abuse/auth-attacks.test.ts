import { createHmac } from "node:crypto";
import { ManualClock } from "@drso/clock";
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, login } from "../support/api-client.js";
import { recordResult, trackOutcome } from "../support/suite-results.js";
import { ADMIN, startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Token attacks beyond tests/api/auth.test.ts (which covers missing, malformed, tampered, alg:none, wrong
 * audience, expired, refresh rotation, replay and logout, and the per-account lockout).
 */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const decode = (part: string) =>
  JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;

describe("abuse: authentication attacks", () => {
  const clock = new ManualClock(Date.now());
  let t: TestServer;
  let genuine: string;
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  let checked = 0;
  const outcome = trackOutcome();

  beforeAll(async () => {
    t = await startTestServer({ DRSO_ENGINE: "off" }, { clock });
    genuine = await login(t.baseUrl, ADMIN.email, ADMIN.password);
    const [h, p] = genuine.split(".") as [string, string];
    header = decode(h);
    claims = decode(p);
  }, 120_000);
  afterAll(async () => {
    recordResult({
      suite: "abuse",
      property:
        "forged tokens (foreign key with our kid, foreign kid, embedded jwk/jku, HS256 with the public key, deleted/disabled/re-roled user) are refused with 401; one address cannot spray passwords across accounts",
      runs: checked,
      result: outcome.result(),
    });
    await t?.close();
  });

  /** Sends the token and expects 401 problem+json (and that the genuine token still works). */
  async function refused(token: string, label: string) {
    const response = await apiClient(t.baseUrl, token).get<{ code?: string }>("/users/profile");
    expect(response.status, label).toBe(401);
    expect(response.headers.get("content-type"), label).toContain("application/problem+json");
    expect(response.body.code, label).toMatch(/^[A-Z_]+$/);
    checked += 1;
  }

  it("accepts the genuine token (the attacks below start from it)", async () => {
    expect((await apiClient(t.baseUrl, genuine).get("/users/profile")).status).toBe(200);
    expect(header).toMatchObject({ alg: "RS256" });
    expect(typeof header.kid).toBe("string");
  });

  it("refuses a token signed by another RSA key that claims our kid", async () => {
    const attacker = await generateKeyPair("RS256", { extractable: true });
    const forged = await new SignJWT({ ...claims, "custom:role": "DRSAdmin" })
      .setProtectedHeader({ alg: "RS256", kid: header.kid as string })
      .sign(attacker.privateKey);
    await refused(forged, "foreign key, our kid");
  });

  it("refuses a kid that points elsewhere, and keys offered inside the token (jwk, jku, x5u)", async () => {
    const attacker = await generateKeyPair("RS256", { extractable: true });
    const attackerJwk = await exportJWK(attacker.publicKey);
    for (const kid of [
      "attacker",
      "../../../../dev/null",
      "http://127.0.0.1:9/jwks.json",
      "",
      "' OR 1=1 --",
    ]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid })
        .sign(attacker.privateKey);
      await refused(forged, `kid ${JSON.stringify(kid)}`);
    }
    const embedded = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: header.kid as string, jwk: attackerJwk })
      .sign(attacker.privateKey);
    await refused(embedded, "embedded jwk");
    const remote = await new SignJWT(claims)
      .setProtectedHeader({
        alg: "RS256",
        kid: header.kid as string,
        jku: "http://127.0.0.1:9/jwks.json",
        x5u: "http://127.0.0.1:9/cert.pem",
      })
      .sign(attacker.privateKey);
    await refused(remote, "jku/x5u");
  });

  it("refuses HS256 tokens keyed with the server's public key (algorithm confusion)", async () => {
    const jwks = (await (await fetch(`${t.baseUrl}/api/auth/jwks`)).json()) as {
      keys: Array<Record<string, unknown>>;
    };
    const publicJwk = jwks.keys[0]!;
    const publicKey = await importJWK(publicJwk as never, "RS256");
    const pem = await exportSPKI(publicKey as never);
    const secrets = [pem, pem.trim(), JSON.stringify(publicJwk), String(publicJwk.n)];
    for (const secret of secrets) {
      const signingInput = `${b64({ alg: "HS256", typ: "JWT", kid: header.kid })}.${b64(claims)}`;
      const signature = createHmac("sha256", secret).update(signingInput).digest("base64url");
      await refused(`${signingInput}.${signature}`, `HS256 keyed with ${secret.slice(0, 20)}`);
    }
    // The genuine signature under a header that only changes alg is refused too.
    const [, payload, signature] = genuine.split(".") as [string, string, string];
    await refused(`${b64({ ...header, alg: "RS512" })}.${payload}.${signature}`, "alg switched to RS512");
    await refused(`${b64({ ...header, alg: "PS256" })}.${payload}.${signature}`, "alg switched to PS256");
  });

  it("refuses the tokens of a user once deleted, disabled or given another role, and their refresh tokens", async () => {
    const admin = apiClient(t.baseUrl, genuine);
    const make = async (email: string) => {
      const created = await admin.post<{ user: { userId: string } }>("/users", {
        email,
        role: "DRSOperator",
        password: "Operator-Pass-1",
      });
      expect(created.status).toBe(201);
      const response = await fetch(`${t.baseUrl}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: "Operator-Pass-1" }),
      });
      const tokens = (await response.json()) as {
        idToken: string;
        accessToken: string;
        refreshToken: string;
      };
      expect((await apiClient(t.baseUrl, tokens.idToken).get("/users/profile")).status).toBe(200);
      return { userId: created.body.user.userId, ...tokens };
    };
    const refresh = (refreshToken: string) =>
      fetch(`${t.baseUrl}/api/auth/refresh`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refreshToken }),
      });

    const deleted = await make("deleted@example.com");
    expect((await admin.del(`/users/${deleted.userId}`)).status).toBe(204);
    await refused(deleted.idToken, "deleted user's ID token");
    await refused(deleted.accessToken, "deleted user's access token");
    expect((await refresh(deleted.refreshToken)).status).toBe(401);

    const disabled = await make("disabled@example.com");
    expect((await admin.put(`/users/${disabled.userId}`, { disabled: true })).status).toBe(200);
    await refused(disabled.idToken, "disabled user's token");
    expect((await refresh(disabled.refreshToken)).status).toBe(401);

    const demoted = await make("demoted@example.com");
    expect((await admin.put(`/users/${demoted.userId}`, { role: "DRSViewer" })).status).toBe(200);
    // The token still says DRSOperator: it must not keep the old role's rights.
    await refused(demoted.idToken, "re-roled user's old token");
    checked += 3;
  });

  it("slows password spraying across many accounts from one address (per-address limiter), then recovers", async () => {
    const attempt = (email: string, password = "Wrong-Pass-1") =>
      fetch(`${t.baseUrl}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
    clock.advance(60_000); // a full bucket for this address
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 40; i++) {
      const response = await attempt(`spray-${i}@example.com`);
      statuses.push(response.status);
      if (response.status === 429 && !limited) limited = response;
    }
    // No account saw more than one failure, so no account lockout is involved: only the address limiter.
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    expect(limited).toBeDefined();
    expect(limited!.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await limited!.json()) as { code: string }).code).toBe("RATE_LIMITED");
    // The correct password is refused too while the address is limited: it cannot be used to probe.
    expect((await attempt(ADMIN.email, ADMIN.password)).status).toBe(429);
    clock.advance(10_000);
    expect((await attempt(ADMIN.email, ADMIN.password)).status).toBe(200);
    checked += 42;
  });
});
