import { ManualClock } from "@drso/clock";
import type { IdentityProvider } from "@drso/core";
import { createMemoryStore } from "@drso/store";
import { decodeProtectedHeader, importJWK, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createLocalIdentity } from "./local-identity.js";
import { createLocalUserDirectory } from "./local-user-directory.js";
import { createSigningKeys, DEFAULT_SIGNING_KEY_NAME } from "./signing-keys.js";
import { CLIENT_ID, fastHasher, ISSUER, PASSWORD, START } from "./test-support/harness.js";

describe("signing keys", () => {
  it("generates one RS256 key on first use and stores it in the key-value store", async () => {
    const kv = createMemoryStore().kv;
    expect(await kv.get(DEFAULT_SIGNING_KEY_NAME)).toBeUndefined();
    const key = await createSigningKeys(kv).current();
    const stored = JSON.parse((await kv.get(DEFAULT_SIGNING_KEY_NAME)) as string);
    expect(stored.kid).toBe(key.kid);
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("exports only the public key as a JWKS", async () => {
    const keys = createSigningKeys(createMemoryStore().kv);
    const { keys: jwks } = await keys.jwks();
    expect(jwks).toHaveLength(1);
    const [jwk] = jwks;
    expect(Object.keys(jwk ?? {}).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"]);
    expect(jwk).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", kid: (await keys.current()).kid });
    // The exported key verifies what the private key signs.
    const token = await new SignJWT({ a: 1 })
      .setProtectedHeader({ alg: "RS256" })
      .sign((await keys.current()).privateKey);
    await expect(jwtVerify(token, await importJWK(jwk ?? {}, "RS256"))).resolves.toBeDefined();
  });

  it("two instances starting together on one store agree on a single key", async () => {
    const kv = createMemoryStore().kv;
    const [a, b] = await Promise.all([createSigningKeys(kv).current(), createSigningKeys(kv).current()]);
    expect(a.kid).toBe(b.kid);
    expect(await createSigningKeys(kv).jwks()).toEqual(await createSigningKeys(kv).jwks());
  });

  it("different stores get different keys", async () => {
    const a = await createSigningKeys(createMemoryStore().kv).current();
    const b = await createSigningKeys(createMemoryStore().kv).current();
    expect(a.kid).not.toBe(b.kid);
  });

  it("two identities starting together on a fresh store sign with one key and accept each other's tokens", async () => {
    const repos = createMemoryStore();
    const clock = new ManualClock(START);
    const hasher = fastHasher();
    const directory = createLocalUserDirectory({
      users: repos.users,
      refreshTokens: repos.refreshTokens,
      clock,
      hasher,
    });
    await directory.create({ email: "ops@example.com", role: "DRSOperator", password: PASSWORD });
    const [first, second] = [1, 2].map(() =>
      createLocalIdentity({
        users: repos.users,
        refreshTokens: repos.refreshTokens,
        kv: repos.kv,
        clock,
        issuer: ISSUER,
        clientId: CLIENT_ID,
        hasher,
      }),
    ) as [IdentityProvider, IdentityProvider];
    const [fromFirst, fromSecond] = await Promise.all([
      first.login("ops@example.com", PASSWORD),
      second.login("ops@example.com", PASSWORD),
    ]);
    expect(decodeProtectedHeader(fromFirst.idToken).kid).toBe(decodeProtectedHeader(fromSecond.idToken).kid);
    await expect(second.verify(fromFirst.accessToken)).resolves.toMatchObject({ email: "ops@example.com" });
    await expect(first.verify(fromSecond.idToken)).resolves.toMatchObject({ email: "ops@example.com" });
    expect(await first.jwks()).toEqual(await second.jwks());
  });
});
