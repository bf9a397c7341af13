import { afterEach, describe, expect, it } from "vitest";
import { type ApiClient, apiClient, login } from "../support/api-client.js";
import { type ApiHarness, createApiHarness } from "../support/api-harness.js";

/**
 * Issue acceptance: pause/resume/cancel/approval/terminate/drill-TTL each have an end-to-end test through
 * the HTTP API (engine and simulator on a virtual clock).
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };

interface Detail {
  status: string;
  pause?: { reason: string; waveId?: string };
  waves: Array<{
    waveId: string;
    status: string;
    servers: Array<{ launchStatus: string; recoveryInstanceId?: string }>;
    actions: Array<{ actionId: string; status: string; decision?: { by: string } }>;
  }>;
  termination?: { status: string };
}

describe("execution lifecycle through the HTTP API", () => {
  let h: ApiHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function setup(waves: (groups: string[]) => unknown[], settings = {}) {
    h = await createApiHarness({ fleet: "demo", settings });
    const api = await h.api();
    const groups: string[] = [];
    for (const tier of ["db", "app", "web"]) {
      const g = await api.post<{ groupId: string }>("/protection-groups", {
        name: `orders-${tier}`,
        ...PROD,
        serverSelectionTags: { App: "orders", Tier: tier },
      });
      expect(g.status).toBe(201);
      groups.push(g.body.groupId);
    }
    const plan = await api.post<{ planId: string }>("/recovery-plans", {
      name: "Orders",
      rtoSeconds: 7200,
      waves: waves(groups),
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const started = await api.post<{ executionId: string }>(`/recovery-plans/${plan.body.planId}/execute`, {
      executionType: "DRILL",
    });
    expect(started.status).toBe(202);
    return { api, id: started.body.executionId };
  }

  const detail = async (api: ApiClient, id: string) => {
    const response = await api.get<Detail>(`/executions/${id}`);
    expect(response.status).toBe(200);
    return response.body;
  };
  const until = (api: ApiClient, id: string, predicate: (d: Detail) => boolean) => () =>
    detail(api, id).then(predicate);

  it("pause stops new waves (running ones finish); resume continues", async () => {
    const { api, id } = await setup((g) =>
      g.map((groupId, i) => ({ name: `wave ${i}`, protectionGroupIds: [groupId] })),
    );
    await h!.drive(
      until(
        api,
        id,
        (d) =>
          d.waves[0]!.status === "RUNNING" &&
          d.waves[0]!.servers.some((s) => s.launchStatus !== "NOT_STARTED"),
      ),
    );
    const pause = await api.post(`/executions/${id}/pause`);
    expect(pause.status).toBe(202);
    await h!.drive(until(api, id, (d) => d.waves[0]!.status === "COMPLETED"));
    // Hours later, still paused: wave 2 never started.
    h!.clock.advance(3 * 3600_000);
    await h!.driver.runDue();
    let d = await detail(api, id);
    expect(d.status).toBe("PAUSED");
    expect(d.pause?.reason).toBe("user");
    expect(d.waves[1]!.status).toBe("PENDING");
    expect((await api.post(`/executions/${id}/pause`)).status).toBe(409);
    expect((await api.post(`/executions/${id}/resume`)).status).toBe(202);
    await h!.drive(h!.terminal(id));
    d = await detail(api, id);
    expect(d.status).toBe("COMPLETED");
    expect((await api.post(`/executions/${id}/resume`)).status).toBe(409);
  });

  it("pauseBefore holds a wave until resumed", async () => {
    const { api, id } = await setup((g) => [
      { name: "db", protectionGroupIds: [g[0]] },
      { name: "app", protectionGroupIds: [g[1]], pauseBefore: true },
    ]);
    await h!.drive(until(api, id, (d) => d.status === "PAUSED"));
    const d = await detail(api, id);
    expect(d.pause).toMatchObject({ reason: "pauseBefore", waveId: "wave-2" });
    expect(d.waves[1]!.status).toBe("WAITING");
    await api.post(`/executions/${id}/resume`);
    await h!.drive(h!.terminal(id));
    expect((await detail(api, id)).status).toBe("COMPLETED");
  });

  it("cancel starts nothing new, lets running DRS jobs finish and ends CANCELLED", async () => {
    const { api, id } = await setup((g) =>
      g.map((groupId, i) => ({ name: `wave ${i}`, protectionGroupIds: [groupId] })),
    );
    await h!.drive(
      until(api, id, (d) =>
        d.waves[0]!.servers.some((s) => s.launchStatus === "IN_PROGRESS" || s.launchStatus === "PENDING"),
      ),
    );
    expect((await api.post(`/executions/${id}/cancel`)).status).toBe(202);
    await h!.drive(h!.terminal(id));
    const d = await detail(api, id);
    expect(d.status).toBe("CANCELLED");
    expect(d.waves[0]!.servers.every((s) => s.launchStatus === "LAUNCHED")).toBe(true);
    expect(
      d.waves
        .slice(1)
        .every((w) => w.status === "CANCELLED" && w.servers.every((s) => s.launchStatus === "CANCELLED")),
    ).toBe(true);
    expect((await api.post(`/executions/${id}/cancel`)).status).toBe(409);
  });

  it("an approval waits for a user with drs:ManageExecution, records who approved, and a rejection fails the wave", async () => {
    const { api, id } = await setup((g) => [
      {
        name: "db",
        protectionGroupIds: [g[0]],
        postActions: [{ type: "approval", name: "DBA check", message: "Verify replication lag" }],
      },
      { name: "app", protectionGroupIds: [g[1]], preActions: [{ type: "approval", name: "App owner" }] },
    ]);
    await h!.drive(until(api, id, (d) => d.status === "PAUSED"));
    expect((await detail(api, id)).pause?.reason).toBe("approval");
    const viewer = await api.post<{ user: unknown }>("/users", {
      email: "viewer@example.com",
      role: "DRSViewer",
      password: "Viewer-Pass-1",
    });
    expect(viewer.status).toBe(201);
    const viewerApi = apiClient(h!.baseUrl, await login(h!.baseUrl, "viewer@example.com", "Viewer-Pass-1"));
    expect((await viewerApi.post(`/executions/${id}/approve`)).status).toBe(403);
    expect((await api.post(`/executions/${id}/approve`, { comment: "lag is fine" })).status).toBe(202);
    await h!.drive(until(api, id, (d) => d.waves[1]!.actions[0]!.status === "WAITING_APPROVAL"));
    const approved = (await detail(api, id)).waves[0]!.actions[0]!;
    expect(approved).toMatchObject({ status: "SUCCEEDED", decision: { by: "admin@example.com" } });
    expect((await api.post(`/executions/${id}/reject`, { comment: "app team not ready" })).status).toBe(202);
    await h!.drive(h!.terminal(id));
    const d = await detail(api, id);
    expect(d.status).toBe("FAILED");
    expect(d.waves[1]!.status).toBe("FAILED");
    expect(d.waves[1]!.servers.every((s) => s.launchStatus === "SKIPPED")).toBe(true);
    expect((await api.post(`/executions/${id}/approve`)).status).toBe(409);
  });

  it("terminates drill instances on request, with progress in termination-status", async () => {
    const { api, id } = await setup((g) => [{ name: "db", protectionGroupIds: [g[0], g[1]] }], {
      drillTtlHours: 0,
    });
    await h!.drive(h!.terminal(id));
    const done = await detail(api, id);
    expect(done.status).toBe("COMPLETED");
    const ris = done.waves[0]!.servers.map((s) => s.recoveryInstanceId!);
    expect((await api.get<{ status: string }>(`/executions/${id}/termination-status`)).body.status).toBe(
      "NOT_REQUESTED",
    );
    expect((await api.post(`/executions/${id}/terminate-instances`)).status).toBe(202);
    await h!.drive(until(api, id, (d) => d.termination?.status === "RUNNING"));
    await h!.drive(until(api, id, (d) => d.termination?.status === "COMPLETED"));
    const status = (
      await api.get<{ status: string; terminated: number; total: number }>(
        `/executions/${id}/termination-status`,
      )
    ).body;
    expect(status).toMatchObject({ status: "COMPLETED", terminated: ris.length, total: ris.length });
    const left = await h!.drs.forTarget(PROD).describeRecoveryInstances({ recoveryInstanceIds: ris });
    expect(left).toHaveLength(0);
    expect((await api.post(`/executions/${id}/terminate-instances`)).status).toBe(409);
  });

  it("terminates the instances of a wave whose id is `terminate` (its batch ids cannot collide with termination's)", async () => {
    // Wave ids are a-z, 0-9 and '-': a wave called "terminate" has launch batch terminate-b1, which was also
    // the first termination batch's id, so the termination's DRS results were routed to the wave's batch.
    const { api, id } = await setup(
      (g) => [{ waveId: "terminate", name: "terminate", protectionGroupIds: [g[0], g[1]] }],
      { drillTtlHours: 0 },
    );
    await h!.drive(h!.terminal(id));
    const done = await detail(api, id);
    expect(done.status).toBe("COMPLETED");
    const ris = done.waves[0]!.servers.map((s) => s.recoveryInstanceId!);
    expect((await api.post(`/executions/${id}/terminate-instances`)).status).toBe(202);
    await h!.drive(until(api, id, (d) => d.termination?.status === "COMPLETED"));
    const left = await h!.drs.forTarget(PROD).describeRecoveryInstances({ recoveryInstanceIds: ris });
    expect(left).toHaveLength(0);
  });

  it("terminates drill instances automatically when the drill TTL expires", async () => {
    const { api, id } = await setup((g) => [{ name: "db", protectionGroupIds: [g[0]] }], {
      drillTtlHours: 4,
    });
    await h!.drive(h!.terminal(id));
    const ended = await detail(api, id);
    expect(ended.status).toBe("COMPLETED");
    expect((ended as unknown as { instancesTerminateAt?: string }).instancesTerminateAt).toBeDefined();
    h!.clock.advance(3 * 3600_000);
    await h!.driver.runDue();
    expect((await detail(api, id)).termination).toBeUndefined();
    await h!.drive(until(api, id, (d) => d.termination?.status === "COMPLETED"));
    const events = await api.get<{ items: Array<{ type: string; data?: { reason?: string } }> }>(
      `/executions/${id}/events?limit=1000`,
    );
    expect(
      events.body.items.some((e) => e.type === "termination.started" && e.data?.reason === "drill-ttl"),
    ).toBe(true);
  });
});
