import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, waitFor } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Issue 17 item 2 over HTTP against the real product (SQLite + the DRS simulator, whose servers keep point-in-time
 * snapshots every 10 minutes): preview which snapshot each server would recover from, start a drill to a time
 * (each server launches from its newest snapshot at or before it, as DRS reports on the recovery instance),
 * explicit snapshot IDs, and the refusals that change nothing.
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };

interface Preview {
  at?: string;
  servers: Array<{
    sourceServerId: string;
    hostname: string;
    snapshotId?: string;
    takenAt?: string;
    ageSeconds?: number;
  }>;
  missing: string[];
}

describe("point-in-time recovery", { timeout: 240_000 }, () => {
  let t: TestServer;
  let admin: ApiClient;
  let planId: string;
  let servers: string[];

  const executions = async () => (await admin.get<{ items: unknown[] }>("/executions")).body.items.length;

  beforeAll(async () => {
    t = await startTestServer({ DRSO_SIM_TIME_SCALE: "0.01" });
    admin = t.admin;
    const g = await admin.post<{ groupId: string; servers: Array<{ sourceServerId: string }> }>(
      "/protection-groups",
      {
        name: "pit-orders-app",
        ...PROD,
        serverSelectionTags: { App: "orders", Tier: "app" },
      },
    );
    expect(g.status).toBe(201);
    servers = g.body.servers.map((s) => s.sourceServerId);
    expect(servers.length).toBe(2);
    const plan = await admin.post<{ planId: string }>("/recovery-plans", {
      name: "pit",
      waves: [{ name: "app", protectionGroupIds: [g.body.groupId] }],
    });
    expect(plan.status).toBe(201);
    planId = plan.body.planId;
  }, 120_000);
  afterAll(async () => t?.close());

  it("previews each server's newest snapshot and its age, and the one at or before a time", async () => {
    const latest = await admin.get<Preview>(`/recovery-plans/${planId}/point-in-time`);
    expect(latest.status).toBe(200);
    expect(latest.body.missing).toEqual([]);
    for (const s of latest.body.servers) {
      expect(s.snapshotId).toMatch(/^pit-[0-9a-zA-Z]{17}$/);
      expect(s.ageSeconds).toBeGreaterThanOrEqual(0);
    }
    const at = new Date(Date.parse(latest.body.servers[0]!.takenAt!) - 1).toISOString();
    const earlier = await admin.get<Preview>(
      `/recovery-plans/${planId}/point-in-time?at=${encodeURIComponent(at)}`,
    );
    expect(earlier.status).toBe(200);
    for (const s of earlier.body.servers) {
      expect(Date.parse(s.takenAt!)).toBeLessThanOrEqual(Date.parse(at));
    }
    expect(earlier.body.servers[0]!.snapshotId).not.toBe(latest.body.servers[0]!.snapshotId);
    const bad = await admin.get<{ code: string }>(`/recovery-plans/${planId}/point-in-time?at=yesterday`);
    expect(bad.status).toBe(400);
  });

  it("refuses a time before any snapshot, naming every server, a future time and unknown snapshots; nothing starts", async () => {
    const before = await executions();
    const tooEarly = await admin.post<{
      code: string;
      detail: string;
      servers: Array<{ sourceServerId: string }>;
    }>(`/recovery-plans/${planId}/execute`, { executionType: "DRILL", pointInTime: "2020-01-01T00:00:00Z" });
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.code).toBe("NO_SNAPSHOT_AT_POINT_IN_TIME");
    expect(tooEarly.body.servers.map((s) => s.sourceServerId).sort()).toEqual([...servers].sort());
    expect(tooEarly.body.detail).toContain("app-orders-01");
    const future = await admin.post<{ code: string }>(`/recovery-plans/${planId}/execute`, {
      executionType: "DRILL",
      pointInTime: "2999-01-01T00:00:00Z",
    });
    expect(future.status).toBe(400);
    expect(future.body.code).toBe("POINT_IN_TIME_IN_FUTURE");
    const malformed = await admin.post(`/recovery-plans/${planId}/execute`, {
      executionType: "DRILL",
      pointInTime: "last tuesday",
    });
    expect(malformed.status).toBe(400);
    const unknown = await admin.post<{ code: string }>(`/recovery-plans/${planId}/execute`, {
      executionType: "DRILL",
      pointInTime: { snapshotIds: { [servers[0]!]: "pit-00000000000000000" } },
    });
    expect(unknown.status).toBe(409);
    expect(unknown.body.code).toBe("SNAPSHOT_NOT_FOUND");
    const stranger = await admin.post<{ code: string }>(`/recovery-plans/${planId}/execute`, {
      executionType: "DRILL",
      pointInTime: { snapshotIds: { "s-0000000000000dead": "pit-00000000000000000" } },
    });
    expect(stranger.status).toBe(400);
    // One server without snapshots: refused, naming only it.
    t.server.simulator!.control.setConfig({ servers: { [servers[1]!]: { noSnapshots: true } } });
    try {
      const oneMissing = await admin.post<{ code: string; servers: Array<{ sourceServerId: string }> }>(
        `/recovery-plans/${planId}/execute`,
        { executionType: "DRILL", pointInTime: new Date(Date.now() - 60_000).toISOString() },
      );
      expect(oneMissing.status).toBe(409);
      expect(oneMissing.body.servers.map((s) => s.sourceServerId)).toEqual([servers[1]]);
    } finally {
      t.server.simulator!.control.setConfig({ servers: { [servers[1]!]: null } });
    }
    const failback = await admin.post(`/recovery-plans/${planId}/execute`, {
      executionType: "FAILBACK",
      pointInTime: "2020-01-01T00:00:00Z",
    });
    expect(failback.status).toBe(400);
    expect(await executions()).toBe(before);
  });

  it("recovers each server from its newest snapshot at or before the time, frozen into the execution", async () => {
    const latest = await admin.get<Preview>(`/recovery-plans/${planId}/point-in-time`);
    const at = new Date(Date.parse(latest.body.servers[0]!.takenAt!) - 1).toISOString();
    const preview = (
      await admin.get<Preview>(`/recovery-plans/${planId}/point-in-time?at=${encodeURIComponent(at)}`)
    ).body;
    const started = await admin.post<{ executionId: string }>(`/recovery-plans/${planId}/execute`, {
      executionType: "DRILL",
      pointInTime: at,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const id = started.body.executionId;
    const d = await waitFor("the drill to end", async () => {
      const x = (
        await admin.get<{
          status: string;
          pointInTime: { mode: string; at?: string };
          waves: Array<{
            servers: Array<{
              sourceServerId: string;
              launchStatus: string;
              recoveryInstanceId?: string;
              snapshot?: { snapshotId: string; takenAt: string };
            }>;
          }>;
        }>(`/executions/${id}`)
      ).body;
      return ["COMPLETED", "FAILED"].includes(x.status) ? x : undefined;
    });
    expect(d.status).toBe("COMPLETED");
    expect(d.pointInTime).toEqual({ mode: "time", at });
    const state = t.server.simulator!.control.state();
    const instances = state.regions.flatMap((r) => r.recoveryInstances) as Array<{
      recoveryInstanceID: string;
      pointInTimeSnapshotDateTime?: string;
    }>;
    for (const s of d.waves[0]!.servers) {
      const expected = preview.servers.find((p) => p.sourceServerId === s.sourceServerId)!;
      expect(s.snapshot).toEqual({ snapshotId: expected.snapshotId, takenAt: expected.takenAt });
      expect(s.launchStatus).toBe("LAUNCHED");
      // DRS (the simulator) says which point in time the instance was launched from.
      const instance = instances.find((i) => i.recoveryInstanceID === s.recoveryInstanceId)!;
      expect(instance.pointInTimeSnapshotDateTime).toBe(expected.takenAt);
    }
    const report = await admin.get<string>(`/executions/${id}/report?format=markdown`);
    expect(String(report.body)).toContain(`latest snapshot at or before ${at}`);
    expect(String(report.body)).toContain(preview.servers[0]!.snapshotId!);
    await admin.post(`/executions/${id}/terminate-instances`, {});
  });

  it("launches from explicit snapshot IDs (the others from the latest data)", async () => {
    const latest = (await admin.get<Preview>(`/recovery-plans/${planId}/point-in-time`)).body;
    const at = new Date(Date.parse(latest.servers[0]!.takenAt!) - 1).toISOString();
    const older = (
      await admin.get<Preview>(`/recovery-plans/${planId}/point-in-time?at=${encodeURIComponent(at)}`)
    ).body.servers[0]!;
    const started = await admin.post<{ executionId: string }>(`/recovery-plans/${planId}/execute`, {
      executionType: "DRILL",
      pointInTime: { snapshotIds: { [older.sourceServerId]: older.snapshotId } },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const d = await waitFor("the drill to end", async () => {
      const x = (
        await admin.get<{
          status: string;
          pointInTime: { mode: string };
          waves: Array<{ servers: Array<{ sourceServerId: string; snapshot?: { snapshotId: string } }> }>;
        }>(`/executions/${started.body.executionId}`)
      ).body;
      return ["COMPLETED", "FAILED"].includes(x.status) ? x : undefined;
    });
    expect(d.status).toBe("COMPLETED");
    expect(d.pointInTime.mode).toBe("snapshots");
    const chosen = d.waves[0]!.servers.find((s) => s.sourceServerId === older.sourceServerId)!;
    expect(chosen.snapshot?.snapshotId).toBe(older.snapshotId);
    expect(d.waves[0]!.servers.filter((s) => s.snapshot).length).toBe(1);
  });
});
