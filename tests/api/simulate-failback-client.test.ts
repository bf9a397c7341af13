import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Issue 20 (2): in sim mode, POST /executions/{id}/simulate-failback-client boots the failback client(s) a
 * FAILBACK waits for, as the operator would at the data centre. Demo failback clients off, so nothing else does.
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };

interface Detail {
  status: string;
  waves: Array<{
    name: string;
    servers: Array<{
      sourceServerId: string;
      hostname: string;
      launchStatus: string;
      error?: string;
      failback?: { phase: string; drsState?: string; recoveryInstanceId?: string };
    }>;
  }>;
}

describe("POST /executions/{id}/simulate-failback-client", { timeout: 240_000 }, () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ DRSO_SIM_TIME_SCALE: "0.002", DRSO_SIM_AUTO_FAILBACK: "off" });
    const settings = await t.admin.put("/config/settings", { pollIntervalSeconds: 2 });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    // Re-sync back to the data centre in seconds once a client connects (it never connects by itself here).
    t.server.simulator!.control.setConfig({ failbackBandwidthMbps: 100_000 });
  }, 120_000);
  afterAll(async () => t?.close());

  const detail = async (id: string) => (await t.admin.get<Detail>(`/executions/${id}`)).body;
  const ended = (id: string) =>
    waitFor(
      `execution ${id} to end`,
      async () => {
        const d = await detail(id);
        return ["COMPLETED", "FAILED", "CANCELLED"].includes(d.status) ? d : undefined;
      },
      120_000,
      500,
    );

  it("connects the failback client the execution waits for; the failback then completes", async () => {
    const g = await t.admin.post<{ groupId: string }>("/protection-groups", {
      name: "billing-db",
      ...PROD,
      serverSelectionTags: { App: "billing", Tier: "db", Environment: "prod" },
    });
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    const plan = await t.admin.post<{ planId: string }>("/recovery-plans", {
      name: "Billing",
      waves: [{ name: "Database", protectionGroupIds: [g.body.groupId] }],
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const start = async (body: object) => {
      const r = await t.admin.post<{ executionId: string }>(
        `/recovery-plans/${plan.body.planId}/execute`,
        body,
      );
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      return r.body.executionId;
    };
    const recovery = await start({ executionType: "RECOVERY", confirm: "Billing" });
    expect((await ended(recovery)).status).toBe("COMPLETED");
    const notFailback = await t.admin.post(`/executions/${recovery}/simulate-failback-client`);
    expect(notFailback.status, JSON.stringify(notFailback.body)).toBe(409);
    expect(notFailback.body).toMatchObject({ code: "NOT_A_FAILBACK" });

    const failback = await start({ executionType: "FAILBACK" });
    const waiting = await waitFor(
      "the failback to wait for its client",
      async () => {
        const d = await detail(failback);
        return d.waves[0]?.servers[0]?.failback?.phase === "waiting-client" ? d : undefined;
      },
      60_000,
      500,
    );
    const server = waiting.waves[0]!.servers[0]!;
    const path = `/executions/${failback}/simulate-failback-client`;

    const viewer = await t.as("DRSViewer");
    const denied = await viewer.api.post(path);
    expect(denied.status, JSON.stringify(denied.body)).toBe(403);
    const bad = await t.admin.post(path, { serverId: "web-01" });
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    const other = await t.admin.post(path, { serverId: "s-0000000000000000a" });
    expect(other.status, JSON.stringify(other.body)).toBe(404);
    expect(other.body).toMatchObject({ code: "SERVER_NOT_IN_EXECUTION" });
    // Still waiting: nothing above connected a client.
    expect((await detail(failback)).waves[0]!.servers[0]!.failback?.phase).toBe("waiting-client");

    const operator = await t.as("DRSOperator");
    const connected = await operator.api.post(path, { serverId: server.sourceServerId });
    expect(connected.status, JSON.stringify(connected.body)).toBe(200);
    expect(connected.body).toEqual({
      executionId: failback,
      connected: [
        {
          sourceServerId: server.sourceServerId,
          hostname: "db-billing-01",
          waveName: "Database",
          recoveryInstanceId: server.failback!.recoveryInstanceId,
        },
      ],
    });

    const done = await ended(failback);
    const s = done.waves[0]!.servers[0]!;
    expect(done.status, JSON.stringify(s)).toBe("COMPLETED");
    expect(s.failback?.phase).toBe("done");
    const again = await t.admin.post(path);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "INVALID_STATE" });

    const audit = await t.admin.get<{ items: Array<Record<string, unknown>> }>(
      `/audit?action=execution.simulate-failback-client&targetId=${failback}`,
    );
    expect(audit.status, JSON.stringify(audit.body)).toBe(200);
    expect(audit.body.items.map((i) => [i.outcome, (i.actor as { email?: string }).email])).toContainEqual([
      "success",
      operator.email,
    ]);
  });

  it("a failback client whose replication fails ends the failback with DRS's reason, naming the instance", async () => {
    const g = await t.admin.post<{ groupId: string }>("/protection-groups", {
      name: "crm-db",
      ...PROD,
      serverSelectionTags: { App: "crm", Tier: "db" },
    });
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    const plan = await t.admin.post<{ planId: string }>("/recovery-plans", {
      name: "CRM",
      waves: [{ name: "Database", protectionGroupIds: [g.body.groupId] }],
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const start = async (body: object) => {
      const r = await t.admin.post<{ executionId: string }>(
        `/recovery-plans/${plan.body.planId}/execute`,
        body,
      );
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      return r.body.executionId;
    };
    expect((await ended(await start({ executionType: "RECOVERY", confirm: "CRM" }))).status).toBe(
      "COMPLETED",
    );
    t.server.simulator!.control.setConfig({ failbackErrorProbability: 1 });
    try {
      const failback = await start({ executionType: "FAILBACK" });
      await waitFor(
        "the failback to wait for its client",
        async () =>
          (await detail(failback)).waves[0]?.servers[0]?.failback?.phase === "waiting-client"
            ? true
            : undefined,
        60_000,
        500,
      );
      const r = await t.admin.post(`/executions/${failback}/simulate-failback-client`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const done = await ended(failback);
      const s = done.waves[0]!.servers[0]!;
      expect(done.status, JSON.stringify(s)).toBe("FAILED");
      expect(s.error).toContain(
        `DRS reports FAILBACK_ERROR for recovery instance ${s.failback?.recoveryInstanceId}`,
      );
      expect(s.failback).toMatchObject({ phase: "failed", drsState: "FAILBACK_ERROR" });
    } finally {
      t.server.simulator!.control.setConfig({ failbackErrorProbability: 0 });
    }
  });

  it("is 404 NOT_SIM_MODE against real DRS", async () => {
    const aws = await startTestServer({ DRSO_DRS_MODE: "aws", DRSO_ENGINE: "off" });
    try {
      const r = await aws.admin.post(`/executions/${crypto.randomUUID()}/simulate-failback-client`);
      expect(r.status, JSON.stringify(r.body)).toBe(404);
      expect(r.body).toMatchObject({ code: "NOT_SIM_MODE" });
    } finally {
      await aws.close();
    }
  });
});
