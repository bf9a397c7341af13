import { createHash, createPublicKey, generateKeyPairSync } from "node:crypto";
import { TooManyRequestsError, UnauthenticatedError } from "@drso/core";
import { decodeJwt, decodeProtectedHeader, importJWK, type JWTPayload, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createLocalIdentity } from "./local-identity.js";
import { createScryptHasher } from "./password-hasher.js";
import { createSigningKeys } from "./signing-keys.js";
import { CLIENT_ID, ISSUER, PASSWORD, rejectionOf, START, setup } from "./test-support/harness.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

async function signedIn(role: Parameters<Awaited<ReturnType<typeof setup>>["addUser"]>[1] = "DRSOperator") {
  const ctx = await setup();
  const user = await ctx.addUser("Ops@Example.com", role);
  const tokens = await ctx.identity.login("ops@example.com", PASSWORD);
  return { ...ctx, user, tokens };
}

/** Signs arbitrary claims with the identity's real key, to test each claim check on its own. */
async function signWithRealKey(
  ctx: Awaited<ReturnType<typeof setup>>,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
) {
  const key = await createSigningKeys(ctx.repos.kv).current();
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: key.kid, ...header })
    .sign(key.privateKey);
}

describe("local identity: tokens", () => {
  it("issues an ID token with every Cognito claim", async () => {
    const { tokens, user } = await signedIn();
    const iat = Math.floor(START / 1000);
    const claims = decodeJwt(tokens.idToken);
    expect(Object.keys(claims).sort()).toEqual(
      [
        "sub",
        "aud",
        "cognito:groups",
        "email_verified",
        "iss",
        "cognito:username",
        "custom:role",
        "event_id",
        "token_use",
        "auth_time",
        "exp",
        "iat",
        "email",
        "jti",
        "origin_jti",
      ].sort(),
    );
    expect(claims).toMatchObject({
      sub: user.userId,
      aud: CLIENT_ID,
      "cognito:groups": ["DRSOperators"],
      email_verified: true,
      iss: ISSUER,
      "cognito:username": "ops@example.com",
      "custom:role": "DRSOperator",
      token_use: "id",
      auth_time: iat,
      iat,
      exp: iat + 2700,
      email: "ops@example.com",
    });
    expect(claims.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.origin_jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("issues an access token with Cognito's claims plus aud (and cognito:groups)", async () => {
    const { tokens, user } = await signedIn();
    const iat = Math.floor(START / 1000);
    const id = decodeJwt(tokens.idToken);
    const claims = decodeJwt(tokens.accessToken);
    expect(Object.keys(claims).sort()).toEqual(
      [
        "sub",
        "iss",
        "client_id",
        "aud",
        "origin_jti",
        "event_id",
        "token_use",
        "scope",
        "auth_time",
        "exp",
        "iat",
        "jti",
        "username",
        "custom:role",
        "cognito:groups",
      ].sort(),
    );
    expect(claims).toMatchObject({
      sub: user.userId,
      iss: ISSUER,
      client_id: CLIENT_ID,
      aud: CLIENT_ID,
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
      auth_time: iat,
      iat,
      exp: iat + 2700,
      username: "ops@example.com",
      "custom:role": "DRSOperator",
      "cognito:groups": ["DRSOperators"],
      origin_jti: id.origin_jti,
      event_id: id.event_id,
    });
    expect(claims.jti).not.toBe(id.jti);
  });

  it("signs with RS256 and names the key", async () => {
    const ctx = await signedIn();
    const { keys } = await ctx.identity.jwks();
    for (const token of [ctx.tokens.idToken, ctx.tokens.accessToken]) {
      expect(decodeProtectedHeader(token)).toEqual({ alg: "RS256", kid: keys[0]?.kid });
    }
  });

  it("returns the token set shape with expiresIn 2700 and the principal", async () => {
    const { tokens, user } = await signedIn();
    expect(tokens).toMatchObject({ expiresIn: 2700, tokenType: "Bearer" });
    expect(tokens.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokens.principal).toEqual({
      sub: user.userId,
      email: "ops@example.com",
      role: "DRSOperator",
      groups: ["DRSOperators"],
      tokenUse: "id",
    });
  });

  it("honours a configured token lifetime", async () => {
    const ctx = await setup({ tokenTtlSeconds: 600 });
    await ctx.addUser("viewer@example.com", "DRSViewer");
    const tokens = await ctx.identity.login("viewer@example.com", PASSWORD);
    expect(tokens.expiresIn).toBe(600);
    const claims = decodeJwt(tokens.accessToken);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);
  });

  it("uses the plural group name for every role", async () => {
    const ctx = await setup();
    await ctx.addUser("x@example.com", "DRSCrossAccount");
    const tokens = await ctx.identity.login("x@example.com", PASSWORD);
    expect(decodeJwt(tokens.idToken)["cognito:groups"]).toEqual(["DRSCrossAccounts"]);
    await expect(ctx.identity.verify(tokens.idToken)).resolves.toMatchObject({ role: "DRSCrossAccount" });
  });
});

describe("local identity: verify", () => {
  it("accepts a good ID token and a good access token", async () => {
    const { identity, tokens, user } = await signedIn("DRSAdmin");
    const expected = { sub: user.userId, email: "ops@example.com", role: "DRSAdmin", groups: ["DRSAdmins"] };
    await expect(identity.verify(tokens.idToken)).resolves.toEqual({ ...expected, tokenUse: "id" });
    await expect(identity.verify(tokens.accessToken)).resolves.toEqual({ ...expected, tokenUse: "access" });
  });

  it("accepts a token up to 5 seconds after exp, and reports TOKEN_EXPIRED after that", async () => {
    const { identity, tokens, clock } = await signedIn();
    clock.advance(45 * MINUTE + 4_000);
    await expect(identity.verify(tokens.accessToken)).resolves.toBeDefined();
    clock.advance(2_000);
    for (const token of [tokens.accessToken, tokens.idToken]) {
      const error = await rejectionOf(identity.verify(token));
      expect(error).toBeInstanceOf(UnauthenticatedError);
      expect(error.code).toBe("TOKEN_EXPIRED");
    }
  });

  it("rejects a token issued in the future (beyond the skew)", async () => {
    const ctx = await signedIn();
    const claims = decodeJwt(ctx.tokens.accessToken);
    const future = await signWithRealKey(ctx, {
      ...claims,
      iat: (claims.iat ?? 0) + 60,
      exp: (claims.exp ?? 0) + 60,
    });
    expect((await rejectionOf(ctx.identity.verify(future))).code).toBe("UNAUTHENTICATED");
  });

  it("rejects alg: none", async () => {
    const { identity, tokens } = await signedIn();
    const claims = decodeJwt(tokens.accessToken);
    for (const header of [{ alg: "none" }, { alg: "none", typ: "JWT" }, { alg: "None" }]) {
      for (const signature of ["", tokens.accessToken.split(".")[2]]) {
        const forged = `${b64url(header)}.${b64url(claims)}.${signature}`;
        const error = await rejectionOf(identity.verify(forged));
        expect(error).toBeInstanceOf(UnauthenticatedError);
        expect(error.code).toBe("UNAUTHENTICATED");
      }
    }
  });

  it("rejects a token with one signature byte flipped", async () => {
    const { identity, tokens } = await signedIn();
    const [header, payload, signature] = tokens.accessToken.split(".") as [string, string, string];
    const bytes = Buffer.from(signature, "base64url");
    bytes[10] = (bytes[10] ?? 0) ^ 0x01;
    const tampered = `${header}.${payload}.${bytes.toString("base64url")}`;
    expect((await rejectionOf(identity.verify(tampered))).code).toBe("UNAUTHENTICATED");
  });

  it("rejects a payload changed under a valid signature (privilege escalation)", async () => {
    const { identity, tokens } = await signedIn("DRSViewer");
    const [header, , signature] = tokens.accessToken.split(".") as [string, string, string];
    const claims = { ...decodeJwt(tokens.accessToken), "custom:role": "DRSAdmin" };
    const tampered = `${header}.${b64url(claims)}.${signature}`;
    expect((await rejectionOf(identity.verify(tampered))).code).toBe("UNAUTHENTICATED");
  });

  it("rejects a token signed by another RSA key, even with our kid", async () => {
    const { identity, tokens } = await signedIn();
    const { kid } = decodeProtectedHeader(tokens.accessToken);
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const forged = await new SignJWT(decodeJwt(tokens.accessToken))
      .setProtectedHeader({ alg: "RS256", kid: kid as string })
      .sign(other.privateKey);
    expect((await rejectionOf(identity.verify(forged))).code).toBe("UNAUTHENTICATED");
  });

  it("rejects HS256 signed with the public key as the secret (key confusion)", async () => {
    const { identity, tokens } = await signedIn();
    const { keys } = await identity.jwks();
    const jwk = keys[0] as { kid: string; n: string; e: string };
    const pem = createPublicKey({ key: { kty: "RSA", n: jwk.n, e: jwk.e }, format: "jwk" })
      .export({ type: "spki", format: "pem" })
      .toString();
    const claims = decodeJwt(tokens.accessToken);
    for (const secret of [pem, pem.trim()]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", kid: jwk.kid })
        .sign(new TextEncoder().encode(secret));
      expect((await rejectionOf(identity.verify(forged))).code).toBe("UNAUTHENTICATED");
    }
    const jwkSecret = await importJWK({ kty: "oct", k: Buffer.from(pem).toString("base64url") }, "HS256");
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: jwk.kid })
      .sign(jwkSecret);
    expect((await rejectionOf(identity.verify(forged))).code).toBe("UNAUTHENTICATED");
  });

  it("rejects a kid it does not know, even when the signature is ours", async () => {
    const ctx = await signedIn();
    const token = await signWithRealKey(ctx, decodeJwt(ctx.tokens.accessToken), { kid: "some-other-key" });
    expect((await rejectionOf(ctx.identity.verify(token))).code).toBe("UNAUTHENTICATED");
    const noKid = await signWithRealKey(ctx, decodeJwt(ctx.tokens.accessToken), { kid: undefined });
    expect((await rejectionOf(ctx.identity.verify(noKid))).code).toBe("UNAUTHENTICATED");
  });

  it("rejects the wrong issuer", async () => {
    const ctx = await signedIn();
    for (const token of [ctx.tokens.idToken, ctx.tokens.accessToken]) {
      const forged = await signWithRealKey(ctx, { ...decodeJwt(token), iss: "https://evil.example.com" });
      expect((await rejectionOf(ctx.identity.verify(forged))).code).toBe("UNAUTHENTICATED");
    }
  });

  it("rejects the wrong audience, and an access token whose client_id differs", async () => {
    const ctx = await signedIn();
    for (const token of [ctx.tokens.idToken, ctx.tokens.accessToken]) {
      const wrongAud = await signWithRealKey(ctx, { ...decodeJwt(token), aud: "another-client" });
      expect((await rejectionOf(ctx.identity.verify(wrongAud))).code).toBe("UNAUTHENTICATED");
      const { aud: _aud, ...withoutAud } = decodeJwt(token);
      const noAud = await signWithRealKey(ctx, withoutAud);
      expect((await rejectionOf(ctx.identity.verify(noAud))).code).toBe("UNAUTHENTICATED");
    }
    const wrongClient = await signWithRealKey(ctx, {
      ...decodeJwt(ctx.tokens.accessToken),
      client_id: "another-client",
    });
    expect((await rejectionOf(ctx.identity.verify(wrongClient))).code).toBe("UNAUTHENTICATED");
  });

  it("rejects a token_use other than id or access, and missing required claims", async () => {
    const ctx = await signedIn();
    const claims = decodeJwt(ctx.tokens.accessToken);
    for (const bad of [
      { ...claims, token_use: "refresh" },
      { ...claims, token_use: undefined },
      { ...claims, exp: undefined },
      { ...claims, jti: undefined },
      { ...claims, sub: undefined },
    ]) {
      const token = await signWithRealKey(ctx, JSON.parse(JSON.stringify(bad)));
      expect((await rejectionOf(ctx.identity.verify(token))).code).toBe("UNAUTHENTICATED");
    }
  });

  it("rejects a missing or unknown role", async () => {
    const ctx = await signedIn();
    const claims = decodeJwt(ctx.tokens.accessToken);
    for (const bad of [
      { ...claims, "custom:role": undefined, "cognito:groups": undefined },
      { ...claims, "custom:role": "SuperUser", "cognito:groups": ["Everyone"] },
    ]) {
      const token = await signWithRealKey(ctx, JSON.parse(JSON.stringify(bad)));
      expect((await rejectionOf(ctx.identity.verify(token))).code).toBe("UNAUTHENTICATED");
    }
  });

  it("rejects the tokens of a deleted user", async () => {
    const ctx = await signedIn();
    await ctx.addUser("admin@example.com", "DRSAdmin");
    await ctx.directory.delete(ctx.user.userId);
    for (const token of [ctx.tokens.idToken, ctx.tokens.accessToken]) {
      expect((await rejectionOf(ctx.identity.verify(token))).code).toBe("UNAUTHENTICATED");
    }
  });

  it("rejects the tokens of a disabled user, and accepts them again once re-enabled", async () => {
    const ctx = await signedIn();
    await ctx.directory.update(ctx.user.userId, { disabled: true });
    expect((await rejectionOf(ctx.identity.verify(ctx.tokens.accessToken))).code).toBe("UNAUTHENTICATED");
    await ctx.directory.update(ctx.user.userId, { disabled: false });
    await expect(ctx.identity.verify(ctx.tokens.accessToken)).resolves.toBeDefined();
  });

  it("a token already verified (and so cached) is still refused once its user is disabled or changes role", async () => {
    const ctx = await signedIn("DRSOperator");
    await expect(ctx.identity.verify(ctx.tokens.accessToken)).resolves.toMatchObject({ role: "DRSOperator" });
    await ctx.directory.update(ctx.user.userId, { disabled: true });
    expect((await rejectionOf(ctx.identity.verify(ctx.tokens.accessToken))).code).toBe("UNAUTHENTICATED");
    await ctx.directory.update(ctx.user.userId, { disabled: false, role: "DRSViewer" });
    expect((await rejectionOf(ctx.identity.verify(ctx.tokens.accessToken))).code).toBe("UNAUTHENTICATED");
    // A tampered copy of a cached token is not the cached token.
    const tampered = `${ctx.tokens.idToken.slice(0, -4)}AAAA`;
    expect((await rejectionOf(ctx.identity.verify(tampered))).code).toBe("UNAUTHENTICATED");
  });

  it("rejects a token whose role is no longer the user's role", async () => {
    const ctx = await signedIn("DRSOperator");
    await ctx.directory.update(ctx.user.userId, { role: "DRSViewer" });
    expect((await rejectionOf(ctx.identity.verify(ctx.tokens.accessToken))).code).toBe("UNAUTHENTICATED");
    const refreshed = await ctx.identity.refresh(ctx.tokens.refreshToken);
    await expect(ctx.identity.verify(refreshed.accessToken)).resolves.toMatchObject({ role: "DRSViewer" });
  });

  it("rejects garbage without saying which check failed", async () => {
    const { identity } = await signedIn();
    for (const garbage of ["", "abc", "a.b.c", "Bearer x", "x".repeat(10_000), ".."]) {
      const error = await rejectionOf(identity.verify(garbage));
      expect(error).toBeInstanceOf(UnauthenticatedError);
      expect(error.code).toBe("UNAUTHENTICATED");
      expect(error.message).toBe("The token is invalid.");
    }
  });
});

