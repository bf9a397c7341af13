import { randomUUID } from "node:crypto";
import type { CliIo, OutputStream } from "../io.js";

/**
 * A small in-memory stand-in for the orchestrator's HTTP API, as a `fetch` function, for in-process tests of
 * drsctl: local sign-in with rotating refresh tokens (a reused one revokes every session, as the real
 * identity does), protection groups and recovery plans with versions and If-Match, and executions whose
 * progress the test scripts. The integration suite runs against the real product; this fake keeps the unit
 * tests fast and able to produce states the product makes hard to reach (412, 409, a 401 mid-run).
 */
export class FakeApi {
  readonly base = "http://fake.test";
  now = Date.parse("2026-01-01T00:00:00.000Z");
  calls: Array<{ method: string; path: string; ifMatch?: string; authorization?: string }> = [];
  groups = new Map<string, Record<string, unknown> & { groupId: string; version: number; name: string }>();
  plans = new Map<string, Record<string, unknown> & { planId: string; version: number; name: string }>();
  executions = new Map<string, { detail: Record<string, unknown>; events: Array<Record<string, unknown>> }>();
  /** Scripted execution states: each GET of the execution takes the next one (the last one stays). */
  executionScript = new Map<string, Array<Record<string, unknown>>>();
  /** Make the next matching call fail: `METHOD path` → [status, code]. */
  failures = new Map<string, [number, string]>();
  refreshTokens = new Map<string, { user: string; used: boolean }>();
  validIdTokens = new Map<string, number>();
  revokedAll = false;
  tokenLifetimeMs = 45 * 60_000;
  password = "Admin123!";

