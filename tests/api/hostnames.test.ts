import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { type ApiHarness, createApiHarness } from "../support/api-harness.js";

/**
 * Issue 12 item 6: where a person reads about a source server (a 409, the pre-flight check, the job log, the
 * audit log), the hostname stands next to the DRS id.
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };

describe("hostnames next to source server ids", () => {
  let h: ApiHarness;
  let api: ApiClient;
  let planId = "";
  let groupId = "";
  let executionId = "";
  const hostnames = new Map<string, string>();

  beforeAll(async () => {
    h = await createApiHarness({ fleet: "demo" });
    api = await h.api();
    const group = await api.post<{
      groupId: string;
      servers: Array<{ sourceServerId: string; hostname: string }>;
    }>("/protection-groups", {
      name: "billing-db",
      ...PROD,
      serverSelectionTags: { App: "billing", Tier: "db" },
    });
    expect(group.status).toBe(201);
    groupId = group.body.groupId;
    for (const s of group.body.servers) hostnames.set(s.sourceServerId, s.hostname);
    const plan = await api.post<{ planId: string }>("/recovery-plans", {
      name: "Billing",
      waves: [{ name: "db", protectionGroupIds: [groupId] }],
    });
    expect(plan.status).toBe(201);
    planId = plan.body.planId;
    const started = await api.post<{ executionId: string }>(`/recovery-plans/${planId}/execute`, {
      executionType: "DRILL",
    });
    expect(started.status).toBe(202);
    executionId = started.body.executionId;
  });
  afterAll(async () => h?.close());

  it("the 409 for a server in an active execution names its hostname and the plan", async () => {
    const again = await api.post<{ code: string; detail: string }>(`/recovery-plans/${planId}/execute`, {
      executionType: "DRILL",
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("SERVER_IN_ACTIVE_EXECUTION");
    const [id, hostname] = [...hostnames.entries()][0]!;
    expect(again.body.detail).toContain(`${hostname} (${id})`);
    expect(again.body.detail).toContain("'Billing'");
  });

  it("the pre-flight check names the plan of the active execution", async () => {
    const check = await api.get<{ readinessProblems: Array<{ hostname: string; problem: string }> }>(
      `/recovery-plans/${planId}/check-existing-instances`,
    );
    expect(check.status).toBe(200);
    const problem = check.body.readinessProblems.find((p) => p.problem.includes(executionId));
    expect(problem?.problem).toContain("'Billing'");
  });

  it("job log items carry the hostname of their source server", async () => {
    await h.drive(h.terminal(executionId));
    const logs = await api.get<{ items: Array<{ sourceServerId?: string; hostname?: string }> }>(
      `/executions/${executionId}/job-logs`,
    );
    expect(logs.status).toBe(200);
    const withServer = logs.body.items.filter((i) => i.sourceServerId);
    expect(withServer.length).toBeGreaterThan(0);
    for (const item of withServer) expect(item.hostname).toBe(hostnames.get(item.sourceServerId!));
  });

  it("audit events of a changed or deleted group name it", async () => {
    const put = await api.put(`/protection-groups/${groupId}`, {
      name: "billing-db-renamed",
      ...PROD,
      serverSelectionTags: { App: "billing", Tier: "db" },
    });
    expect(put.status).toBe(200);
    const audit = await api.get<{ items: Array<{ action: string; targetId?: string; targetName?: string }> }>(
      "/audit?limit=50",
    );
    expect(audit.status).toBe(200);
    const update = audit.body.items.find((e) => e.action === "protection-group.update");
    expect(update).toMatchObject({ targetId: groupId, targetName: "billing-db-renamed" });
    expect((await api.del(`/recovery-plans/${planId}`)).status).toBe(204);
    expect((await api.del(`/protection-groups/${groupId}`)).status).toBe(204);
    const after = await api.get<{ items: Array<{ action: string; targetId?: string; targetName?: string }> }>(
      "/audit?limit=50",
    );
    expect(after.body.items.find((e) => e.action === "recovery-plan.delete")).toMatchObject({
      targetId: planId,
      targetName: "Billing",
    });
    expect(after.body.items.find((e) => e.action === "protection-group.delete")).toMatchObject({
      targetId: groupId,
      targetName: "billing-db-renamed",
    });
  });
});