describe("local identity: sign-in and lockout", () => {
  it("signs in with the e-mail address in any case and records lastLoginAt", async () => {
    const ctx = await setup();
    const user = await ctx.addUser("Mixed.Case@Example.com");
    ctx.clock.advance(MINUTE);
    await expect(ctx.identity.login("MIXED.case@example.COM", PASSWORD)).resolves.toBeDefined();
    expect((await ctx.directory.get(user.userId))?.lastLoginAt).toBe(new Date(START + MINUTE).toISOString());
  });

  it("gives the same error for an unknown e-mail, a wrong password and a disabled user", async () => {
    const ctx = await setup();
    const user = await ctx.addUser("ops@example.com");
    await ctx.addUser("admin@example.com", "DRSAdmin");
    const unknown = await rejectionOf(ctx.identity.login("nobody@example.com", PASSWORD));
    const wrong = await rejectionOf(ctx.identity.login("ops@example.com", "Wrong-Password-1"));
    await ctx.directory.update(user.userId, { disabled: true });
    const disabled = await rejectionOf(ctx.identity.login("ops@example.com", PASSWORD));
    for (const error of [unknown, wrong, disabled]) {
      expect(error).toBeInstanceOf(UnauthenticatedError);
      expect(error.code).toBe("INVALID_CREDENTIALS");
      expect(error.message).toBe(unknown.message);
    }
  });

  it("locks after exactly 5 failures for 15 minutes, refusing even the right password", async () => {
    const ctx = await setup();
    const user = await ctx.addUser("ops@example.com");
    for (let i = 0; i < 5; i++) {
      expect((await rejectionOf(ctx.identity.login("ops@example.com", "Wrong-Password-1"))).code).toBe(
        "INVALID_CREDENTIALS",
      );
    }
    const locked = await rejectionOf(ctx.identity.login("ops@example.com", PASSWORD));
    expect(locked).toBeInstanceOf(TooManyRequestsError);
    expect(locked.code).toBe("ACCOUNT_LOCKED");
    expect(locked.extra?.retryAfterSeconds).toBe(900);
    expect((await ctx.directory.get(user.userId))?.locked).toBe(true);

    ctx.clock.advance(14 * MINUTE);
    const stillLocked = await rejectionOf(ctx.identity.login("ops@example.com", PASSWORD));
    expect(stillLocked.code).toBe("ACCOUNT_LOCKED");
    expect(stillLocked.extra?.retryAfterSeconds).toBe(60);

    ctx.clock.advance(MINUTE);
    expect((await ctx.directory.get(user.userId))?.locked).toBe(false);
    await expect(ctx.identity.login("ops@example.com", PASSWORD)).resolves.toBeDefined();
  });

  it("starts counting again after the lock runs out", async () => {
    const ctx = await setup();
    await ctx.addUser("ops@example.com");
    for (let i = 0; i < 5; i++) await rejectionOf(ctx.identity.login("ops@example.com", "Wrong-Password-1"));
    ctx.clock.advance(15 * MINUTE);
    for (let i = 0; i < 4; i++) {
      expect((await rejectionOf(ctx.identity.login("ops@example.com", "Wrong-Password-1"))).code).toBe(
        "INVALID_CREDENTIALS",
      );
    }
    await expect(ctx.identity.login("ops@example.com", PASSWORD)).resolves.toBeDefined();
    // …and a fifth failure after the lock ran out locks again.
    for (let i = 0; i < 5; i++) await rejectionOf(ctx.identity.login("ops@example.com", "Wrong-Password-1"));
    expect((await rejectionOf(ctx.identity.login("ops@example.com", PASSWORD))).code).toBe("ACCOUNT_LOCKED");
  });

  it("a success resets the counter, and the right password on the 5th attempt gets in", async () => {
    const ctx = await setup();
    await ctx.addUser("ops@example.com");
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++)
        await rejectionOf(ctx.identity.login("ops@example.com", "Wrong-Password-1"));
      await expect(ctx.identity.login("ops@example.com", PASSWORD)).resolves.toBeDefined();
    }
  });

  it("counts every one of a burst of parallel guesses", async () => {
    const ctx = await setup();
    await ctx.addUser("ops@example.com");
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => ctx.identity.login("ops@example.com", "Wrong-Password-1")),
    );
    const codes = results.map((r) => (r.status === "rejected" ? (r.reason as { code: string }).code : "OK"));
    expect(codes.filter((c) => c === "INVALID_CREDENTIALS")).toHaveLength(5);
    expect(codes.filter((c) => c === "ACCOUNT_LOCKED")).toHaveLength(7);
    expect((await rejectionOf(ctx.identity.login("ops@example.com", PASSWORD))).code).toBe("ACCOUNT_LOCKED");
  });

  it("locks unknown e-mail addresses the same way, so lockout does not reveal accounts", async () => {
    const ctx = await setup();
    for (let i = 0; i < 5; i++) {
      expect((await rejectionOf(ctx.identity.login("nobody@example.com", "Wrong-Password-1"))).code).toBe(
        "INVALID_CREDENTIALS",
      );
    }
    const locked = await rejectionOf(ctx.identity.login("nobody@example.com", PASSWORD));
    expect(locked.code).toBe("ACCOUNT_LOCKED");
    expect(locked.extra?.retryAfterSeconds).toBe(900);
    ctx.clock.advance(15 * MINUTE);
    expect((await rejectionOf(ctx.identity.login("nobody@example.com", PASSWORD))).code).toBe(
      "INVALID_CREDENTIALS",
    );
  });

  it("honours configured lockout settings", async () => {
    const ctx = await setup({ maxFailedAttempts: 3, lockoutMinutes: 1 });
    await ctx.addUser("ops@example.com");
    for (let i = 0; i < 3; i++) await rejectionOf(ctx.identity.login("ops@example.com", "Wrong-Password-1"));
    const locked = await rejectionOf(ctx.identity.login("ops@example.com", PASSWORD));
    expect(locked.extra?.retryAfterSeconds).toBe(60);
  });

  it("upgrades a hash made with old scrypt parameters at sign-in", async () => {
    const ctx = await setup({ hasher: createScryptHasher({ N: 2048 }) });
    const user = await ctx.addUser("ops@example.com");
    expect((await ctx.repos.users.get(user.userId))?.passwordHash).toMatch(/^scrypt\$1024\$/);
    await ctx.identity.login("ops@example.com", PASSWORD);
    expect((await ctx.repos.users.get(user.userId))?.passwordHash).toMatch(/^scrypt\$2048\$/);
    await expect(ctx.identity.login("ops@example.com", PASSWORD)).resolves.toBeDefined();
  });

  it("refuses absurd input without touching the store", async () => {
    const ctx = await setup();
    await ctx.addUser("ops@example.com");
    for (const [email, password] of [
      ["", PASSWORD],
      ["ops@example.com", ""],
      ["ops@example.com", "A1b".repeat(1000)],
    ] as const) {
      expect((await rejectionOf(ctx.identity.login(email, password))).code).toBe("INVALID_CREDENTIALS");
    }
    await expect(ctx.identity.login("ops@example.com", PASSWORD)).resolves.toBeDefined();
  });
});

