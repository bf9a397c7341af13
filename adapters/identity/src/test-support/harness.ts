import { ManualClock } from "@drso/clock";
import type { Role } from "@drso/core";
import { createMemoryStore } from "@drso/store";
import { createLocalIdentity, type LocalIdentityDeps } from "../local-identity.js";
import { createLocalUserDirectory } from "../local-user-directory.js";
import { createScryptHasher } from "../password-hasher.js";
import { createSigningKeys, DEFAULT_SIGNING_KEY_NAME } from "../signing-keys.js";

export const ISSUER = "http://localhost:8080/auth";
export const CLIENT_ID = "drso-local-client";
export const PASSWORD = "Correct-Horse-9";
export const START = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Cheap scrypt parameters: the tests exercise the logic, not the cost. */
export const fastHasher = () => createScryptHasher({ N: 1024, r: 8, p: 1 });

let sharedKey: Promise<string> | undefined;

/** One RSA key per test file: generating a 2048-bit key for every test would dominate the run time. */
function signingKeyForTests(): Promise<string> {
  sharedKey ??= (async () => {
    const { kv } = createMemoryStore();
    await createSigningKeys(kv).current();
    return (await kv.get(DEFAULT_SIGNING_KEY_NAME)) as string;
  })();
  return sharedKey;
}

export async function setup(overrides: Partial<LocalIdentityDeps> = {}) {
  const clock = new ManualClock(START);
  const repos = createMemoryStore();
  await repos.kv.putIfAbsent(DEFAULT_SIGNING_KEY_NAME, await signingKeyForTests());
  const hasher = fastHasher();
  const directory = createLocalUserDirectory({
    users: repos.users,
    refreshTokens: repos.refreshTokens,
    clock,
    hasher,
  });
  const identity = createLocalIdentity({
    users: repos.users,
    refreshTokens: repos.refreshTokens,
    kv: repos.kv,
    clock,
    issuer: ISSUER,
    clientId: CLIENT_ID,
    hasher,
    ...overrides,
  });
  async function addUser(email: string, role: Role = "DRSOperator", password = PASSWORD) {
    const { user } = await directory.create({ email, role, password });
    return user;
  }
  return { clock, repos, hasher, directory, identity, addUser };
}

/** Awaits a promise expected to fail and returns the error (the test fails if it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; extra?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error("expected the promise to reject, but it resolved");
}
