import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "@drso/clock";
import {
  type IdentityProvider,
  type KeyValueStore,
  type Principal,
  type RefreshTokenRecord,
  type RefreshTokenRepository,
  type Role,
  roleFromClaims,
  type TokenSet,
  TooManyRequestsError,
  UnauthenticatedError,
  type UserRecord,
  type UserRepository,
} from "@drso/core";
import { type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { createScryptHasher, type PasswordHasher } from "./password-hasher.js";
import { createSigningKeys, SIGNING_ALGORITHM, type SigningKeys } from "./signing-keys.js";
import { isLocked, UpdateContentionError, updateUserRecord, withoutLock } from "./user-records.js";

export interface LocalIdentityDeps {
  users: UserRepository;
  refreshTokens: RefreshTokenRepository;
  kv: KeyValueStore;
  clock: Clock;
  /** `iss` of every token, e.g. `http://localhost:8080/auth` (Cognito: the user pool URL). */
  issuer: string;
  /** `aud` of every token and `client_id` of access tokens (Cognito: the app client ID). */
  clientId: string;
  /** Lifetime of ID and access tokens; the seed's Cognito app client: 45 minutes. */
  tokenTtlSeconds?: number;
  /** Absolute lifetime of a sign-in session's refresh tokens; the seed: 30 days. */
  refreshTtlDays?: number;
  /** Consecutive failed sign-ins that lock the account; the seed: 5. */
  maxFailedAttempts?: number;
  /** How long a locked account stays locked; the seed: 15 minutes. */
  lockoutMinutes?: number;
  /** Defaults to scrypt with DEFAULT_SCRYPT_PARAMETERS; must be the hasher the user directory uses. */
  hasher?: PasswordHasher;
  /** Defaults to an RS256 key kept in `kv`. */
  signingKeys?: SigningKeys;
}

/** Accepted difference between our clock and the token's `exp`/`iat`/`nbf`. */
export const CLOCK_SKEW_SECONDS = 5;
/** Cognito's scope for tokens from a user-pool sign-in. */
const ACCESS_TOKEN_SCOPE = "aws.cognito.signin.user.admin";
const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Anything longer is not one of our tokens; refuse before parsing. */
const MAX_TOKEN_LENGTH = 8192;
const MAX_PASSWORD_LENGTH = 1024;
/** How many unknown e-mail addresses the sign-in throttle remembers (per process). */
const MAX_TRACKED_UNKNOWN_EMAILS = 10_000;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

const invalidToken = () => new UnauthenticatedError("The token is invalid.", "UNAUTHENTICATED");
const expiredToken = () => new UnauthenticatedError("The token has expired.", "TOKEN_EXPIRED");
const invalidCredentials = () =>
  new UnauthenticatedError("Incorrect e-mail address or password.", "INVALID_CREDENTIALS");
const invalidRefreshToken = () =>
  new UnauthenticatedError("The refresh token is invalid, expired or revoked.", "INVALID_REFRESH_TOKEN");
const accountLocked = (retryAfterSeconds: number) =>
  new TooManyRequestsError(
    `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
    retryAfterSeconds,
    "ACCOUNT_LOCKED",
  );

/** The Cognito group that carries a role (`DRSOperator` → `DRSOperators`), as in the seed's ID token. */
export function groupOfRole(role: Role): string {
  return `${role}s`;
}

function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

interface Session {
  /** `origin_jti`: one per sign-in, kept by every refresh of it. */
  familyId: string;
  /** Sign-in time, epoch seconds (`auth_time`). */
  authTime: number;
  /** Absolute end of the session's refresh tokens, ISO. */
  refreshExpiresAt: string;
}

interface FailureWindow {
  failures: number;
  lockedUntil: number;
}

/**
 * The local identity provider: the product's own stand-in for the seed's Cognito user pool.
 *
 * Tokens are RS256 JWTs with the claims Cognito puts in its ID and access tokens (seed: "JWT Token Structure
 * and RBAC Claims"). Deviations, all so one verifier serves both token kinds:
 * - the access token also carries `aud` (= clientId) next to Cognito's `client_id`, so a single audience
 *   check applies to both tokens;
 * - the access token also carries `cognito:groups`, as real Cognito access tokens do (the seed's sample
 *   lists it only in the ID token).
 *
 * Revocation: as with Cognito behind API Gateway's JWT authorizer, an ID or access token stays valid until
 * it expires (45 minutes) even after logout, a password change or a disable; what logout and those changes
 * revoke is the refresh token, so the session cannot be extended. Two checks are stricter than Cognito's
 * authorizer: `verify` looks the user up, so a deleted or disabled user's tokens stop working at once, and
 * a token whose role is no longer the user's role is refused (the client refreshes and gets the new role).
 *
 * Refresh tokens are 32 random bytes (base64url), stored only as their SHA-256. They rotate: each refresh
 * revokes the presented token and issues a new one in the same family (`origin_jti`), keeping the session's
 * sign-in time and its absolute 30-day end, so a user signs in again at least every 30 days, as with
 * Cognito. Presenting a revoked token is treated as theft (the legitimate holder already rotated it, or
 * logged out) and revokes every refresh token of the user.
 */
export function createLocalIdentity(deps: LocalIdentityDeps): IdentityProvider {
  const { users, refreshTokens, clock, issuer, clientId } = deps;
  const tokenTtlSeconds = deps.tokenTtlSeconds ?? 2700;
  const refreshTtlMs = (deps.refreshTtlDays ?? 30) * 24 * 60 * 60 * 1000;
  const maxFailedAttempts = deps.maxFailedAttempts ?? 5;
  const lockoutMs = (deps.lockoutMinutes ?? 15) * 60 * 1000;
  const hasher = deps.hasher ?? createScryptHasher();
  const keys = deps.signingKeys ?? createSigningKeys(deps.kv);

  /**
   * Unknown addresses get the same lockout as real accounts, so five failures do not tell an attacker
   * whether an account exists. Kept in memory: per process and forgotten on restart, which only matters
   * for addresses that have no account.
   */
  const unknownEmails = new Map<string, FailureWindow>();
  let dummyHash: Promise<string> | undefined;
  let lastPurge = Number.NEGATIVE_INFINITY;

  const nowIso = () => new Date(clock.now()).toISOString();
  const retryAfter = (lockedUntilMs: number) => Math.max(1, Math.ceil((lockedUntilMs - clock.now()) / 1000));

  /** A wrong-password check against a real hash costs the same as one against a user's hash. */
  async function burnHashTime(password: string): Promise<void> {
    dummyHash ??= hasher.hash(randomBytes(16).toString("base64url"));
    await hasher.verify(password, await dummyHash);
  }

  async function failUnknownEmail(email: string, password: string): Promise<never> {
    const now = clock.now();
    const window = unknownEmails.get(email);
    if (window && window.lockedUntil > now) throw accountLocked(retryAfter(window.lockedUntil));
    await burnHashTime(password);
    const failures = (window && window.lockedUntil === 0 ? window.failures : 0) + 1;
    unknownEmails.delete(email);
    if (unknownEmails.size >= MAX_TRACKED_UNKNOWN_EMAILS) {
      const oldest = unknownEmails.keys().next();
      if (!oldest.done) unknownEmails.delete(oldest.value);
    }
    unknownEmails.set(email, { failures, lockedUntil: failures >= maxFailedAttempts ? now + lockoutMs : 0 });
    throw invalidCredentials();
  }

  /**
   * Counts the attempt before the password is checked, so a burst of parallel guesses cannot get past the
   * limit: the attempt that reaches the limit sets the lock, and a correct password lifts it again. A lock
   * that has run out starts the count afresh.
   */
  async function reserveAttempt(userId: string): Promise<UserRecord | undefined> {
    try {
      return await updateUserRecord(users, userId, (user) => {
        const now = clock.now();
        if (isLocked(user, now)) throw accountLocked(retryAfter(Date.parse(user.lockedUntil as string)));
        const failedAttempts = (user.lockedUntil === undefined ? user.failedAttempts : 0) + 1;
        const next: UserRecord = { ...withoutLock(user), failedAttempts };
        if (failedAttempts >= maxFailedAttempts) next.lockedUntil = new Date(now + lockoutMs).toISOString();
        return next;
      });
    } catch (err) {
      if (err instanceof UpdateContentionError) {
        throw new TooManyRequestsError("Too many simultaneous sign-in attempts.", 1, "RATE_LIMITED");
      }
      throw err;
    }
  }

  async function purgeExpiredRefreshTokens(): Promise<void> {
    const now = clock.now();
    if (now - lastPurge < PURGE_INTERVAL_MS) return;
    lastPurge = now;
    try {
      await refreshTokens.purgeExpired(new Date(now).toISOString());
    } catch {
      // Housekeeping only: a failed purge is retried an hour later and must not fail the sign-in.
      lastPurge = Number.NEGATIVE_INFINITY;
    }
  }

  async function issueTokens(user: UserRecord, session: Session): Promise<TokenSet> {
    const key = await keys.current();
    const iat = Math.floor(clock.now() / 1000);
    const exp = iat + tokenTtlSeconds;
    const eventId = randomUUID();
    const role = user.role;
    const header = { alg: SIGNING_ALGORITHM, kid: key.kid };

    const idToken = await new SignJWT({
      sub: user.userId,
      aud: clientId,
      "cognito:groups": [groupOfRole(role)],
      email_verified: true,
      iss: issuer,
      "cognito:username": user.email,
      "custom:role": role,
      event_id: eventId,
      token_use: "id",
      auth_time: session.authTime,
      exp,
      iat,
      email: user.email,
      jti: randomUUID(),
      origin_jti: session.familyId,
    })
      .setProtectedHeader(header)
      .sign(key.privateKey);

    const accessToken = await new SignJWT({
      sub: user.userId,
      "cognito:groups": [groupOfRole(role)],
      iss: issuer,
      client_id: clientId,
      aud: clientId,
      origin_jti: session.familyId,
      event_id: eventId,
      token_use: "access",
      scope: ACCESS_TOKEN_SCOPE,
      auth_time: session.authTime,
      exp,
      iat,
      jti: randomUUID(),
      username: user.email,
      "custom:role": role,
    })
      .setProtectedHeader(header)
      .sign(key.privateKey);

    const refreshToken = randomBytes(32).toString("base64url");
    const record: RefreshTokenRecord = {
      tokenHash: hashRefreshToken(refreshToken),
      userId: user.userId,
      issuedAt: nowIso(),
      expiresAt: session.refreshExpiresAt,
      familyId: session.familyId,
      authTime: new Date(session.authTime * 1000).toISOString(),
    };
    await refreshTokens.put(record);

    return { idToken, accessToken, refreshToken, expiresIn: tokenTtlSeconds, tokenType: "Bearer" };
  }

  function principalOf(user: UserRecord, tokenUse: Principal["tokenUse"]): Principal {
    return {
      sub: user.userId,
      email: user.email,
      role: user.role,
      groups: [groupOfRole(user.role)],
      tokenUse,
    };
  }

  /**
   * Verified tokens by SHA-256, until they expire: the RS256 check costs more than the rest of a request.
   * An entry holds only what cannot change for a given token (its signed claims and the key that signed
   * it); the caller still re-reads the user (disabled, role, email) on every request, a key rotation makes
   * every entry miss, and an entry past `exp` (plus the skew jose tolerates) answers "expired" as jose would.
   */
  const verifiedTokens = new Map<string, { kid: string; claims: JWTPayload; expiresAtMs: number }>();
  const MAX_CACHED_TOKENS = 10_000;

  async function verifySignedClaims(token: string): Promise<JWTPayload> {
    const key = await keys.current();
    const tokenHash = createHash("sha256").update(token).digest("base64url");
    const cached = verifiedTokens.get(tokenHash);
    if (cached && cached.kid === key.kid) {
      if (clock.now() < cached.expiresAtMs) return cached.claims;
      verifiedTokens.delete(tokenHash);
      throw expiredToken();
    }
    const claims = await verifyWithKey(token, key);
    // A token with a not-before time is checked in full each time (we issue none).
    if (typeof claims.exp === "number" && claims.nbf === undefined) {
      if (verifiedTokens.size >= MAX_CACHED_TOKENS) {
        const oldest = verifiedTokens.keys().next().value;
        if (oldest !== undefined) verifiedTokens.delete(oldest);
      }
      verifiedTokens.set(tokenHash, {
        kid: key.kid,
        claims,
        expiresAtMs: (claims.exp + CLOCK_SKEW_SECONDS) * 1000,
      });
    }
    return claims;
  }

  async function verifyWithKey(
    token: string,
    key: Awaited<ReturnType<SigningKeys["current"]>>,
  ): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          if (header.kid !== key.kid) throw invalidToken();
          return key.publicKey;
        },
        {
          algorithms: [SIGNING_ALGORITHM],
          issuer,
          audience: clientId,
          clockTolerance: CLOCK_SKEW_SECONDS,
          currentDate: new Date(clock.now()),
          requiredClaims: ["sub", "exp", "iat", "jti", "token_use"],
        },
      );
      return payload;
    } catch (err) {
      // jose checks the signature before any claim, so only a genuine token can be reported as expired.
      if (err instanceof joseErrors.JWTExpired) throw expiredToken();
      throw invalidToken();
    }
  }

  return {
    async verify(token) {
      if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        throw invalidToken();
      }
      const claims = await verifySignedClaims(token);
      // jose accepts an `iat` in the future; a token from the future was not issued by us.
      if (typeof claims.iat !== "number" || claims.iat > clock.now() / 1000 + CLOCK_SKEW_SECONDS)
        throw invalidToken();
      const tokenUse = claims.token_use;
      if (tokenUse !== "id" && tokenUse !== "access") throw invalidToken();
      if (tokenUse === "access" && claims.client_id !== clientId) throw invalidToken();
      const email = tokenUse === "id" ? claims.email : claims.username;
      const role = roleFromClaims(claims);
      if (typeof claims.sub !== "string" || typeof email !== "string" || role === undefined)
        throw invalidToken();

      const user = await users.get(claims.sub);
      if (!user || user.disabled || user.role !== role || user.email !== email) throw invalidToken();
      const groups = claims["cognito:groups"];
      return {
        sub: user.userId,
        email: user.email,
        role,
        groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [],
        tokenUse,
      };
    },

    async login(email, password) {
      const normalized = typeof email === "string" ? email.trim().toLowerCase() : "";
      if (normalized.length === 0 || normalized.length > 254) throw invalidCredentials();
      if (typeof password !== "string" || password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
        throw invalidCredentials();
      }

      const found = await users.findByEmail(normalized);
      if (!found) return failUnknownEmail(normalized, password);

      const reserved = await reserveAttempt(found.userId);
      if (!reserved) return failUnknownEmail(normalized, password);
      const passwordOk = await hasher.verify(password, reserved.passwordHash);
      if (!passwordOk || reserved.disabled) throw invalidCredentials();

      const newHash = hasher.needsRehash(reserved.passwordHash) ? await hasher.hash(password) : undefined;
      const signedIn = await updateUserRecord(users, reserved.userId, (user) => {
        // A concurrent password change wins over the re-hash of the old password.
        const passwordHash =
          newHash && user.passwordHash === reserved.passwordHash ? newHash : user.passwordHash;
        return { ...withoutLock(user), failedAttempts: 0, lastLoginAt: nowIso(), passwordHash };
      });
      if (!signedIn || signedIn.disabled) throw invalidCredentials();

      await purgeExpiredRefreshTokens();
      const now = clock.now();
      const tokens = await issueTokens(signedIn, {
        familyId: randomUUID(),
        authTime: Math.floor(now / 1000),
        refreshExpiresAt: new Date(now + refreshTtlMs).toISOString(),
      });
      return { ...tokens, principal: principalOf(signedIn, "id") };
    },

    async refresh(refreshToken) {
      if (typeof refreshToken !== "string" || !REFRESH_TOKEN_PATTERN.test(refreshToken)) {
        throw invalidRefreshToken();
      }
      const tokenHash = hashRefreshToken(refreshToken);
      const record = await refreshTokens.get(tokenHash);
      if (!record) throw invalidRefreshToken();
      if (record.revokedAt !== undefined) {
        await refreshTokens.revokeAllForUser(record.userId, nowIso());
        throw invalidRefreshToken();
      }
      if (Date.parse(record.expiresAt) <= clock.now()) throw invalidRefreshToken();

      const user = await users.get(record.userId);
      if (!user || user.disabled) {
        await refreshTokens.revokeAllForUser(record.userId, nowIso());
        throw invalidRefreshToken();
      }
      // Losing this race means someone else presented the same token at the same moment: a replay.
      if (!(await refreshTokens.revoke(tokenHash, nowIso()))) {
        await refreshTokens.revokeAllForUser(record.userId, nowIso());
        throw invalidRefreshToken();
      }

      const authTimeMs = record.authTime === undefined ? Number.NaN : Date.parse(record.authTime);
      return issueTokens(user, {
        // Records from a store that does not keep the family fields start a new family at this refresh.
        familyId: record.familyId ?? randomUUID(),
        authTime: Math.floor((Number.isNaN(authTimeMs) ? Date.parse(record.issuedAt) : authTimeMs) / 1000),
        refreshExpiresAt: record.expiresAt,
      });
    },

    async logout(refreshToken) {
      if (typeof refreshToken !== "string" || !REFRESH_TOKEN_PATTERN.test(refreshToken)) return;
      await refreshTokens.revoke(hashRefreshToken(refreshToken), nowIso());
    },

    async jwks() {
      const { keys: publicKeys } = await keys.jwks();
      return { keys: publicKeys.map((k) => ({ ...k })) };
    },
  };
}
