import type { Clock } from "@drso/clock";
import type { Role } from "@drso/core";
import { loadConfig } from "../../hosts/local/src/config.js";
import { type LocalServer, startLocalServer } from "../../hosts/local/src/local-server.js";
import { type ApiClient, apiClient, login } from "./api-client.js";
import { tempDir } from "./processes.js";

export const ADMIN = { email: "admin@example.com", password: "Admin-Pass-1" };

/** The whole product in-process (real HTTP on 127.0.0.1, SQLite file, embedded simulator). */
export async function startTestServer(env: Record<string, string> = {}, options: { clock?: Clock } = {}) {
  const dir = tempDir("drso-api-");
  const config = loadConfig({
    PORT: "0",
    DRSO_SIM_PORT: "0",
    DRSO_DATA_DIR: dir.path,
    DRSO_ADMIN_EMAIL: ADMIN.email,
    DRSO_ADMIN_PASSWORD: ADMIN.password,
    DRSO_SIM_TIME_SCALE: "0.01",
    DRSO_RATE_LIMIT_PER_USER: "10000",
    ...env,
  });
  const server: LocalServer = await startLocalServer(config, {
    ...(options.clock ? { clock: options.clock } : {}),
    log: () => {},
  });
  const baseUrl = server.url;
  const admin = apiClient(baseUrl, await login(baseUrl, ADMIN.email, ADMIN.password));
  const users = new Map<Role, { token: string; api: ApiClient; email: string }>();

  return {
    server,
    baseUrl,
    admin,
    /** A signed-in user of the role (created once through the admin API). */
    async as(role: Role) {
      const known = users.get(role);
      if (known) return known;
      if (role === "DRSAdmin") {
        const token = await login(baseUrl, ADMIN.email, ADMIN.password);
        const entry = { token, api: apiClient(baseUrl, token), email: ADMIN.email };
        users.set(role, entry);
        return entry;
      }
      const email = `${role.toLowerCase()}@example.com`;
      const password = "Role-Pass-123";
      const created = await admin.post("/users", { email, role, password });
      if (created.status !== 201)
        throw new Error(`create ${role}: ${created.status} ${JSON.stringify(created.body)}`);
      const token = await login(baseUrl, email, password);
      const entry = { token, api: apiClient(baseUrl, token), email };
      users.set(role, entry);
      return entry;
    },
    async close() {
      await server.close();
      dir.remove();
    },
  };
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;
