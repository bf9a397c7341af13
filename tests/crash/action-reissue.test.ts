import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, login, waitFor } from "../support/api-client.js";
import { freePort, type Spawned, spawnOrchestrator, spawnSimulator, tempDir } from "../support/processes.js";

/**
 * Issue 13 item 5: an action whose answer is lost is not re-run blindly. A POST runbook hook is in flight when the
 * orchestrator is killed (-9); after the restart the engine issues it again with the same Idempotency-Key (derived
 * from execution and action, so it survives the restart), records that it did, and the action completes once.
 * The product, the simulator and the hook each run as they would for a user: separate processes/servers.
 */
const ADMIN = { email: "admin@example.com", password: "Crash-Test-1" };
const PROD = { accountId: "111122223333", region: "us-east-1" };

describe("an HTTP action across kill -9", { timeout: 180_000 }, () => {
  const dir = tempDir("drso-action-");
  let sim: Awaited<ReturnType<typeof spawnSimulator>>;
  let server: Spawned | undefined;
  let env: Record<string, string>;
  let baseUrl: string;
  let hook: Server;
  let hookPort = 0;
  const calls: Array<{ key: string | undefined; res: ServerResponse<IncomingMessage> }> = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      // The first call is never answered (the orchestrator dies waiting); later ones are.
      calls.push({ key: req.headers["idempotency-key"] as string | undefined, res });
      if (calls.length > 1) res.end("runbook accepted");
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    hookPort = (hook.address() as AddressInfo).port;
    sim = await spawnSimulator({ timeScale: 0.02 });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      DRSO_DATA_DIR: join(dir.path, "data"),
      DRSO_DRS_ENDPOINT: sim.url,
      DRSO_ADMIN_EMAIL: ADMIN.email,
      DRSO_ADMIN_PASSWORD: ADMIN.password,
    };
    server = await spawnOrchestrator(env);
  }, 120_000);

  afterAll(async () => {
    for (const c of calls) if (!c.res.writableEnded) c.res.destroy();
    await server?.stop();
    await sim?.stop();
    await new Promise<void>((resolve) => hook?.close(() => resolve()));
    dir.remove();
  });

  it("issues the lost call again with the same Idempotency-Key and completes the action once", async () => {
    let api = apiClient(baseUrl, await login(baseUrl, ADMIN.email, ADMIN.password));
    expect((await api.put("/config/settings", { httpActionAllowedHosts: ["127.0.0.1"] })).status).toBe(200);
    const g = await api.post<{ groupId: string }>("/protection-groups", {
      name: "orders-db",
      ...PROD,
      serverSelectionTags: { App: "orders", Tier: "db" },
    });
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    const plan = await api.post<{ planId: string }>("/recovery-plans", {
      name: "Orders",
      waves: [
        {
          name: "db",
          protectionGroupIds: [g.body.groupId],
          preActions: [
            {
              type: "http",
              name: "open change",
              method: "POST",
              url: `http://127.0.0.1:${hookPort}/runbook`,
              body: "{}",
            },
          ],
        },
      ],
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const started = await api.post<{ executionId: string }>(`/recovery-plans/${plan.body.planId}/execute`, {
      executionType: "DRILL",
    });
    expect(started.status).toBe(202);
    const id = started.body.executionId;

    await waitFor("the hook to be called", async () => (calls.length === 1 ? true : undefined), 30_000, 50);
    await server!.kill9();
    server = await spawnOrchestrator(env);
    api = apiClient(baseUrl, await login(baseUrl, ADMIN.email, ADMIN.password));

    const done = await waitFor(
      "the action to succeed",
      async () => {
        const d = await api.get<{ waves: Array<{ actions: Array<{ status: string; output?: string }> }> }>(
          `/executions/${id}`,
        );
        const a = d.body.waves[0]?.actions[0];
        return a && a.status !== "RUNNING" ? a : undefined;
      },
      90_000,
      250,
    );
    expect(done.status).toBe("SUCCEEDED");
    expect(done.output).toContain("runbook accepted");
    expect(calls).toHaveLength(2);
    expect(calls[0]!.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(calls[1]!.key).toBe(calls[0]!.key);
    const events = await api.get<{ items: Array<{ type: string; message: string }> }>(
      `/executions/${id}/events?limit=200`,
    );
    const reissued = events.body.items.filter((e) => e.type === "action.reissued");
    expect(reissued).toHaveLength(1);
    expect(reissued[0]!.message).toMatch(/no answer to attempt 1.*same idempotency key/);
  });
});
