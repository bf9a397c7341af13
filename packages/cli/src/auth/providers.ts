import { createApiClient, unwrap } from "@drso/client";
import type { CognitoSettings, TokenSet } from "../config/config-file.js";
import { CliError } from "../errors.js";

/** Signs in and refreshes tokens for one kind of identity provider. */
export interface AuthProvider {
  login(email: string, password: string, prompts?: ChallengePrompts): Promise<TokenSet>;
  refresh(tokens: TokenSet): Promise<TokenSet>;
  logout(tokens: TokenSet): Promise<void>;
}

/** Answers to sign-in challenges (Cognito MFA); absent when nobody can answer (pipelines). */
export interface ChallengePrompts {
  mfaCode(kind: "SMS" | "TOTP"): Promise<string>;
}

/** Epoch ms of a JWT's `exp` claim (not verified: the server verifies; this only schedules refreshes). */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The orchestrator's built-in identity (`POST /auth/login`, `/auth/refresh`, `/auth/logout`). */
export function localAuth(options: {
  apiUrl: string;
  fetch: (request: Request) => Promise<Response>;
  now: () => number;
}): AuthProvider {
  const api = createApiClient({ apiUrl: options.apiUrl, fetch: options.fetch });
  const toSet = (t: { idToken: string; accessToken: string; refreshToken: string; expiresIn: number }) => ({
    idToken: t.idToken,
    accessToken: t.accessToken,
    refreshToken: t.refreshToken,
    expiresAt: jwtExpiry(t.idToken) ?? options.now() + t.expiresIn * 1000,
  });
  return {
    async login(email, password) {
      return toSet(await unwrap(api.POST("/auth/login", { body: { email, password } })));
    },
    async refresh(tokens) {
      return toSet(await unwrap(api.POST("/auth/refresh", { body: { refreshToken: tokens.refreshToken } })));
    },
    async logout(tokens) {
      await api.POST("/auth/logout", { body: { refreshToken: tokens.refreshToken } });
    },
  };
}

/**
 * Amazon Cognito user pools: SRP sign-in (the password never leaves this machine) and refresh-token auth,
 * through amazon-cognito-identity-js. `endpoint` points it elsewhere than cognito-idp.REGION.amazonaws.com
 * (tests use a fake).
 */
export function cognitoAuth(
  settings: CognitoSettings & { endpoint?: string; username?: string },
): AuthProvider {
  const load = async () => {
    const mod = (await import(
      "amazon-cognito-identity-js"
    )) as typeof import("amazon-cognito-identity-js") & {
      default?: typeof import("amazon-cognito-identity-js");
    };
    return mod.default ?? mod;
  };
  const pool = async () => {
    const sdk = await load();
    return {
      sdk,
      pool: new sdk.CognitoUserPool({
        UserPoolId: settings.userPoolId,
        ClientId: settings.clientId,
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      }),
    };
  };
  const toSet = (session: import("amazon-cognito-identity-js").CognitoUserSession, previous?: TokenSet) => {
    const idToken = session.getIdToken().getJwtToken();
    const refreshToken = session.getRefreshToken()?.getToken() || previous?.refreshToken || "";
    return {
      idToken,
      accessToken: session.getAccessToken().getJwtToken(),
      refreshToken,
      expiresAt: session.getIdToken().getExpiration() * 1000,
    };
  };
  const cognitoError = (error: unknown) => {
    const e = error as { code?: string; name?: string; message?: string };
    return new CliError(`Cognito: ${e.code ?? e.name ?? "error"}: ${e.message ?? String(error)}`);
  };

  return {
    async login(email, password, prompts) {
      const { sdk, pool: userPool } = await pool();
      const user = new sdk.CognitoUser({ Username: email, Pool: userPool });
      const details = new sdk.AuthenticationDetails({ Username: email, Password: password });
      return new Promise<TokenSet>((resolve, reject) => {
        const callbacks: import("amazon-cognito-identity-js").IAuthenticationCallback = {
          onSuccess: (session) => resolve(toSet(session)),
          onFailure: (error) => reject(cognitoError(error)),
          newPasswordRequired: () =>
            reject(
              new CliError(
                "Cognito asks for a new password for this user: sign in to the web console once to set it, then run drsctl login again",
              ),
            ),
          mfaRequired: () => {
            if (!prompts)
              return reject(new CliError("Cognito asks for an SMS code; run drsctl login in a terminal"));
            prompts.mfaCode("SMS").then((code) => user.sendMFACode(code, callbacks), reject);
          },
          totpRequired: () => {
            if (!prompts)
              return reject(new CliError("Cognito asks for a TOTP code; run drsctl login in a terminal"));
            prompts
              .mfaCode("TOTP")
              .then((code) => user.sendMFACode(code, callbacks, "SOFTWARE_TOKEN_MFA"), reject);
          },
        };
        user.authenticateUser(details, callbacks);
      });
    },
    async refresh(tokens) {
      const { sdk, pool: userPool } = await pool();
      const user = new sdk.CognitoUser({ Username: settings.username ?? "drsctl", Pool: userPool });
      return new Promise<TokenSet>((resolve, reject) => {
        user.refreshSession(
          new sdk.CognitoRefreshToken({ RefreshToken: tokens.refreshToken }),
          (error, session) => (error ? reject(cognitoError(error)) : resolve(toSet(session, tokens))),
        );
      });
    },
    async logout() {
      // Cognito refresh tokens expire on their own; revoking needs the client's RevokeToken permission, which
      // the seed's app client does not grant. Forgetting the tokens locally is what logout does.
    },
  };
}
