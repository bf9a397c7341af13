import { afterEach, describe, expect, it, vi } from "vitest";
import { createApiClient, etagOf, type TokenSource, unwrap } from "./api-client.js";
import { ApiError } from "./api-error.js";
import { allPages } from "./pagination.js";

interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  body: string;
}

/** A fetch that answers from a script, one answer a call (the last one repeats), and records what it got. */
function scripted(...answers: Array<() => Response>) {
  const seen: Seen[] = [];
  const fetch = async (request: Request) => {
    seen.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.get("authorization"),
      body: await request.text(),
    });
    return answers[Math.min(seen.length, answers.length) - 1]!();
  };
  return { fetch, seen };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });

const validationProblem = {
  type: "about:blank",
  title: "Bad Request",
  status: 400,
  code: "VALIDATION_FAILED",
  detail: "Invalid plan",
  errors: [{ path: "waves.0.dependsOn", message: "unknown wave 'x'" }],
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the typed client", () => {
  it("throws a problem+json answer as an ApiError naming the request, with code and field errors", async () => {
    const { fetch } = scripted(json(400, validationProblem, { "content-type": "application/problem+json" }));
    const api = createApiClient({ apiUrl: "http://x/api/", fetch });
    const error = await unwrap(
      api.POST("/recovery-plans/validate", { body: { name: "p", waves: [] } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError).toMatchObject({ status: 400, code: "VALIDATION_FAILED", method: "POST" });
    expect(apiError.path).toBe("/recovery-plans/validate");
    expect(apiError.fieldErrors).toEqual([{ path: "waves.0.dependsOn", message: "unknown wave 'x'" }]);
    expect(apiError.summary).toBe("Invalid plan");
    expect(apiError.message).toBe(
      "POST /recovery-plans/validate → 400 VALIDATION_FAILED: Invalid plan\n  waves.0.dependsOn: unknown wave 'x'",
    );
    expect(apiError.transient).toBe(false);
  });

  it("keeps a non-JSON error answer's text as the problem's detail", async () => {
    const { fetch } = scripted(() => new Response("<html>bad gateway</html>", { status: 502 }));
    const api = createApiClient({ apiUrl: "http://x/api", fetch, retries: 0 });
    const error = (await unwrap(api.GET("/health")).catch((e: unknown) => e)) as ApiError;
    expect(error.problem).toEqual({ status: 502, detail: "<html>bad gateway</html>" });
    expect(error.transient).toBe(true);
  });

  it("turns a network failure into an ApiError of status 0", async () => {
    const api = createApiClient({
      apiUrl: "http://x/api",
      fetch: async () => {
        throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
      },
    });
    const error = (await unwrap(api.GET("/health")).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
    expect(error.transient).toBe(true);
    expect(error.message).toBe("cannot reach the API (GET /health): ECONNREFUSED");
  });

  it("resolves a relative API URL against the page's location", async () => {
    vi.stubGlobal("location", { href: "https://console.example.com/plans/1" });
    const { fetch, seen } = scripted(json(200, { status: "ok" }));
    await unwrap(createApiClient({ apiUrl: "/api", fetch }).GET("/health"));
    expect(seen[0]?.url).toBe("https://console.example.com/api/health");
  });

  it("on a 401 asks the token source once for a fresh token and retries the request with its body", async () => {
    const rejected = vi.fn(async () => "fresh");
    const tokens: TokenSource = { token: async () => "stale", rejected };
    const { fetch, seen } = scripted(json(401, { code: "UNAUTHENTICATED" }), json(201, { planId: "p1" }));
    const api = createApiClient({ apiUrl: "http://x/api", fetch, tokens });
    await unwrap(api.POST("/recovery-plans", { body: { name: "p", waves: [] } }));
    expect(rejected).toHaveBeenCalledExactlyOnceWith("stale");
    expect(seen.map((s) => [s.authorization, s.body])).toEqual([
      ["Bearer stale", '{"name":"p","waves":[]}'],
      ["Bearer fresh", '{"name":"p","waves":[]}'],
    ]);
  });

  it("throws the 401 when the fresh token is refused too, or there is none", async () => {
    const refusing = scripted(json(401, { code: "UNAUTHENTICATED" }));
    const tokens: TokenSource = { token: async () => "stale", rejected: async () => "fresh" };
    const api = createApiClient({ apiUrl: "http://x/api", fetch: refusing.fetch, tokens });
    await expect(unwrap(api.GET("/health"))).rejects.toMatchObject({ status: 401 });
    expect(refusing.seen).toHaveLength(2);

    const expired = scripted(json(401, { code: "UNAUTHENTICATED" }));
    const gone: TokenSource = { token: async () => "stale", rejected: async () => undefined };
    const signedOut = createApiClient({ apiUrl: "http://x/api", fetch: expired.fetch, tokens: gone });
    await expect(unwrap(signedOut.GET("/health"))).rejects.toMatchObject({ status: 401 });
    expect(expired.seen).toHaveLength(1);
  });

  it("waits for Retry-After on a 429 (at most 10 s) and retries, up to `retries` times", async () => {
    const sleep = vi.fn(async () => {});
    const { fetch, seen } = scripted(
      json(429, { code: "THROTTLED" }, { "retry-after": "2" }),
      json(429, { code: "THROTTLED" }, { "retry-after": "60" }),
      json(200, { status: "ok" }),
    );
    await unwrap(createApiClient({ apiUrl: "http://x/api", fetch, sleep }).GET("/health"));
    expect(seen).toHaveLength(3);
    expect(sleep.mock.calls).toEqual([[2000], [10_000]]);

    const always = scripted(json(429, { code: "THROTTLED" }));
    const api = createApiClient({ apiUrl: "http://x/api", fetch: always.fetch, sleep, retries: 2 });
    await expect(unwrap(api.GET("/health"))).rejects.toMatchObject({ status: 429, code: "THROTTLED" });
    expect(always.seen).toHaveLength(3);
  });

  it("retries a 503 on a read but not on a write, and nothing with `retries: 0`", async () => {
    const sleep = vi.fn(async () => {});
    const read = scripted(json(503, { code: "UNAVAILABLE" }), json(200, { status: "ok" }));
    await unwrap(createApiClient({ apiUrl: "http://x/api", fetch: read.fetch, sleep }).GET("/health"));
    expect(read.seen).toHaveLength(2);
    expect(sleep).toHaveBeenCalledExactlyOnceWith(500);

    const write = scripted(json(503, { code: "UNAVAILABLE" }), json(201, {}));
    const writer = createApiClient({ apiUrl: "http://x/api", fetch: write.fetch, sleep });
    await expect(
      unwrap(writer.POST("/recovery-plans", { body: { name: "p", waves: [] } })),
    ).rejects.toMatchObject({ status: 503 });
    expect(write.seen).toHaveLength(1);

    const throttled = scripted(json(429, { code: "THROTTLED" }), json(200, { status: "ok" }));
    const consoleApi = createApiClient({ apiUrl: "http://x/api", fetch: throttled.fetch, sleep, retries: 0 });
    await expect(unwrap(consoleApi.GET("/health"))).rejects.toMatchObject({ status: 429 });
    expect(throttled.seen).toHaveLength(1);
  });

  it("sends the user agent it is given", async () => {
    const seenAgents: Array<string | null> = [];
    const api = createApiClient({
      apiUrl: "http://x/api",
      userAgent: "drsctl/1.2.3",
      fetch: async (request) => {
        seenAgents.push(request.headers.get("user-agent"));
        return json(200, { status: "ok" })();
      },
    });
    await unwrap(api.GET("/health"));
    expect(seenAgents).toEqual(["drsctl/1.2.3"]);
  });
});

describe("ApiError without the request", () => {
  it("says what the problem says: detail, else title, else the status", () => {
    expect(new ApiError(409, { title: "Conflict", detail: "name taken" }).message).toBe("name taken");
    expect(new ApiError(409, { title: "Conflict" }).message).toBe("Conflict");
    expect(new ApiError(500, {}).message).toBe("HTTP 500");
    expect(new ApiError(500, {}).fieldErrors).toEqual([]);
  });
});

describe("allPages", () => {
  it("follows nextToken until a page has none", async () => {
    const asked: Array<string | undefined> = [];
    const pages: Record<string, { items: number[]; nextToken?: string }> = {
      first: { items: [1, 2], nextToken: "b" },
      b: { items: [3], nextToken: "c" },
      c: { items: [] },
    };
    const items = await allPages(async (token) => {
      asked.push(token);
      return pages[token ?? "first"]!;
    });
    expect(items).toEqual([1, 2, 3]);
    expect(asked).toEqual([undefined, "b", "c"]);
  });
});

describe("etagOf", () => {
  it("is the version the API exposes as an ETag", () => {
    expect(etagOf(7)).toBe('"v7"');
  });
});
