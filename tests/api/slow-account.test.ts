import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Issue 13 item 8: one slow DRS call delays nobody else. Every DRS call in account 111122223333 takes 12 s
 * (simulator latency for that account only); a drill there and a drill in account 444455556666 start together.
 * The second drill completes while the first still waits for its StartRecovery answer.
 */
const SLOW = { accountId: "111122223333", region: "us-east-1" };
const FAST = { accountId: "444455556666", region: "us-east-1" };

interface Detail {
  status: string;
  waves: Array<{ status: string; jobs: Array<{ status: string; jobId?: string }> }>;
}

describe("executions in different accounts step concurrently", { timeout: 180_000 }, () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ DRSO_SIM_TIME_SCALE: "0.002" });
    const settings = await t.admin.put("/config/settings", { pollIntervalSeconds: 2 });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
  }, 120_000);
  afterAll(async () => t?.close());

  const plan = async (name: string, target: typeof SLOW, app: string) => {
    const g = await t.admin.post<{ groupId: string }>("/protection-groups", {
      name,
      ...target,
      serverSelectionTags: { App: app, Tier: "db", Environment: "prod" },
    });
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    const p = await t.admin.post<{ planId: string }>("/recovery-plans", {
      name,
      waves: [{ name: "Databases", protectionGroupIds: [g.body.groupId] }],
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    return p.body.planId;
  };
  const start = async (planId: string) => {
    const r = await t.admin.post<{ executionId: string }>(`/recovery-plans/${planId}/execute`, {
      executionType: "DRILL",
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    return r.body.executionId;
  };
  const detail = async (id: string) => (await t.admin.get<Detail>(`/executions/${id}`)).body;

  it("a drill in a fast account completes while a drill in a slow account waits for DRS", async () => {
    const slowPlan = await plan("billing-slow", SLOW, "billing");
    const fastPlan = await plan("payments-fast", FAST, "payments");
    t.server.simulator!.control.setConfig({
      operations: { [`${SLOW.accountId}:StartRecovery`]: { latencyMs: { median: 12_000, p95: 12_000 } } },
    });
    const slow = await start(slowPlan);
    // The slow drill's first StartRecovery is under way before the fast one starts.
    await new Promise((r) => setTimeout(r, 1_500));
    const fast = await start(fastPlan);
    const done = await waitFor(
      `drill ${fast} to end`,
      async () => {
        const d = await detail(fast);
        return ["COMPLETED", "FAILED", "CANCELLED"].includes(d.status) ? d : undefined;
      },
      60_000,
      200,
    );
    expect(done.status).toBe("COMPLETED");
    // Before, the driver stepped one execution at a time: the fast drill waited behind the slow call and
    // the slow drill had its DRS job by the time the fast one ended.
    const other = await detail(slow);
    const batch = other.waves[0]!.jobs[0];
    expect(batch?.status, "the slow drill still waits for its StartRecovery answer").toBe("LAUNCHING");
    expect(batch?.jobId).toBeUndefined();
    t.server.simulator!.control.setConfig({ operations: { [`${SLOW.accountId}:StartRecovery`]: null } });
    const slowDone = await waitFor(
      `drill ${slow} to end`,
      async () => {
        const d = await detail(slow);
        return ["COMPLETED", "FAILED", "CANCELLED"].includes(d.status) ? d : undefined;
      },
      90_000,
      500,
    );
    expect(slowDone.status).toBe("COMPLETED");
  });
});
