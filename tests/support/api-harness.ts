import { createServer } from "node:http";
import { createApi } from "@drso/api";
import { createServices } from "@drso/app";
import { createLocalIdentity, createLocalUserDirectory, createScryptHasher } from "@drso/identity";
import { serve } from "@hono/node-server";
import { type ApiClient, apiClient, login } from "./api-client.js";
import { createEngineHarness, type EngineHarnessOptions } from "./engine-harness.js";

const ADMIN = { email: "admin@example.com", password: "Admin-Pass-1" };

/**
 * The real API over a real socket, on top of the virtual-clock engine harness: HTTP requests in real time,
 * DRS and the engine in virtual time, so minutes of a drill (or hours of a drill TTL) pass deterministically.
 */
export async function createApiHarness(options: EngineHarnessOptions) {
  const h = await createEngineHarness(options);
  const hasher = createScryptHasher();
  const identity = createLocalIdentity({
    users: h.store.users,
    refreshTokens: h.store.refreshTokens,
    kv: h.store.kv,
    clock: h.clock,
    issuer: "http://harness/api/auth",
    clientId: "harness",
    hasher,
  });
  const users = createLocalUserDirectory({
    users: h.store.users,
    refreshTokens: h.store.refreshTokens,
    clock: h.clock,
    hasher,
  });
  await users.ensureInitialAdmin(ADMIN.email, ADMIN.password);
  Object.assign(h.services.deps, { users });
  Object.assign(h.services, { users });
  /** One API instance (one process, one Lambda) over the shared store, engine and simulator. */
  async function serveApi(services: typeof h.services) {
    const { app } = createApi({
      services,
      verifier: identity,
      identity,
      version: "test",
      mode: { drs: "sim", store: "memory", identity: "local" },
      rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0, createServer }, () => resolve(s));
    });
    const address = server.address();
    return {
      server,
      baseUrl: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    };
  }
  const servers: Array<ReturnType<typeof serve>> = [];
  const first = await serveApi(h.services);
  servers.push(first.server);
  const baseUrl = first.baseUrl;
  let client = apiClient(baseUrl, await login(baseUrl, ADMIN.email, ADMIN.password));
  /** Tokens live 45 virtual minutes and tests jump hours ahead: sign in again when a token has expired. */
  const call: ApiClient["call"] = async (method, path, body, headers) => {
    const first = await client.call(method, path, body, headers);
    if (first.status !== 401) return first as never;
    client = apiClient(baseUrl, await login(baseUrl, ADMIN.email, ADMIN.password));
    return client.call(method, path, body, headers) as never;
  };
  const admin: ApiClient = {
    call,
    get: (path) => call("GET", path),
    post: (path, body, headers) => call("POST", path, body, headers),
    put: (path, body, headers) => call("PUT", path, body, headers),
    del: (path, headers) => call("DELETE", path, undefined, headers),
  };
  return {
    ...h,
    baseUrl,
    /** An admin client that signs in again whenever its token has expired. */
    async api() {
      return admin;
    },
    /**
     * Another API instance with services of its own (as a second Lambda instance has) over the same store: what
     * one instance serialises in memory, two do not. Returns an admin client of that instance.
     */
    async otherInstance(): Promise<ApiClient> {
      const other = await serveApi(createServices(h.services.deps, h.driver));
      servers.push(other.server);
      return apiClient(other.baseUrl, await login(other.baseUrl, ADMIN.email, ADMIN.password));
    },
    async close() {
      for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
      await h.close();
    },
  };
}

export type ApiHarness = Awaited<ReturnType<typeof createApiHarness>>;
