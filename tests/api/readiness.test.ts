import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, waitFor } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Plan readiness over HTTP against the real product (SQLite + the DRS simulator): each check turns the plan
 * NOT_READY or WARNINGS through the simulator or the settings, and undoing the cause brings it back to READY.
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };

interface Finding {
  check: string;
  severity: string;
  waveName?: string;
  sourceServerId?: string;
  hostname?: string;
  message: string;
  fix: string;
}
interface Readiness {
  planId: string;
  status: "READY" | "WARNINGS" | "NOT_READY";
  evaluatedAt: string;
  serverCount: number;
  checks: Finding[];
  notApplicable: Array<{ check: string; reason: string }>;
}

describe("plan readiness", { timeout: 240_000 }, () => {
  let t: TestServer;
  let admin: ApiClient;
  let planId: string;
  let web01: string;

  const check = async () => {
    const r = await admin.post<Readiness>(`/recovery-plans/${planId}/readiness`, {});
    expect(r.status).toBe(200);
    return r.body;
  };
  const sim = () => t.server.simulator!.control;

  async function drill() {
    const started = await admin.post<{ executionId: string }>(`/recovery-plans/${planId}/execute`, {
      executionType: "DRILL",
    });
    expect(started.status).toBe(202);
    await waitFor("the drill to complete", async () => {
      const e = await admin.get<{ status: string }>(`/executions/${started.body.executionId}`);
      if (e.body.status === "FAILED" || e.body.status === "CANCELLED")
        throw new Error(JSON.stringify(e.body));
      return e.body.status === "COMPLETED" ? true : undefined;
    });
  }

  beforeAll(async () => {
    t = await startTestServer({ DRSO_SIM_TIME_SCALE: "0.01" });
    admin = t.admin;
    const g = await admin.post<{ groupId: string }>("/protection-groups", {
      name: "ready-web",
      ...PROD,
      serverSelectionTags: { App: "orders", Tier: "web", Environment: "prod" },
    });
    expect(g.status).toBe(201);
    const plan = await admin.post<{ planId: string }>("/recovery-plans", {
      name: "ready",
      rpoSeconds: 3600,
      waves: [{ name: "web", protectionGroupIds: [g.body.groupId] }],
    });
    expect(plan.status).toBe(201);
    planId = plan.body.planId;
    const servers = await admin.get<{ items: Array<{ sourceServerId: string; hostname: string }> }>(
      `/drs/source-servers?region=${PROD.region}&accountId=${PROD.accountId}&refresh=true`,
    );
    web01 = servers.body.items.find((s) => s.hostname === "web-orders-01")!.sourceServerId;
  }, 120_000);
  afterAll(async () => t?.close());

  it("warns that a plan was never drilled, and is READY after a successful drill", async () => {
    const first = await admin.get<Readiness>(`/recovery-plans/${planId}/readiness`);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe("WARNINGS");
    expect(first.body.checks.map((c) => c.check)).toEqual(["drill-age"]);
    expect(first.body.serverCount).toBe(2);
    expect(first.body.notApplicable.map((n) => n.check)).toEqual(["ssm-documents"]);
    await drill();
    const after = await check();
    expect(after.checks).toEqual([]);
    expect(after.status).toBe("READY");
  });

  it("a stalled server makes the plan NOT_READY, naming server, wave and fix; replicating again makes it READY", async () => {
    sim().setSourceServerState(web01, { state: "STALLED", error: "AGENT_NOT_SEEN" });
    const r = await check();
    expect(r.status).toBe("NOT_READY");
    const f = r.checks.find((c) => c.check === "replication-state")!;
    expect(f).toMatchObject({
      severity: "error",
      sourceServerId: web01,
      hostname: "web-orders-01",
      waveName: "web",
    });
    expect(f.message).toContain("STALLED");
    expect(f.fix.length).toBeGreaterThan(10);
    sim().setSourceServerState(web01, { state: "CONTINUOUS" });
    expect((await check()).status).toBe("READY");
  });

  it("lag beyond the plan's RPO makes it NOT_READY, and READY once replication caught up", async () => {
    sim().setSourceServerState(web01, { state: "BACKLOG", lagSeconds: 7200, backlogBytes: 1e9 });
    const r = await check();
    expect(r.status).toBe("NOT_READY");
    expect(r.checks.map((c) => `${c.check}:${c.severity}:${c.hostname}`)).toContain(
      "replication-lag:error:web-orders-01",
    );
    sim().setSourceServerState(web01, { state: "CONTINUOUS" });
    expect((await check()).status).toBe("READY");
  });

  it("a server without recovery snapshots makes it NOT_READY, and READY when DRS has them again", async () => {
    sim().setConfig({ servers: { [web01]: { noSnapshots: true } } });
    const r = await check();
    expect(r.status).toBe("NOT_READY");
    expect(r.checks.map((c) => `${c.check}:${c.sourceServerId}`)).toEqual([`snapshot-age:${web01}`]);
    sim().setConfig({ servers: { [web01]: null } });
    expect((await check()).status).toBe("READY");
  });

  it("a launch configuration DRS will not show is a warning naming the permission, and READY once readable", async () => {
    sim().setConfig({ accessDenied: { GetLaunchConfiguration: true } });
    try {
      const r = await check();
      expect(r.status).toBe("WARNINGS");
      expect(r.checks.map((c) => `${c.check}:${c.severity}`)).toEqual([
        "launch-configuration:warning",
        "launch-configuration:warning",
      ]);
      expect(r.checks[0]!.fix).toContain("drs:GetLaunchConfiguration");
    } finally {
      sim().setConfig({ accessDenied: { GetLaunchConfiguration: null } });
    }
    expect((await check()).status).toBe("READY");
  });

  it("DRS quotas the largest wave exceeds make it NOT_READY; the change is evaluated without asking", async () => {
    const put = await admin.put("/config/settings", { quotas: { serversPerJob: 1, concurrentJobs: 1 } });
    expect(put.status).toBe(200);
    // The settings change triggers an evaluation in the background.
    await waitFor(
      "readiness after the settings change",
      async () => {
        const r = await admin.get<Readiness>(`/recovery-plans/${planId}/readiness`);
        return r.body.status === "NOT_READY" ? r.body : undefined;
      },
      30_000,
    );
    const r = await check();
    expect(r.checks.map((c) => `${c.check}:${c.severity}`)).toEqual([
      "quota-servers-per-job:warning",
      "quota-concurrent-jobs:error",
    ]);
    expect(r.checks[1]!.message).toContain("needs 2 concurrent DRS jobs");
    expect(
      (await admin.put("/config/settings", { quotas: { serversPerJob: 100, concurrentJobs: 20 } })).status,
    ).toBe(200);
    expect((await check()).status).toBe("READY");
  });

  it("an account whose DRS denies access makes it NOT_READY naming the account; READY when access is back", async () => {
    sim().setConfig({ accessDenied: { "*": true } });
    try {
      const r = await check();
      expect(r.status).toBe("NOT_READY");
      expect(r.checks[0]).toMatchObject({ check: "account-access", severity: "error" });
      expect(r.checks[0]!.message).toContain(PROD.accountId);
    } finally {
      sim().setConfig({ accessDenied: { "*": null } });
    }
    expect((await check()).status).toBe("READY");
  });

  it("a server the tags select since the last drill is a warning until the plan is drilled again", async () => {
    sim().seedSourceServers({
      ...PROD,
      servers: [
        {
          hostname: "web-orders-03",
          tags: { App: "orders", Tier: "web", Environment: "prod" },
          state: "CONTINUOUS",
          snapshotsHistoryHours: 48,
        },
      ],
    });
    const r = await check();
    expect(r.status).toBe("WARNINGS");
    expect(r.checks.map((c) => `${c.check}:${c.hostname}`)).toEqual(["selection-changed:web-orders-03"]);
    await drill();
    expect((await check()).status).toBe("READY");
  });

  it("a server that another plan also recovers is a warning until that plan is gone", async () => {
    const groups = await admin.get<{ items: Array<{ groupId: string; name: string }> }>("/protection-groups");
    const web = groups.body.items.find((g) => g.name === "ready-web")!.groupId;
    const other = await admin.post<{ planId: string }>("/recovery-plans", {
      name: "ready-other",
      waves: [{ name: "again", protectionGroupIds: [web] }],
    });
    expect(other.status).toBe(201);
    const r = await check();
    expect(r.status).toBe("WARNINGS");
    const conflicts = r.checks.filter((c) => c.check === "plan-conflict");
    expect(conflicts.map((c) => c.hostname).sort()).toEqual([
      "web-orders-01",
      "web-orders-02",
      "web-orders-03",
    ]);
    expect(conflicts[0]!.message).toContain("'ready-other'");
    expect((await admin.del(`/recovery-plans/${other.body.planId}`)).status).toBe(204);
    expect((await check()).status).toBe("READY");
  });

  it("keeps the history of changes, audits and lists them", async () => {
    const h = await admin.get<{ items: Array<{ previous: string | null; status: string }> }>(
      `/recovery-plans/${planId}/readiness/history`,
    );
    expect(h.status).toBe(200);
    const pairs = h.body.items.map((i) => `${i.previous}->${i.status}`).reverse();
    expect(pairs.slice(0, 3)).toEqual(["null->WARNINGS", "WARNINGS->READY", "READY->NOT_READY"]);
    expect(pairs.at(-1)).toBe("WARNINGS->READY");
    const audit = await admin.get<{ items: Array<{ action: string; targetId?: string }> }>(
      "/audit?action=recovery-plan.readiness-changed",
    );
    expect(audit.body.items.filter((a) => a.targetId === planId).length).toBe(pairs.length - 1);
    const list = await admin.get<{ items: Array<{ planId: string; readiness?: { status: string } }> }>(
      "/recovery-plans",
    );
    expect(list.body.items.find((p) => p.planId === planId)?.readiness?.status).toBe("READY");
  });

  it("answers 404 for an unknown plan and 400 for a malformed ID", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const path of [
      `/recovery-plans/${unknown}/readiness`,
      `/recovery-plans/${unknown}/readiness/history`,
    ]) {
      const r = await admin.get<{ code: string }>(path);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe("RECOVERY_PLAN_NOT_FOUND");
    }
    expect((await admin.post(`/recovery-plans/${unknown}/readiness`, {})).status).toBe(404);
    const bad = await admin.get<{ code: string }>("/recovery-plans/not-a-uuid/readiness");
    expect(bad.status).toBe(400);
  });
});
