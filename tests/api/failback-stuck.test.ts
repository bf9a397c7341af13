import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, apiClient, login, waitFor } from "../support/api-client.js";
import { JumpClock } from "../support/jump-clock.js";
import { ADMIN, startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Issue 20 (3): a failback that cannot progress ends within its allowance with a reason per server. The demo's
 * failback clients are off (DRSO_SIM_AUTO_FAILBACK=off), so nothing ever connects one; the orchestrator's clock
 * is moved past the allowance instead of waiting an hour.
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };

interface Detail {
  status: string;
  failbackAllowanceSeconds?: number;
  waves: Array<{
    name: string;
    status: string;
    error?: string;
    timeoutSeconds?: number;
    failbackAllowanceSeconds?: number;
    deadlineAt?: string;
    servers: Array<{
      hostname: string;
      launchStatus: string;
      recoveryInstanceId?: string;
      error?: string;
      failback?: { origin: string; phase: string; drsState?: string; recoveryInstanceId?: string };
    }>;
  }>;
}

describe("a FAILBACK whose failback client never connects", { timeout: 240_000 }, () => {
  let t: TestServer;
  const clock = new JumpClock();

  beforeAll(async () => {
    t = await startTestServer({ DRSO_SIM_TIME_SCALE: "0.002", DRSO_SIM_AUTO_FAILBACK: "off" }, { clock });
    const settings = await t.admin.put("/config/settings", {
      pollIntervalSeconds: 2,
      failbackReplicationTimeoutHours: 1,
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    expect(settings.body).toMatchObject({ failbackReplicationTimeoutHours: 1 });
  }, 120_000);
  afterAll(async () => t?.close());

  let api: ApiClient;
  const detail = async (id: string) => {
    const r = await (api ?? t.admin).get<Detail>(`/executions/${id}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };

  it("ends FAILED within the allowance frozen at its start, naming the server and the recovery instance", async () => {
    const g = await t.admin.post<{ groupId: string }>("/protection-groups", {
      name: "billing-db",
      ...PROD,
      serverSelectionTags: { App: "billing", Tier: "db", Environment: "prod" },
    });
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    const plan = await t.admin.post<{ planId: string }>("/recovery-plans", {
      name: "Billing",
      waves: [{ name: "Database", protectionGroupIds: [g.body.groupId], timeoutSeconds: 600 }],
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
    await waitFor(
      "the recovery to complete",
      async () => {
        const d = await detail(recovery);
        expect(["PENDING", "RUNNING", "COMPLETED"], JSON.stringify(d.waves)).toContain(d.status);
        return d.status === "COMPLETED" ? d : undefined;
      },
      120_000,
      500,
    );

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
    expect(waiting.failbackAllowanceSeconds).toBe(3600);
    // The allowance is visible, not hidden inside the deadline: on the wave, with the deadline it makes, and on the plan.
    expect(waiting.waves[0]).toMatchObject({ timeoutSeconds: 600, failbackAllowanceSeconds: 3600 });
    const startedLaunch = Date.parse(waiting.waves[0]!.deadlineAt!) - (600 + 3600) * 1000;
    expect(Math.abs(startedLaunch - clock.now())).toBeLessThan(120_000);
    const planView = await t.admin.get<{ failbackAllowanceSeconds: number }>(
      `/recovery-plans/${plan.body.planId}`,
    );
    expect(planView.body.failbackAllowanceSeconds).toBe(3600);
    const server = waiting.waves[0]!.servers[0]!;
    const instance = server.failback!.recoveryInstanceId!;
    expect(instance).toMatch(/^i-/);
    expect(server.failback?.drsState).toBe("FAILBACK_NOT_STARTED");

    // A settings change does not move a running failback's deadline.
    const longer = await t.admin.put("/config/settings", { failbackReplicationTimeoutHours: 720 });
    expect(longer.status, JSON.stringify(longer.body)).toBe(200);
    expect(longer.body).toMatchObject({ failbackReplicationTimeoutHours: 720 });
    expect((await detail(failback)).failbackAllowanceSeconds).toBe(3600);

    clock.jump((3600 + 600 + 60) * 1000);
    // The jump outlived the session's tokens: sign in again.
    api = apiClient(t.baseUrl, await login(t.baseUrl, ADMIN.email, ADMIN.password));
    const ended = await waitFor(
      "the failback to end",
      async () => {
        const d = await detail(failback);
        return ["COMPLETED", "FAILED", "CANCELLED"].includes(d.status) ? d : undefined;
      },
      30_000,
      250,
    );
    const wave = ended.waves[0]!;
    const s = wave.servers[0]!;
    const reason = `never saw the failback client of ${instance} for ${s.hostname}`;
    expect(ended.status, JSON.stringify(wave)).toBe("FAILED");
    expect(s.launchStatus).toBe("FAILED");
    expect(s.error).toContain(reason);
    expect(wave.error).toContain(reason);
    expect(wave.error).toContain("timed out after 600 s + 1 h failback replication allowance");
  });
});
