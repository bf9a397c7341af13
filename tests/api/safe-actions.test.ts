import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, waitFor } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Issue 13 item 9 over HTTP against the real product: http actions do not reach loopback/private addresses
 * (checked on the resolved address) unless the host is allowed in the settings; viewers see no response
 * excerpt; approvals name who may decide them; four-eyes forbids approving your own execution's gate.
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };

interface Detail {
  status: string;
  waves: Array<{
    actions: Array<{ actionId: string; type: string; status: string; output?: string; error?: string }>;
  }>;
}

describe("safe http actions and approvals", { timeout: 240_000 }, () => {
  let t: TestServer;
  let admin: ApiClient;
  let target: Server;
  let port = 0;
  let hits = 0;
  let groupId = "";

  beforeAll(async () => {
    target = createServer((_req, res) => {
      hits++;
      res.end("internal-secret-banner");
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    port = (target.address() as AddressInfo).port;
    t = await startTestServer({ DRSO_SIM_TIME_SCALE: "0.01" });
    admin = t.admin;
    const g = await admin.post<{ groupId: string }>("/protection-groups", {
      name: "safe-db",
      ...PROD,
      serverSelectionTags: { App: "orders", Tier: "db" },
    });
    expect(g.status).toBe(201);
    groupId = g.body.groupId;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => target?.close(() => resolve()));
  });

  async function plan(name: string, preActions: unknown[]) {
    const p = await admin.post<{ planId: string }>("/recovery-plans", {
      name,
      waves: [{ name: "w", protectionGroupIds: [groupId], preActions }],
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    return p.body.planId;
  }
  async function start(planId: string, client: ApiClient = admin) {
    const started = await client.post<{ executionId: string }>(`/recovery-plans/${planId}/execute`, {
      executionType: "DRILL",
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    return started.body.executionId;
  }
  const detail = async (id: string, client: ApiClient = admin) =>
    (await client.get<Detail>(`/executions/${id}`)).body;
  const ended = (id: string) =>
    waitFor(`execution ${id} ends`, async () => {
      const d = await detail(id);
      return ["COMPLETED", "FAILED", "CANCELLED"].includes(d.status) ? d : undefined;
    });

  it("refuses a host that resolves to loopback, and calls it once allowed in the settings; viewers see no excerpt", async () => {
    // `localhost` is not a literal IP: only its resolved address tells that it is loopback.
    const planId = await plan("ssrf", [
      { type: "http", url: `http://localhost:${port}/health`, name: "probe" },
    ]);
    const refused = await ended(await start(planId));
    const action = refused.waves[0]!.actions[0]!;
    expect(refused.status).toBe("FAILED");
    expect(action.status).toBe("FAILED");
    expect(action.error).toMatch(/refused: localhost resolves to .*loopback.*httpActionAllowedHosts/);
    expect(hits).toBe(0);

    const literal = await plan("ssrf-literal", [
      { type: "http", url: "http://169.254.169.254/latest/meta-data/" },
    ]);
    const imds = (await ended(await start(literal))).waves[0]!.actions[0]!;
    expect(imds.error).toMatch(/169\.254\.169\.254 is a link-local/);

    const bad = await admin.put("/config/settings", { httpActionAllowedHosts: ["not a host"] });
    expect(bad.status).toBe(400);
    expect((bad.body as { code: string }).code).toBe("VALIDATION_FAILED");
    const allowed = await admin.put("/config/settings", { httpActionAllowedHosts: ["localhost"] });
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
    const okId = await start(planId);
    const ok = await ended(okId);
    expect(ok.status).toBe("COMPLETED");
    expect(hits).toBe(1);
    expect(ok.waves[0]!.actions[0]!.output).toContain("internal-secret-banner");

    const viewer = await t.as("DRSViewer");
    const seen = (await viewer.api.get<Detail>(`/executions/${okId}`)).body;
    expect(seen.waves[0]!.actions[0]!.status).toBe("SUCCEEDED");
    expect(JSON.stringify(seen)).not.toContain("internal-secret-banner");
  });

  it("an approval names who may decide it, and four-eyes forbids approving your own execution's gate", async () => {
    const invalid = await admin.post("/recovery-plans", {
      name: "bad-approvers",
      waves: [
        { name: "w", protectionGroupIds: [groupId], preActions: [{ type: "approval", approvers: {} }] },
      ],
    });
    expect(invalid.status).toBe(400);
    expect((invalid.body as { code: string }).code).toBe("VALIDATION_FAILED");

    expect((await admin.put("/config/settings", { forbidSelfApproval: true })).status).toBe(200);
    const operator = await t.as("DRSOperator");
    const planId = await plan("gated", [
      { type: "approval", approvers: { roles: ["DRSAdmin"], users: [operator.email] } },
    ]);
    const adminsOnly = await plan("admins-only", [{ type: "approval", approvers: { roles: ["DRSAdmin"] } }]);

    // Started by the admin: the admin may not approve (four-eyes), the operator (named by id) may.
    const own = await start(planId);
    const actionId = await waitFor(
      "the approval",
      async () =>
        (await detail(own)).waves[0]?.actions.find((a) => a.status === "WAITING_APPROVAL")?.actionId,
    );
    const self = await admin.post(`/executions/${own}/approve`, { actionId });
    expect(self.status).toBe(403);
    expect(self.body).toMatchObject({
      code: "SELF_APPROVAL_FORBIDDEN",
    });
    expect((await operator.api.post(`/executions/${own}/approve`, { actionId })).status).toBe(202);
    expect((await ended(own)).status).toBe("COMPLETED");

    // Without four-eyes, only the named approvers count: the operator who started it is refused, an admin approves.
    expect((await admin.put("/config/settings", { forbidSelfApproval: false })).status).toBe(200);
    const gated = await start(adminsOnly, operator.api);
    const gate = await waitFor(
      "the approval",
      async () =>
        (await detail(gated)).waves[0]?.actions.find((a) => a.status === "WAITING_APPROVAL")?.actionId,
    );
    const notApprover = await operator.api.post(`/executions/${gated}/approve`, { actionId: gate });
    expect(notApprover.status).toBe(403);
    expect(notApprover.body).toMatchObject({
      code: "NOT_AN_APPROVER",
    });
    expect(JSON.stringify(notApprover.body)).toContain("Only roles DRSAdmin may approve");
    expect((await admin.post(`/executions/${gated}/approve`, { actionId: gate })).status).toBe(202);
    expect((await ended(gated)).status).toBe("COMPLETED");
  });
});
