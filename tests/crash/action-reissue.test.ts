import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/api-client.js";
import { createPlan, startExecution, startProduct, tierGroup } from "../support/scenario.js";

/**
 * Issue 13 item 5: an action whose answer is lost is not re-run blindly. A POST runbook hook is in flight when the
 * orchestrator is killed (-9); after the restart the engine issues it again with the same Idempotency-Key (derived
 * from execution and action, so it survives the restart), records that it did, and the action completes once.
 * The product, the simulator and the hook each run as they would for a user: separate processes/servers.
 */
describe("an HTTP action across kill -9", { timeout: 180_000 }, () => {
  let product: Awaited<ReturnType<typeof startProduct>>;
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
    product = await startProduct({ timeScale: 0.02, prefix: "drso-action-" });
  }, 120_000);

  afterAll(async () => {
    for (const c of calls) if (!c.res.writableEnded) c.res.destroy();
    await product?.close();
    await new Promise<void>((resolve) => hook?.close(() => resolve()));
  });

  it("issues the lost call again with the same Idempotency-Key and completes the action once", async () => {
    let api = await product.admin();
    expect((await api.put("/config/settings", { httpActionAllowedHosts: ["127.0.0.1"] })).status).toBe(200);
    const groupId = await tierGroup(api, "db");
    const planId = await createPlan(api, {
      name: "Orders",
      waves: [
        {
          name: "db",
          protectionGroupIds: [groupId],
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
    const id = await startExecution(api, planId);

    await waitFor("the hook to be called", async () => (calls.length === 1 ? true : undefined), 30_000, 50);
    await product.crashAndRestart();
    api = await product.admin();

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