  readonly fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const call: FakeApi["calls"][number] = { method: request.method, path: url.pathname + url.search };
    const ifMatch = request.headers.get("if-match");
    if (ifMatch) call.ifMatch = ifMatch;
    const authorization = request.headers.get("authorization");
    if (authorization) call.authorization = authorization;
    this.calls.push(call);
    const body = request.method === "GET" || request.method === "DELETE" ? undefined : await request.text();
    return this.handle(request.method, url, body ? JSON.parse(body) : undefined, authorization, ifMatch);
  };

  private json(status: number, value: unknown, headers: Record<string, string> = {}): Response {
    return new Response(JSON.stringify(value), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });
  }

  private problem(status: number, code: string, detail: string): Response {
    return new Response(JSON.stringify({ type: "about:blank", title: code, status, code, detail }), {
      status,
      headers: { "content-type": "application/problem+json" },
    });
  }

  issueTokens(user: string) {
    const exp = Math.floor((this.now + this.tokenLifetimeMs) / 1000);
    const payload = Buffer.from(JSON.stringify({ sub: user, exp, jti: randomUUID() })).toString("base64url");
    const idToken = `eyJhbGciOiJub25lIn0.${payload}.sig`;
    const refreshToken = randomUUID();
    this.validIdTokens.set(idToken, this.now + this.tokenLifetimeMs);
    this.refreshTokens.set(refreshToken, { user, used: false });
    return {
      idToken,
      accessToken: `access-${randomUUID()}`,
      refreshToken,
      expiresIn: this.tokenLifetimeMs / 1000,
      tokenType: "Bearer",
    };
  }

  private handle(
    method: string,
    url: URL,
    body: Record<string, unknown> | undefined,
    authorization: string | null,
    ifMatch: string | null,
  ): Response {
    const path = url.pathname;
    if (path === "/aws-config.json") return this.json(200, { apiUrl: "/api", auth: { mode: "local" } });
    if (!path.startsWith("/api/")) return this.problem(404, "NOT_FOUND", "no such page");
    const route = path.slice(4);
    const failure = this.failures.get(`${method} ${route}`);
    if (failure) {
      this.failures.delete(`${method} ${route}`);
      return this.problem(failure[0], failure[1], `injected ${failure[1]}`);
    }
    if (route === "/auth/login" && method === "POST") {
      if (body?.password !== this.password)
        return this.problem(401, "INVALID_CREDENTIALS", "wrong email or password");
      return this.json(200, this.issueTokens(String(body?.email)));
    }
    if (route === "/auth/refresh" && method === "POST") {
      const entry = this.refreshTokens.get(String(body?.refreshToken));
      if (!entry || this.revokedAll)
        return this.problem(401, "INVALID_REFRESH_TOKEN", "refresh token is not valid");
      if (entry.used) {
        this.revokedAll = true;
        this.validIdTokens.clear();
        return this.problem(401, "REFRESH_TOKEN_REUSED", "refresh token reused: every session is revoked");
      }
      entry.used = true;
      return this.json(200, this.issueTokens(entry.user));
    }
    if (route === "/auth/logout" && method === "POST") {
      this.refreshTokens.delete(String(body?.refreshToken));
      return new Response(null, { status: 204 });
    }
    const token = authorization?.replace(/^Bearer /, "");
    const expires = token ? this.validIdTokens.get(token) : undefined;
    if (expires === undefined || expires <= this.now)
      return this.problem(401, "UNAUTHENTICATED", "token invalid or expired");

    if (route === "/users/profile") {
      return this.json(200, {
        sub: "u-1",
        email: "admin@example.com",
        role: "DRSAdmin",
        groups: [],
        permissions: ["drs:ViewResources"],
      });
    }
    if (route === "/health")
      return this.json(200, { status: "ok", version: "9.9.9", time: new Date(this.now).toISOString() });
    const collection = route.startsWith("/protection-groups")
      ? this.groups
      : route.startsWith("/recovery-plans")
        ? this.plans
        : undefined;
    if (collection) {
      const idKey = collection === this.groups ? "groupId" : "planId";
      const id = route.split("/")[2];
      if (!id) {
        if (method === "GET") {
          const name = url.searchParams.get("name")?.toLowerCase();
          const items = [...collection.values()].filter((r) => !name || r.name.toLowerCase().includes(name));
          return this.json(200, { items });
        }
        if (method === "POST") {
          if (
            [...collection.values()].some((r) => r.name.toLowerCase() === String(body?.name).toLowerCase())
          ) {
            return this.problem(409, "NAME_TAKEN", `name ${String(body?.name)} is taken`);
          }
          const created = { ...body, [idKey]: randomUUID(), version: 1 } as never as {
            name: string;
            version: number;
          } & Record<string, unknown>;
          collection.set(String(created[idKey]), created as never);
          return this.json(201, created, { etag: `"v1"` });
        }
      }
      const existing = id ? collection.get(id) : undefined;
      if (!existing) return this.problem(404, "NOT_FOUND", `${route} not found`);
      if (ifMatch && ifMatch !== `"v${existing.version}"`) {
        return this.problem(412, "PRECONDITION_FAILED", `version is ${existing.version}`);
      }
      if (method === "GET") return this.json(200, existing, { etag: `"v${existing.version}"` });
      if (method === "PUT") {
        const updated = { ...body, [idKey]: id, version: existing.version + 1 } as never as typeof existing;
        collection.set(id!, updated as never);
        return this.json(200, updated, { etag: `"v${updated.version}"` });
      }
      if (method === "DELETE") {
        collection.delete(id!);
        return new Response(null, { status: 204 });
      }
    }
    const execution = /^\/executions\/([^/]+)(\/events)?$/.exec(route);
    if (execution && method === "GET") {
      const id = execution[1]!;
      const entry = this.executions.get(id);
      if (!entry) return this.problem(404, "NOT_FOUND", "execution not found");
      if (execution[2]) {
        const after = Number(url.searchParams.get("afterSeq") ?? 0);
        return this.json(200, { items: entry.events.filter((e) => Number(e.seq) > after) });
      }
      const script = this.executionScript.get(id);
      if (script && script.length > 0) {
        const next = script.length > 1 ? script.shift()! : script[0]!;
        entry.detail = { ...entry.detail, ...next };
        const events = (next.__events as Array<Record<string, unknown>> | undefined) ?? [];
        entry.events.push(...events);
        delete entry.detail.__events;
      }
      return this.json(200, entry.detail);
    }
    return this.problem(404, "NOT_FOUND", `no route ${method} ${route}`);
  }
}

export class Capture implements OutputStream {
  text = "";
  constructor(
    readonly isTTY = false,
    readonly columns = 100,
  ) {}
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

/** A CliIo over the fake API and in-memory streams; the config file lives in a temp dir the test owns. */
export function fakeIo(
  api: FakeApi,
  env: Record<string, string | undefined>,
  overrides: Partial<CliIo> = {},
) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: CliIo = {
    stdout,
    stderr,
    interactive: false,
    env,
    fetch: api.fetch,
    now: () => api.now,
    sleep: async (ms) => {
      api.now += ms;
    },
    prompt: async () => {
      throw new Error("no prompts in tests");
    },
    onInterrupt: () => () => {},
    readFile: async (path) => (await import("node:fs/promises")).readFile(path, "utf8"),
    writeFile: async (path, text) => (await import("node:fs/promises")).writeFile(path, text),
    readStdin: async () => "",
    ...overrides,
  };
  return { io, stdout, stderr };
}
