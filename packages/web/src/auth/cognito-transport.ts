import type { AuthConfig } from "../config.js";
import { AuthError, type AuthTransport, type Tokens } from "./types.js";

type CognitoConfig = Extract<AuthConfig, { mode: "cognito" }>;

/** Cognito keeps nothing of its own: the session module owns token storage and cross-tab refresh. */
class MemoryStorage {
  private readonly map = new Map<string, string>();
  setItem(key: string, value: string) {
    this.map.set(key, value);
    return value;
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  removeItem(key: string) {
    return this.map.delete(key);
  }
  clear() {
    this.map.clear();
    return {};
  }
}

/**
 * Cognito user pool sign-in with SRP (amazon-cognito-identity-js, loaded only in Cognito mode so that the
 * local console does not carry it).
 */
export function createCognitoTransport(config: CognitoConfig): AuthTransport {
  const load = async () => {
    const lib = await import("amazon-cognito-identity-js");
    const pool = new lib.CognitoUserPool({
      UserPoolId: config.userPoolId,
      ClientId: config.clientId,
      Storage: new MemoryStorage(),
    });
    return { lib, pool };
  };
  const toTokens = (session: {
    getIdToken(): { getJwtToken(): string; getExpiration(): number };
    getAccessToken(): { getJwtToken(): string };
    getRefreshToken(): { getToken(): string };
  }): Tokens => ({
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken(),
    expiresAt: session.getIdToken().getExpiration() * 1000,
  });
  const translate = (error: unknown): AuthError => {
    const e = error as { code?: string; name?: string; message?: string };
    const code = e.code ?? e.name;
    if (code === "NotAuthorizedException" || code === "UserNotFoundException")
      return new AuthError(e.message ?? "Incorrect email or password.", "INVALID_CREDENTIALS");
    if (code === "NetworkError") return new AuthError(e.message ?? "Network error", "NETWORK");
    return new AuthError(e.message ?? String(error), "OTHER");
  };
  return {
    mode: "cognito",
    async signIn(email, password) {
      const { lib, pool } = await load();
      const user = new lib.CognitoUser({ Username: email, Pool: pool, Storage: new MemoryStorage() });
      return new Promise<Tokens>((resolve, reject) => {
        user.authenticateUser(new lib.AuthenticationDetails({ Username: email, Password: password }), {
          onSuccess: (session) => resolve(toTokens(session)),
          onFailure: (error) => reject(translate(error)),
          newPasswordRequired: () =>
            reject(
              new AuthError(
                "This account must set a new password first (use the Cognito hosted UI or the CLI).",
                "NEW_PASSWORD_REQUIRED",
              ),
            ),
        });
      });
    },
    async refresh(refreshToken, email) {
      if (!email) throw new AuthError("Sign in again.", "SESSION_EXPIRED");
      const { lib, pool } = await load();
      const user = new lib.CognitoUser({ Username: email, Pool: pool, Storage: new MemoryStorage() });
      return new Promise<Tokens>((resolve, reject) => {
        user.refreshSession(new lib.CognitoRefreshToken({ RefreshToken: refreshToken }), (error, session) => {
          if (error) {
            const translated = translate(error);
            reject(
              translated.code === "NETWORK"
                ? translated
                : new AuthError("Your session has ended.", "SESSION_EXPIRED"),
            );
          } else resolve(toTokens(session));
        });
      });
    },
    async signOut() {
      // Cognito refresh tokens expire on their own; global sign-out needs the access token scope and is
      // left to the hosted UI. Locally forgetting the tokens is what signs this browser out.
    },
  };
}
