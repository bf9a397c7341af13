import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { NOTIFIED_EVENT_TYPES } from "@drso/app";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/api-client.js";
import { createPlan, startExecution, startProduct, tierGroup } from "../support/scenario.js";

/**
 * Issue 13 item 6: notifications are at least once. A drill runs with a webhook configured; the orchestrator is
 * killed (-9) twice while it runs and restarted on the same data folder. Every notified event the execution
 * recorded reaches the webhook, each with a unique `eventId`, numbered by `seq` 1, 2, … without a gap
 * (redeliveries carry the same id and seq, and are dropped by id here as a receiver would).
 */
describe("webhook notifications across two kill -9s", { timeout: 240_000 }, () => {
  let product: Awaited<ReturnType<typeof startProduct>>;
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
    product = await startProduct({ timeScale: 0.01, prefix: "drso-outbox-" });
  }, 120_000);

  afterAll(async () => {
    await product?.close();
    await new Promise<void>((resolve) => hook?.close(() => resolve()));
  });

  it("delivers every notified event, with unique ids and gapless seq", async () => {
    let api = await product.admin();
    const settings = await api.put("/config/settings", {
      webhooks: [{ url: `http://127.0.0.1:${hookPort}/drso` }],
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    const groups = [await tierGroup(api, "db"), await tierGroup(api, "app"), await tierGroup(api, "web")];
    const planId = await createPlan(api, {
      name: "Orders",
      waves: groups.map((id, i) => ({ name: `w${i + 1}`, protectionGroupIds: [id] })),
    });
    const id = await startExecution(api, planId);

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
      await product.crashAndRestart();
      api = await product.admin();
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
    const expected = events.body.items
      .filter((e) => NOTIFIED_EVENT_TYPES.has(e.type))
      .map((e) => `${id}:${e.seq}`);
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
