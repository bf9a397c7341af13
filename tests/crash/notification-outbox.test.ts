import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, login, waitFor } from "../support/api-client.js";
import { freePort, type Spawned, spawnOrchestrator, spawnSimulator, tempDir } from "../support/processes.js";

/**
 * Issue 13 item 6: notifications are at least once. A drill runs with a webhook configured; the orchestrator is
 * killed (-9) twice while it runs and restarted on the same data folder. Every notified event the execution
 * recorded reaches the webhook, each with a unique `eventId`, numbered by `seq` 1, 2, … without a gap
 * (redeliveries carry the same id and seq, and are dropped by id here as a receiver would).
 */
const ADMIN = { email: "admin@example.com", password: "Crash-Test-1" };
const PROD = { accountId: "111122223333", region: "us-east-1" };
const NOTIFIED = new Set([
  "execution.started",
  "execution.completed",
  "execution.failed",
  "execution.cancelled",
  "wave.started",
  "wave.completed",
  "wave.failed",
]);

describe("webhook notifications across two kill -9s", { timeout: 240_000 }, () => {
  const dir = tempDir("drso-outbox-");
  let sim: Awaited<ReturnType<typeof spawnSimulator>>;
  let server: Spawned | undefined;
  let env: Record<string, string>;
  let baseUrl: string;
  let hook: Server;
  let hookPort = 0;
  const received: Array<{ eventId: string; seq: number; type: string; executionId: string }> = [];
  const refused = new Set<string>();

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        const event = JSON.parse(body) as (typeof received)[number];
        // Each event's first delivery is refused (503): an in-process retry is then pending when the
        // orchestrator is killed, the window in which a fire-and-forget notifier loses events.
        if (!refused.has(event.eventId)) {
          refused.add(event.eventId);
          res.statusCode = 503;
          res.end("busy");
          return;
        }
        received.push(event);
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    hookPort = (hook.address() as AddressInfo).port;
    // 0.01: a DRS launch takes seconds, so the kills land while the drill runs.
    sim = await spawnSimulator({ timeScale: 0.01 });
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
    await server?.stop();
    await sim?.stop();
    await new Promise<void>((resolve) => hook?.close(() => resolve()));
    dir.remove();
  });

  it("delivers every notified event, with unique ids and gapless seq", async () => {
    let api = apiClient(baseUrl, await login(baseUrl, ADMIN.email, ADMIN.password));
    const settings = await api.put("/config/settings", {
      webhooks: [{ url: `http://127.0.0.1:${hookPort}/drso` }],
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    const groups: string[] = [];
    for (const tier of ["db", "app", "web"]) {
      const g = await api.post<{ groupId: string }>("/protection-groups", {
        name: `orders-${tier}`,
        ...PROD,
        serverSelectionTags: { App: "orders", Tier: tier },
      });
      expect(g.status, JSON.stringify(g.body)).toBe(201);
      groups.push(g.body.groupId);
    }
    const plan = await api.post<{ planId: string }>("/recovery-plans", {
      name: "Orders",
      waves: groups.map((id, i) => ({ name: `w${i + 1}`, protectionGroupIds: [id] })),
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const started = await api.post<{ executionId: string }>(`/recovery-plans/${plan.body.planId}/execute`, {
      executionType: "DRILL",
    });
    expect(started.status).toBe(202);
    const id = started.body.executionId;

    const status = async () =>
      (await api.get<{ status: string; waves: Array<{ status: string }> }>(`/executions/${id}`)).body;
    // First kill: as soon as the first wave has started. Second: once the second wave has.
    for (const wave of [0, 1]) {
      await waitFor(
        `wave ${wave + 1} to start`,
        async () => ((await status()).waves[wave]?.status === "RUNNING" ? true : undefined),
        90_000,
        100,
      );
      await server!.kill9();
      server = await spawnOrchestrator(env);
      api = apiClient(baseUrl, await login(baseUrl, ADMIN.email, ADMIN.password));
    }
    await waitFor(
      "the drill to end",
      async () => (["COMPLETED", "FAILED"].includes((await status()).status) ? true : undefined),
      120_000,
      250,
    );

    const events = await api.get<{ items: Array<{ seq: number; type: string }> }>(
      `/executions/${id}/events?limit=500`,
    );
    const expected = events.body.items.filter((e) => NOTIFIED.has(e.type)).map((e) => `${id}:${e.seq}`);
    expect(expected.length).toBeGreaterThanOrEqual(8);
    await waitFor(
      "every notified event to arrive",
      async () => {
        const ids = new Set(received.filter((r) => r.executionId === id).map((r) => r.eventId));
        return expected.every((e) => ids.has(e)) ? true : undefined;
      },
      60_000,
      250,
    );
    const mine = received.filter((r) => r.executionId === id);
    const unique = new Map(mine.map((r) => [r.eventId, r]));
    // Redeliveries are the same notification: same id, same seq.
    for (const r of mine) expect(unique.get(r.eventId)!.seq).toBe(r.seq);
    expect([...unique.keys()].sort()).toEqual([...expected].sort());
    const seqs = [...unique.values()].map((r) => r.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    console.log(
      `outbox: ${expected.length} notified events, ${mine.length} deliveries (${mine.length - unique.size} redelivered) across 2 kill -9s`,
    );
  });
});
