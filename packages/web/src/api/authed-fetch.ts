import type { AuthProvider } from "../auth/types.js";

export interface AuthedFetchOptions {
  auth: AuthProvider;
  /** Called when the session cannot be refreshed; resolves once the user signed in again (a modal). */
  reauthenticate: () => Promise<void>;
  fetch?: (request: Request) => Promise<Response>;
  now?: () => number;
}

/**
 * fetch with the bearer token: refreshes shortly before expiry, and on a 401 refreshes once and retries.
 * When the session is over it waits for the user to sign in again (the page and its half-filled form stay),
 * then retries the same request.
 */
export function createAuthedFetch(options: AuthedFetchOptions): (request: Request) => Promise<Response> {
  const base = options.fetch ?? ((request: Request) => fetch(request));
  const now = options.now ?? Date.now;
  const send = (request: Request, token: string | undefined) => {
    const copy = new Request(request);
    if (token) copy.headers.set("authorization", `Bearer ${token}`);
    return base(copy);
  };
  const freshToken = async (): Promise<string | undefined> => {
    let tokens = options.auth.currentTokens();
    if (tokens && tokens.expiresAt - now() < 30_000)
      tokens = await options.auth.refresh().catch(() => tokens);
    return tokens?.idToken;
  };
  return async (request) => {
    const spare = request.clone();
    const response = await send(request, await freshToken());
    if (response.status !== 401) return response;
    try {
      const refreshed = await options.auth.refresh();
      const retried = await send(spare.clone(), refreshed.idToken);
      if (retried.status !== 401) return retried;
    } catch {
      // fall through: the session is over
    }
    await options.reauthenticate();
    return send(spare.clone(), options.auth.currentTokens()?.idToken);
  };
}
