/** A signed-in session's tokens; `expiresAt` is epoch milliseconds of the ID/access token expiry. */
export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

/** How tokens are obtained: the local identity routes or Cognito. Stateless; `SessionAuth` keeps the state. */
export interface AuthTransport {
  readonly mode: "local" | "cognito";
  signIn(email: string, password: string): Promise<Tokens>;
  /** Refresh tokens rotate: the returned refresh token replaces the one given, which is then spent. */
  refresh(refreshToken: string, email?: string): Promise<Tokens>;
  signOut(tokens: Tokens): Promise<void>;
}

/** The console's view of authentication: what the API client and the screens use. */
export interface AuthProvider {
  readonly mode: "local" | "cognito";
  signIn(email: string, password: string): Promise<Tokens>;
  /** Refreshes once across every tab of the browser; resolves to the new tokens or rejects (session over). */
  refresh(): Promise<Tokens>;
  signOut(): Promise<void>;
  currentTokens(): Tokens | undefined;
  /** Called whenever the tokens change (sign-in, refresh here or in another tab, sign-out). */
  subscribe(listener: (tokens: Tokens | undefined) => void): () => void;
}

export class AuthError extends Error {
  constructor(
    message: string,
    readonly code: "INVALID_CREDENTIALS" | "SESSION_EXPIRED" | "NETWORK" | "NEW_PASSWORD_REQUIRED" | "OTHER",
  ) {
    super(message);
    this.name = "AuthError";
  }
}

/** The email claim of an ID token (no verification: display only; the API verifies every call). */
export function claimsOf(idToken: string): Record<string, unknown> {
  const part = idToken.split(".")[1];
  if (!part) return {};
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    const value: unknown = JSON.parse(decodeURIComponent(escape(json)));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
