import createClient from "openapi-fetch";
import { ApiError, type Problem } from "./api-error.js";
import type { paths } from "./schema.js";

export type ApiClient = ReturnType<typeof createClient<paths>>;

/** Supplies the bearer token; `rejected` is called once when the API answers 401 to it. */
export interface TokenSource {
  token(): Promise<string>;
  rejected(token: string): Promise<string | undefined>;
}

export interface ApiClientOptions {
  /** The API's base URL; a relative one is resolved against the page's location (in a browser). */
  apiUrl: string;
  fetch: (request: Request) => Promise<Response>;
  tokens?: TokenSource;
  /** How often a 429 (and a 503 on reads) is retried after its Retry-After; 4 unless told. */
  retries?: number;
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
}

/**
 * The typed API client (types generated from the committed OpenAPI document). Error answers are thrown as
 * `ApiError` carrying the problem+json body, so callers only handle success; with `tokens`, a 401 refreshes
 * the token and retries once; a 429 (and a 503 on reads) waits for Retry-After and retries a few times.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const page = (globalThis as { location?: { href: string } }).location?.href;
  const base = (page ? new URL(options.apiUrl, page).toString() : options.apiUrl).replace(/\/+$/, "");
  const maxRetries = options.retries ?? 4;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const describe = (request: Request) => {
    const url = new URL(request.url);
    const basePath = new URL(base).pathname.replace(/\/+$/, "");
    const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
    return { method: request.method, path: path + url.search };
  };

  async function send(request: Request): Promise<Response> {
    const { method, path } = describe(request);
    const attempt = async (req: Request, token: string | undefined) => {
      if (token) req.headers.set("authorization", `Bearer ${token}`);
      if (options.userAgent) req.headers.set("user-agent", options.userAgent);
      try {
        return await options.fetch(req);
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new ApiError(
          0,
          { detail: cause?.code ?? cause?.message ?? (error as Error).message },
          method,
          path,
        );
      }
    };
    let token = options.tokens ? await options.tokens.token() : undefined;
    let response = await attempt(request.clone(), token);
    let retries = 0;
    for (;;) {
      if (response.status === 401 && token && options.tokens && retries === 0) {
        retries++;
        const fresh = await options.tokens.rejected(token);
        if (!fresh) break;
        token = fresh;
        response = await attempt(request.clone(), token);
        continue;
      }
      const retryable = response.status === 429 || (response.status === 503 && method === "GET");
      if (retryable && retries < maxRetries) {
        retries++;
        const after = Number(response.headers.get("retry-after"));
        await sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 10) * 1000 : 500 * retries);
        response = await attempt(request.clone(), token);
        continue;
      }
      break;
    }
    if (!response.ok) throw new ApiError(response.status, await problemOf(response), method, path);
    return response;
  }

  return createClient<paths>({ baseUrl: base, fetch: send });
}

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Problem;
    if (body && typeof body === "object") return body;
  } catch {
    // not JSON: a proxy or load balancer answered
  }
  return { status: response.status, detail: text.slice(0, 300) || response.statusText };
}

/** The data of a successful call (the client threw the error answers already). */
export async function unwrap<T>(call: Promise<{ data?: T; response: Response }>): Promise<NonNullable<T>> {
  const result = await call;
  return result.data as NonNullable<T>;
}

/** The ETag the API gives a resource of this version (DESIGN §5: the version, exposed as an ETag). */
export function etagOf(version: number): string {
  return `"v${version}"`;
}
