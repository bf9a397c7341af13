import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, waitFor } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * The execution report over HTTP (JSON and Markdown) after a drill that a person paused, resumed and approved:
 * every server with its account, region, recovery instance, times and outcome; every human action with its
 * comment; the RTO with and without the time spent waiting for people.
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };

interface Report {
  objectives: {
    rtoAchievedSeconds: number;
    humanSeconds: number;
    rtoAchievedWithoutHumanSeconds: number;
  };
  servers: Array<{
    hostname: string;
    sourceServerId: string;
    accountId: string;
    region: string;
    recoveryInstanceId?: string;
    startTime?: string;
    endTime?: string;
    outcome: string;
    wave: string;
  }>;
  humanActions: Array<{ by: string; action: string; subject?: string; comment?: string }>;
  pauses: Array<{ reason: string; from: string; to?: string }>;
}

describe("GET /executions/{id}/report", { timeout: 180_000 }, () => {
  let t: TestServer;
  let admin: ApiClient;
  let executionId: string;
  let operatorEmail = "";

  beforeAll(async () => {
    t = await startTestServer({ DRSO_SIM_TIME_SCALE: "0.01" });
    admin = t.admin;
    const groups = [];
    for (const tier of ["db", "app"]) {
      const g = await admin.post<{ groupId: string }>("/protection-groups", {
        name: `report-${tier}`,
        ...PROD,
        serverSelectionTags: { App: "orders", Tier: tier },
      });
      expect(g.status).toBe(201);
      groups.push(g.body.groupId);
    }
    const plan = await admin.post<{ planId: string }>("/recovery-plans", {
      name: "report",
      waves: [
        { name: "Databases", protectionGroupIds: [groups[0]] },
        {
          name: "Applications",
          protectionGroupIds: [groups[1]],
          pauseBefore: true,
          postActions: [{ type: "approval", name: "Smoke test signed off", message: "Check the app" }],
        },
      ],
    });
    expect(plan.status).toBe(201);
    const operator = await t.as("DRSOperator");
    operatorEmail = operator.email;
    const started = await operator.api.post<{ executionId: string }>(
      `/recovery-plans/${plan.body.planId}/execute`,
      { executionType: "DRILL", comment: "quarterly drill Q1" },
    );
    expect(started.status).toBe(202);
    executionId = started.body.executionId;
    const detail = async () =>
      (
        await admin.get<{
          status: string;
          waves: Array<{ actions: Array<{ actionId: string; status: string }> }>;
        }>(`/executions/${executionId}`)
      ).body;
    await waitFor("the pause before Applications", async () =>
      (await detail()).status === "PAUSED" ? true : undefined,
    );
    // A person's pause lasts a little while: human time.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await operator.api.post(`/executions/${executionId}/resume`)).status).toBe(202);
    const actionId = await waitFor("the approval", async () => {
      const d = await detail();
      return d.waves[1]?.actions.find((a) => a.status === "WAITING_APPROVAL")?.actionId;
    });
    await new Promise((r) => setTimeout(r, 1500));
    const approved = await admin.post(`/executions/${executionId}/approve`, {
      actionId,
      comment: "app answers on :443",
    });
    expect(approved.status).toBe(202);
    await waitFor("the end of the drill", async () =>
      (await detail()).status === "COMPLETED" ? true : undefined,
    );
  }, 150_000);
  afterAll(async () => t?.close());

  it("lists every server with account, region, recovery instance, times and outcome", async () => {
    const r = (await admin.get<Report>(`/executions/${executionId}/report`)).body;
    expect(r.servers.length).toBeGreaterThanOrEqual(2);
    expect(new Set(r.servers.map((s) => s.wave))).toEqual(new Set(["Databases", "Applications"]));
    for (const s of r.servers) {
      expect(s.accountId).toBe(PROD.accountId);
      expect(s.region).toBe(PROD.region);
      expect(s.outcome).toBe("LAUNCHED");
      expect(s.recoveryInstanceId).toMatch(/^i-/);
      expect(Date.parse(s.startTime!)).toBeLessThanOrEqual(Date.parse(s.endTime!));
    }
  });

  it("lists every human action with who did it and the comments", async () => {
    const r = (await admin.get<Report>(`/executions/${executionId}/report`)).body;
    const actions = r.humanActions.map((a) => `${a.action} by ${a.by}${a.comment ? `: ${a.comment}` : ""}`);
    expect(actions).toEqual([
      `started by ${operatorEmail}: quarterly drill Q1`,
      `resumed by ${operatorEmail}`,
      "approved by admin@example.com: app answers on :443",
    ]);
    expect(r.humanActions[2]!.subject).toContain("Smoke test signed off");
    expect(r.pauses.map((p) => p.reason)).toEqual(["pauseBefore", "approval"]);
  });

  it("gives the RTO with and without human time", async () => {
    const r = (await admin.get<Report>(`/executions/${executionId}/report`)).body;
    expect(r.objectives.humanSeconds).toBeGreaterThanOrEqual(2);
    expect(r.objectives.rtoAchievedWithoutHumanSeconds).toBe(
      r.objectives.rtoAchievedSeconds - r.objectives.humanSeconds,
    );
  });

  it("the Markdown report has the same content", async () => {
    const r = (await admin.get<Report>(`/executions/${executionId}/report`)).body;
    const md = await admin.get<string>(`/executions/${executionId}/report?format=markdown`);
    expect(md.status).toBe(200);
    for (const s of r.servers) {
      const row = md.body.split("\n").find((l) => l.includes(s.sourceServerId) && l.includes(s.outcome));
      expect(row, `a Markdown row for ${s.hostname}`).toBeDefined();
      expect(row).toContain(`${s.accountId}/${s.region}`);
      expect(row).toContain(s.recoveryInstanceId!);
      expect(row).toContain(s.startTime!);
    }
    expect(md.body).toContain("## Human actions");
    expect(md.body).toContain("app answers on :443");
    // The approval is a human action; it is listed once, not again under a second heading.
    expect(md.body.split("app answers on :443").length - 1).toBe(1);
    expect(md.body).toContain("quarterly drill Q1");
    expect(md.body).toContain("without human time");
  });
});
