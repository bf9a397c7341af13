import { join } from "node:path";
import { expect } from "vitest";
import { type ApiClient, apiClient, login } from "./api-client.js";
import { freePort, type Spawned, spawnOrchestrator, spawnSimulator, tempDir } from "./processes.js";

/**
 * The scenario steps the end-to-end tests share: the demo fleet's production account, a protection group per
 * application tier, a plan, a start; and the real product (`npm start`'s entry point) with the simulator in its
 * own process, restartable on the same data folder (kill -9 tests).
 */
export const PROD = { accountId: "111122223333", region: "us-east-1" };

/** A tag-selection group of the demo fleet's `orders` application, one tier. */
export async function tierGroup(api: ApiClient, tier: string): Promise<string> {
  const g = await api.post<{ groupId: string }>("/protection-groups", {
    name: `orders-${tier}`,
    ...PROD,
    serverSelectionTags: { App: "orders", Tier: tier },
  });
  expect(g.status, JSON.stringify(g.body)).toBe(201);
  return g.body.groupId;
}

export async function createPlan(api: ApiClient, plan: Record<string, unknown>): Promise<string> {
  const p = await api.post<{ planId: string }>("/recovery-plans", plan);
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  return p.body.planId;
}

export async function startExecution(
  api: ApiClient,
  planId: string,
  body: Record<string, unknown> = { executionType: "DRILL" },
): Promise<string> {
  const started = await api.post<{ executionId: string }>(`/recovery-plans/${planId}/execute`, body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return started.body.executionId;
}

export async function detailOf<T>(api: ApiClient, id: string): Promise<T> {
  const response = await api.get<T>(`/executions/${id}`);
  expect(response.status).toBe(200);
  return response.body;
}

const ADMIN = { email: "admin@example.com", password: "Crash-Test-1" };

/** The product and the simulator as separate processes, the product restartable (after kill -9) on its folder. */
export async function startProduct(options: { timeScale: number; prefix: string }) {
  const dir = tempDir(options.prefix);
  const sim = await spawnSimulator({ timeScale: options.timeScale });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    DRSO_DATA_DIR: join(dir.path, "data"),
    DRSO_DRS_ENDPOINT: sim.url,
    DRSO_ADMIN_EMAIL: ADMIN.email,
    DRSO_ADMIN_PASSWORD: ADMIN.password,
  };
  let server: Spawned | undefined = await spawnOrchestrator(env);
  return {
    baseUrl,
    /** A fresh admin session (sessions do not survive a restart of a test's clock jumps). */
    admin: async () => apiClient(baseUrl, await login(baseUrl, ADMIN.email, ADMIN.password)),
    /** kill -9, then start again on the same data folder. */
    async crashAndRestart() {
      await server?.kill9();
      server = await spawnOrchestrator(env);
    },
    async close() {
      await server?.stop();
      server = undefined;
      await sim.stop();
      dir.remove();
    },
  };
}