describe("local identity: refresh tokens", () => {
  const sha256 = (token: string) => createHash("sha256").update(token).digest("hex");

  it("stores only the SHA-256 of the refresh token, with its family and a 30-day expiry", async () => {
    const { repos, tokens, user } = await signedIn();
    const record = await repos.refreshTokens.get(sha256(tokens.refreshToken));
    expect(record).toEqual({
      tokenHash: sha256(tokens.refreshToken),
      userId: user.userId,
      issuedAt: new Date(START).toISOString(),
      expiresAt: new Date(START + 30 * DAY).toISOString(),
      familyId: decodeJwt(tokens.idToken).origin_jti,
      authTime: new Date(START).toISOString(),
    });
    expect(JSON.stringify(record)).not.toContain(tokens.refreshToken);
    expect(await repos.refreshTokens.get(tokens.refreshToken)).toBeUndefined();
  });

  it("rotates: a refresh revokes the presented token and issues a new one in the same family", async () => {
    const { identity, tokens, clock } = await signedIn();
    clock.advance(50 * MINUTE);
    const next = await identity.refresh(tokens.refreshToken);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(next).toMatchObject({ expiresIn: 2700, tokenType: "Bearer" });
    await expect(identity.verify(next.accessToken)).resolves.toMatchObject({ tokenUse: "access" });
    await expect(identity.verify(next.idToken)).resolves.toMatchObject({ tokenUse: "id" });
    const first = decodeJwt(tokens.idToken);
    const refreshed = decodeJwt(next.idToken);
    expect(refreshed.origin_jti).toBe(first.origin_jti);
    expect(refreshed.auth_time).toBe(first.auth_time);
    expect(refreshed.iat).toBe(Math.floor((START + 50 * MINUTE) / 1000));
    expect(refreshed.jti).not.toBe(first.jti);
    const third = await identity.refresh(next.refreshToken);
    expect(decodeJwt(third.accessToken).origin_jti).toBe(first.origin_jti);
  });

  it("still refreshes when the store does not keep the family fields (a new family starts)", async () => {
    const { identity, tokens, clock, repos } = await signedIn();
    const stored = await repos.refreshTokens.get(sha256(tokens.refreshToken));
    if (!stored) throw new Error("record missing");
    const { familyId: _familyId, authTime: _authTime, ...bare } = stored;
    await repos.refreshTokens.put(bare);
    clock.advance(MINUTE);
    const next = await identity.refresh(tokens.refreshToken);
    const claims = decodeJwt(next.idToken);
    expect(claims.origin_jti).not.toBe(decodeJwt(tokens.idToken).origin_jti);
    expect(claims.auth_time).toBe(Math.floor(START / 1000));
    await expect(identity.verify(next.idToken)).resolves.toBeDefined();
    expect((await rejectionOf(identity.refresh(tokens.refreshToken))).code).toBe("INVALID_REFRESH_TOKEN");
  });

  it("treats a replayed refresh token as theft and revokes every refresh token of the user", async () => {
    const ctx = await signedIn();
    const otherDevice = await ctx.identity.login("ops@example.com", PASSWORD);
    const rotated = await ctx.identity.refresh(ctx.tokens.refreshToken);
    const replay = await rejectionOf(ctx.identity.refresh(ctx.tokens.refreshToken));
    expect(replay).toBeInstanceOf(UnauthenticatedError);
    expect(replay.code).toBe("INVALID_REFRESH_TOKEN");
    for (const token of [rotated.refreshToken, otherDevice.refreshToken]) {
      expect((await ctx.repos.refreshTokens.get(sha256(token)))?.revokedAt).toBe(
        new Date(START).toISOString(),
      );
      expect((await rejectionOf(ctx.identity.refresh(token))).code).toBe("INVALID_REFRESH_TOKEN");
    }
    // The user can still sign in again.
    await expect(ctx.identity.login("ops@example.com", PASSWORD)).resolves.toBeDefined();
  });

  it("lets only one of two simultaneous refreshes with the same token through", async () => {
    const { identity, tokens } = await signedIn();
    const results = await Promise.allSettled([
      identity.refresh(tokens.refreshToken),
      identity.refresh(tokens.refreshToken),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("refuses a refresh token after logout (401 INVALID_REFRESH_TOKEN)", async () => {
    const { identity, tokens } = await signedIn();
    await identity.logout(tokens.refreshToken);
    const error = await rejectionOf(identity.refresh(tokens.refreshToken));
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error.code).toBe("INVALID_REFRESH_TOKEN");
  });

  it("logout is idempotent and quiet for unknown or malformed tokens", async () => {
    const { identity, tokens } = await signedIn();
    await identity.logout(tokens.refreshToken);
    await expect(identity.logout(tokens.refreshToken)).resolves.toBeUndefined();
    await expect(identity.logout("A".repeat(43))).resolves.toBeUndefined();
    await expect(identity.logout("not a token")).resolves.toBeUndefined();
  });

  it("leaves the ID and access tokens valid until they expire after logout (as Cognito does)", async () => {
    const { identity, tokens, clock } = await signedIn();
    await identity.logout(tokens.refreshToken);
    await expect(identity.verify(tokens.accessToken)).resolves.toBeDefined();
    clock.advance(45 * MINUTE + 6_000);
    expect((await rejectionOf(identity.verify(tokens.accessToken))).code).toBe("TOKEN_EXPIRED");
  });

  it("ends the session 30 days after sign-in, however often it was refreshed", async () => {
    const { identity, tokens, clock } = await signedIn();
    let current = tokens.refreshToken;
    for (let day = 0; day < 29; day++) {
      clock.advance(DAY);
      current = (await identity.refresh(current)).refreshToken;
    }
    clock.advance(DAY - 1_000);
    current = (await identity.refresh(current)).refreshToken;
    clock.advance(1_000);
    expect((await rejectionOf(identity.refresh(current))).code).toBe("INVALID_REFRESH_TOKEN");
  });

  it("refuses an unused refresh token after 30 days", async () => {
    const { identity, tokens, clock } = await signedIn();
    clock.advance(30 * DAY);
    expect((await rejectionOf(identity.refresh(tokens.refreshToken))).code).toBe("INVALID_REFRESH_TOKEN");
  });

  it("refuses unknown and malformed refresh tokens", async () => {
    const { identity } = await signedIn();
    for (const token of ["A".repeat(43), "", "short", "A".repeat(44), "!".repeat(43)]) {
      expect((await rejectionOf(identity.refresh(token))).code).toBe("INVALID_REFRESH_TOKEN");
    }
  });

  it("refuses refresh for a disabled or deleted user", async () => {
    const ctx = await signedIn();
    const admin = await ctx.addUser("admin@example.com", "DRSAdmin");
    const adminTokens = await ctx.identity.login("admin@example.com", PASSWORD);
    // Disable directly in the store, so the identity's own check is what refuses.
    const stored = await ctx.repos.users.get(ctx.user.userId);
    if (!stored) throw new Error("user missing");
    await ctx.repos.users.update({ ...stored, disabled: true }, stored.version);
    expect((await rejectionOf(ctx.identity.refresh(ctx.tokens.refreshToken))).code).toBe(
      "INVALID_REFRESH_TOKEN",
    );
    await ctx.addUser("admin2@example.com", "DRSAdmin");
    await ctx.repos.users.delete(admin.userId);
    expect((await rejectionOf(ctx.identity.refresh(adminTokens.refreshToken))).code).toBe(
      "INVALID_REFRESH_TOKEN",
    );
  });

  it("purges expired refresh tokens at a later sign-in", async () => {
    const ctx = await signedIn();
    ctx.clock.advance(31 * DAY);
    const fresh = await ctx.identity.login("ops@example.com", PASSWORD);
    expect(await ctx.repos.refreshTokens.get(sha256(ctx.tokens.refreshToken))).toBeUndefined();
    expect(await ctx.repos.refreshTokens.get(sha256(fresh.refreshToken))).toBeDefined();
  });
});

describe("local identity: configuration", () => {
  it("a token from an identity with another issuer or client is refused", async () => {
    const ctx = await signedIn();
    const base = {
      users: ctx.repos.users,
      refreshTokens: ctx.repos.refreshTokens,
      kv: ctx.repos.kv,
      clock: ctx.clock,
      hasher: ctx.hasher,
    };
    const otherIssuer = createLocalIdentity({ ...base, issuer: "http://other", clientId: CLIENT_ID });
    const otherClient = createLocalIdentity({ ...base, issuer: ISSUER, clientId: "other-client" });
    for (const verifier of [otherIssuer, otherClient]) {
      expect((await rejectionOf(verifier.verify(ctx.tokens.accessToken))).code).toBe("UNAUTHENTICATED");
      expect((await rejectionOf(verifier.verify(ctx.tokens.idToken))).code).toBe("UNAUTHENTICATED");
    }
  });
});
