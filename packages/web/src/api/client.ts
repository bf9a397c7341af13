import createClient from "openapi-fetch";
import type { AuthProvider } from "../auth/types.js";
import type { components, paths } from "./schema.js";

export type Schemas = components["schemas"];
export type ApiClient = ReturnType<typeof createClient<paths>>;
export type Problem = Schemas["Problem"];

/** A problem+json answer as an Error, with its stable `code` and field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem>,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = "ApiError";
  }
  get code(): string | undefined {
    return this.problem.code;
  }
  get fieldErrors(): Array<{ path: string; message: string }> {
    return this.problem.errors ?? [];
  }
}

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

export function createApiClient(
  apiUrl: string,
  authedFetch: (request: Request) => Promise<Response>,
): ApiClient {
  const baseUrl = new URL(apiUrl, typeof location === "undefined" ? "http://localhost/" : location.href)
    .toString()
    .replace(/\/$/, "");
  return createClient<paths>({ baseUrl, fetch: authedFetch });
}

/** Unwraps an openapi-fetch result: the data, or an ApiError built from the problem document. */
export async function unwrap<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  const { data, error, response } = await pending;
  if (response.ok) return data as NonNullable<T>;
  const problem =
    typeof error === "object" && error !== null
      ? (error as Partial<Problem>)
      : { detail: String(error ?? "") };
  throw new ApiError(response.status, problem);
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.fieldErrors.map((f) => `${f.path}: ${f.message}`).join("; ");
    return fields ? `${error.message} (${fields})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
