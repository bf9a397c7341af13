import type { User, UserCreate, UserUpdate } from "../domain/user.js";
import type { Role } from "../rbac.js";

/** The authenticated caller, the same shape in local mode (own JWTs) and on AWS (Cognito tokens). */
export interface Principal {
  sub: string;
  email: string;
  role: Role;
  groups: string[];
  tokenUse: "id" | "access";
}

export interface TokenSet {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  /** Seconds until the ID and access tokens expire. */
  expiresIn: number;
  tokenType: "Bearer";
}

export interface LoginContext {
  sourceIp?: string;
  userAgent?: string;
}

/** Verifies bearer tokens. Throws UnauthenticatedError for anything not acceptable. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/**
 * Local identity provider: users in the store, RS256 JWTs with Cognito-shaped claims. Errors:
 * UnauthenticatedError INVALID_CREDENTIALS, TooManyRequestsError ACCOUNT_LOCKED (retryAfterSeconds),
 * UnauthenticatedError INVALID_REFRESH_TOKEN.
 */
export interface IdentityProvider extends TokenVerifier {
  login(
    email: string,
    password: string,
    context?: LoginContext,
  ): Promise<TokenSet & { principal: Principal }>;
  refresh(refreshToken: string): Promise<TokenSet>;
  logout(refreshToken: string): Promise<void>;
  /** Public keys (JWKS) for anyone who wants to verify tokens offline. */
  jwks(): Promise<{ keys: Array<Record<string, unknown>> }>;
}

/**
 * User administration (DRSAdmin): local users in the store, or Cognito admin APIs on AWS.
 * Errors: ConflictError ALREADY_EXISTS (email taken), NotFoundError USER_NOT_FOUND,
 * ConflictError LAST_ADMIN (the last enabled DRSAdmin cannot be deleted, disabled or demoted).
 */
export interface UserDirectory {
  list(): Promise<User[]>;
  get(userId: string): Promise<User | undefined>;
  /** Without a password, a temporary one is generated and returned once. */
  create(input: UserCreate): Promise<{ user: User; temporaryPassword?: string }>;
  update(userId: string, input: UserUpdate): Promise<User>;
  delete(userId: string): Promise<void>;
  /**
   * First start: when no user exists, creates a DRSAdmin with the given email and password (or a generated
   * password, returned once so it can be printed). Returns undefined when users already exist.
   */
  ensureInitialAdmin(
    email: string,
    password?: string,
  ): Promise<{ user: User; generatedPassword?: string } | undefined>;
}
