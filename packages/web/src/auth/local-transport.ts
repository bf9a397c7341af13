import { AuthError, type AuthTransport, type Tokens } from "./types.js";

interface TokenResponse {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** The local identity provider's routes (`/api/auth/*`), which mirror Cognito's token shapes. */
export function createLocalTransport(
  apiUrl: string,
  options: { fetch?: typeof fetch; now?: () => number } = {},
): AuthTransport {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const post = async (path: string, body: unknown): Promise<Response> => {
    try {
      return await doFetch(`${apiUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new AuthError(`Cannot reach the API: ${(error as Error).message}`, "NETWORK");
    }
  };
  const toTokens = (t: TokenResponse): Tokens => ({
    idToken: t.idToken,
    accessToken: t.accessToken,
    refreshToken: t.refreshToken,
    expiresAt: now() + t.expiresIn * 1000,
  });
  const problem = async (response: Response): Promise<string> => {
    try {
      const body = (await response.json()) as { detail?: string; title?: string };
      return body.detail ?? body.title ?? `HTTP ${response.status}`;
    } catch {
      return `HTTP ${response.status}`;
    }
  };
  return {
    mode: "local",
    async signIn(email, password) {
      const response = await post("/auth/login", { email, password });
      if (response.status === 401 || response.status === 400 || response.status === 403)
        throw new AuthError(await problem(response), "INVALID_CREDENTIALS");
      if (!response.ok) throw new AuthError(await problem(response), "OTHER");
      return toTokens((await response.json()) as TokenResponse);
    },
    async refresh(refreshToken) {
      const response = await post("/auth/refresh", { refreshToken });
      if (response.status >= 500) throw new AuthError(await problem(response), "NETWORK");
      if (!response.ok) throw new AuthError(await problem(response), "SESSION_EXPIRED");
      return toTokens((await response.json()) as TokenResponse);
    },
    async signOut(tokens) {
      await post("/auth/logout", { refreshToken: tokens.refreshToken });
    },
  };
}
