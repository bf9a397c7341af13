import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, waitFor } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * An administrator's way out of a stuck execution, over HTTP against the real product (SQLite + the DRS
 * simulator). The simulator's clock is held so that a DRS job stays running exactly as long as the test needs;
 * the engine is stopped to stand for an engine that no longer moves the execution on.
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };

interface Detail {
  status: string;
  error?: { code: string; message: string };
  waves: Array<{
    status: string;
    jobs: Array<{ jobId?: string; status: string }>;
    servers: Array<{ sourceServerId: string; launchStatus: string; recoveryInstanceId?: string }>;
  }>;
}

describe("POST /executions/{id}/force-end", { timeout: 180_000 }, () => {
  let t: TestServer;
  let admin: ApiClient;
  let executionId: string;

  beforeAll(async () => {
    t = await startTestServer({ DRSO_SIM_TIME_SCALE: "0.01" });
    admin = t.admin;
    const groups = [];
    for (const tier of ["db", "app"]) {
      const g = await admin.post<{ groupId: string }>("/protection-groups", {
        name: `stuck-${tier}`,
        ...PROD,
        serverSelectionTags: { App: "orders", Tier: tier },
      });
      expect(g.status).toBe(201);
      groups.push(g.body.groupId);
    }
    const plan = await admin.post<{ planId: string }>("/recovery-plans", {
      name: "stuck",
      waves: groups.map((g, i) => ({ name: `w${i}`, protectionGroupIds: [g] })),
    });
    expect(plan.status).toBe(201);
    // DRS time stands still: the first wave's job is created and stays running until the test moves the clock.
    t.server.simulator!.control.clock({ mode: "manual" });
    const started = await admin.post<{ executionId: string }>(`/recovery-plans/${plan.body.planId}/execute`, {
      executionType: "DRILL",
    });
    expect(started.status).toBe(202);
    executionId = started.body.executionId;
  }, 120_000);
  afterAll(async () => t?.close());

  const detail = async () => (await admin.get<Detail>(`/executions/${executionId}`)).body;

  it("is for administrators only, and needs a reason", async () => {
    const operator = await t.as("DRSOperator");
    const denied = await operator.api.post(`/executions/${executionId}/force-end`, { reason: "stuck" });
    expect(denied.status).toBe(403);
    const noReason = await admin.post<{ code: string }>(`/executions/${executionId}/force-end`, {});
    expect(noReason.status).toBe(400);
    const blank = await admin.post<{ code: string }>(`/executions/${executionId}/force-end`, {
      reason: "   ",
    });
    expect(blank.status).toBe(400);
  });

  it("refuses with 409 naming the DRS jobs that still run, and changes nothing", async () => {
    const jobId = await waitFor("the first wave's DRS job", async () => {
      const d = await detail();
      return d.waves[0]?.jobs.find((j) => j.jobId && j.status === "ACTIVE")?.jobId;
    });
    const refused = await admin.post<{ code: string; detail: string; jobs: Array<{ jobId: string }> }>(
      `/executions/${executionId}/force-end`,
      { reason: "looks stuck" },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("LIVE_DRS_JOBS");
    expect(refused.body.detail).toContain(jobId);
    expect(refused.body.jobs.map((j) => j.jobId)).toEqual([jobId]);
    expect((await detail()).status).toBe("RUNNING");
  });

  it("ends the execution once DRS has no running job of it, keeping what DRS launched and recording why", async () => {
    // The engine stops moving the execution on (as after the data-folder mix-up of issue 12), while DRS
    // finishes the job on its own.
    await t.server.driver.stop();
    t.server.simulator!.control.settle();
    const ended = await admin.post<{
      status: string;
      previousStatus: string;
      jobsChecked: Array<{ jobId: string; status: string }>;
      instancesKept: number;
    }>(`/executions/${executionId}/force-end`, {
      reason: "INC-4711: engine stopped after the data folder mix-up",
    });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    expect(ended.body).toMatchObject({ status: "CANCELLED", previousStatus: "RUNNING" });
    expect(ended.body.jobsChecked.map((j) => j.status)).toEqual(["COMPLETED"]);
    expect(ended.body.instancesKept).toBeGreaterThan(0);

    const d = await detail();
    expect(d.status).toBe("CANCELLED");
    expect(d.error).toMatchObject({ code: "FORCE_ENDED" });
    expect(d.error?.message).toContain("INC-4711");
    expect(d.error?.message).toContain("admin@example.com");
    // What DRS launched is recorded (and can be terminated); the wave that never started is cancelled.
    const first = d.waves[0]!;
    expect(first.servers.length).toBeGreaterThan(0);
    for (const s of first.servers) {
      expect(s.launchStatus).toBe("LAUNCHED");
      expect(s.recoveryInstanceId).toMatch(/^i-/);
    }
    expect(d.waves[1]!.status).toBe("CANCELLED");
    expect(d.waves[1]!.servers.every((s) => s.launchStatus === "CANCELLED")).toBe(true);

    const events = await admin.get<{
      items: Array<{ type: string; message: string; data?: { reason?: string } }>;
    }>(`/executions/${executionId}/events?limit=1000`);
    const forceEnded = events.body.items.find((e) => e.type === "execution.force-ended");
    expect(forceEnded?.data?.reason).toBe("INC-4711: engine stopped after the data folder mix-up");
    expect(forceEnded?.message).toContain("admin@example.com");

    const audit = await admin.get<{
      items: Array<{ outcome: string; targetId?: string; detail?: { reason?: string } }>;
    }>("/audit?action=execution.force-end");
    expect(audit.status).toBe(200);
    const ours = audit.body.items.filter((a) => a.targetId === executionId);
    expect(ours.find((a) => a.outcome === "success")?.detail?.reason).toContain("INC-4711");
    expect(ours.find((a) => a.outcome === "failure" && a.detail?.reason === "looks stuck")).toBeDefined();

    const again = await admin.post<{ code: string }>(`/executions/${executionId}/force-end`, {
      reason: "again",
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("INVALID_STATE");
  });

  it("the engine leaves the ended execution ended, and its drill instances can be terminated", async () => {
    t.server.simulator!.control.clock({ mode: "real" });
    t.server.driver.start();
    const accepted = await admin.post(`/executions/${executionId}/terminate-instances`, {});
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const termination = await waitFor("the termination", async () => {
      const r = await admin.get<{ status: string }>(`/executions/${executionId}/termination-status`);
      return r.body.status === "RUNNING" ? undefined : r.body.status;
    });
    expect(termination).toBe("COMPLETED");
    expect((await detail()).status).toBe("CANCELLED");
  });
});
