import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, waitFor } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Issue 20: RECOVERY → FAILBACK through the HTTP API of the local product as `npm start` runs it (SQLite file,
 * embedded simulator with its demo failback clients, real clock at a small time scale), nobody touching the
 * simulator: an on-premises-origin wave and an EC2-origin wave, in plan order and reversed (reverseWaveOrder).
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };

interface Detail {
  status: string;
  options?: { reverseWaveOrder: boolean };
  waves: Array<{
    name: string;
    status: string;
    startTime?: string;
    endTime?: string;
    servers: Array<{
      hostname: string;
      launchStatus: string;
      recoveryInstanceId?: string;
      error?: string;
      failback?: { origin: string; phase: string; drsState?: string };
    }>;
  }>;
}

describe("FAILBACK end to end on the demo fleet", { timeout: 300_000 }, () => {
  let t: TestServer;
  let admin: ApiClient;
  const groups: string[] = [];

  beforeAll(async () => {
    t = await startTestServer({ DRSO_SIM_TIME_SCALE: "0.002" });
    admin = t.admin;
    // The engine polls on the real clock: its shortest interval keeps the test short (DRS runs 500x faster).
    const settings = await admin.put("/config/settings", { pollIntervalSeconds: 2 });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    for (const [name, tags] of [
      ["billing-db", { App: "billing", Tier: "db", Environment: "prod" }],
      ["inventory", { App: "inventory" }],
    ] as const) {
      const g = await admin.post<{ groupId: string }>("/protection-groups", {
        name,
        ...PROD,
        serverSelectionTags: tags,
      });
      expect(g.status, JSON.stringify(g.body)).toBe(201);
      groups.push(g.body.groupId);
    }
  }, 120_000);
  afterAll(async () => t?.close());

  async function run(planId: string, body: Record<string, unknown>): Promise<Detail> {
    const started = await admin.post<{ executionId: string }>(`/recovery-plans/${planId}/execute`, body);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const id = started.body.executionId;
    return waitFor(
      `execution ${id} (${String(body.executionType)}) to end`,
      async () => {
        const d = (await admin.get<Detail>(`/executions/${id}`)).body;
        return ["COMPLETED", "FAILED", "CANCELLED"].includes(d.status) ? d : undefined;
      },
      240_000,
      500,
    );
  }

  for (const order of ["plan order", "reversed"] as const) {
    it(`recovers, then fails every server back (${order})`, async () => {
      const waves = [
        { name: "Database", protectionGroupIds: [groups[0]] },
        { name: "Inventory", protectionGroupIds: [groups[1]] },
      ];
      const name = `Billing ${order}`;
      const plan = await admin.post<{ planId: string }>("/recovery-plans", { name, waves });
      expect(plan.status).toBe(201);
      const recovery = await run(plan.body.planId, { executionType: "RECOVERY", confirm: name });
      expect(recovery.status).toBe("COMPLETED");

      const failback = await run(plan.body.planId, {
        executionType: "FAILBACK",
        reverseWaveOrder: order === "reversed",
      });
      const servers = failback.waves.flatMap((w) => w.servers);
      expect(
        failback.status,
        JSON.stringify(servers.map((s) => [s.hostname, s.launchStatus, s.failback, s.error])),
      ).toBe("COMPLETED");
      expect(servers.map((s) => s.failback?.origin).sort()).toEqual(["AWS", "AWS", "ON_PREMISES"]);
      for (const s of servers) expect(s.failback?.phase, s.hostname).toBe("done");
      // The waves failed back one after the other, in plan order or (reverseWaveOrder) the last one first.
      expect(failback.options?.reverseWaveOrder).toBe(order === "reversed");
      const wave = (n: string) => failback.waves.find((w) => w.name === n)!;
      const [first, second] = order === "reversed" ? ["Inventory", "Database"] : ["Database", "Inventory"];
      expect(Date.parse(wave(first).endTime!)).toBeLessThanOrEqual(Date.parse(wave(second).startTime!));
    });
  }
});
