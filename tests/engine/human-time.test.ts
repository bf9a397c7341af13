import { afterEach, describe, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { type ApiHarness, createApiHarness } from "../support/api-harness.js";
import { createPlan, detailOf, startExecution, tierGroup } from "../support/scenario.js";

/**
 * Issue 13 item 4: human time is not launch time. A wave's timeout bounds its DRS launch work, so the time people
 * take on an approval before the launch (or the pause before the wave) does not use it up; an approval has its own
 * timeout (24 h unless the plan says otherwise) and times out with an outcome that says so. HTTP API + simulator
 * over the SDK, one virtual clock.
 */
interface Detail {
  status: string;
  error?: { code: string; message: string };
  waves: Array<{
    status: string;
    phase?: string;
    error?: string;
    timeoutSeconds?: number;
    deadlineAt?: string;
    servers: Array<{ launchStatus: string }>;
    actions: Array<{ actionId: string; status: string; error?: string; deadlineAt?: string }>;
  }>;
}

describe("human time and the wave's launch deadline, through the HTTP API", () => {
  let h: ApiHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function setup(preActions: unknown[]) {
    h = await createApiHarness({ fleet: "demo", settings: { drillTtlHours: 0 } });
    const api = await h.api();
    const groupId = await tierGroup(api, "db");
    const planId = await createPlan(api, {
      name: "Orders",
      waves: [{ name: "db", protectionGroupIds: [groupId], timeoutSeconds: 900, preActions }],
    });
    return { api, id: await startExecution(api, planId) };
  }

  const detail = (api: ApiClient, id: string) => detailOf<Detail>(api, id);

  it("an approval that takes two hours before the launch does not use up the wave's 15-minute launch timeout", async () => {
    const { api, id } = await setup([{ type: "approval", name: "Change board" }]);
    await h!.drive(async () => (await detail(api, id)).waves[0]!.actions[0]!.status === "WAITING_APPROVAL");
    let d = await detail(api, id);
    expect(d.waves[0]!.timeoutSeconds).toBe(900);
    // No launch deadline while people decide: the approval's own deadline is shown instead (24 h by default).
    expect(d.waves[0]!.deadlineAt).toBeUndefined();
    const approvalDeadline = Date.parse(d.waves[0]!.actions[0]!.deadlineAt!);
    expect(approvalDeadline - h!.clock.now()).toBeGreaterThan(23 * 3600_000);

    h!.clock.advance(2 * 3600_000);
    expect((await api.post(`/executions/${id}/approve`, { comment: "go" })).status).toBe(202);
    await h!.drive(async () => (await detail(api, id)).waves[0]!.phase === "launching");
    d = await detail(api, id);
    // The launch deadline starts with the launch.
    const launchDeadline = Date.parse(d.waves[0]!.deadlineAt!);
    expect(launchDeadline - h!.clock.now()).toBeGreaterThan(850_000);
    expect(launchDeadline - h!.clock.now()).toBeLessThanOrEqual(900_000);

    await h!.drive(h!.terminal(id));
    d = await detail(api, id);
    expect(d.waves[0]!.status, d.waves[0]!.error).toBe("COMPLETED");
    expect(d.status).toBe("COMPLETED");
  });

  it("an approval nobody decides times out on its own deadline, says so, and the wave is not launched", async () => {
    const { api, id } = await setup([{ type: "approval", name: "Change board", timeoutSeconds: 3600 }]);
    await h!.drive(h!.terminal(id));
    const d = await detail(api, id);
    expect(d.status).toBe("FAILED");
    const approval = d.waves[0]!.actions[0]!;
    expect(approval.status).toBe("FAILED");
    expect(approval.error).toBe("approval timed out: no decision within 1 h");
    expect(d.waves[0]!.status).toBe("FAILED");
    expect(d.waves[0]!.error).toMatch(/approval timed out/);
    expect(d.waves[0]!.servers.every((s) => s.launchStatus === "SKIPPED")).toBe(true);
    const events = await api.get<{ items: Array<{ type: string; message: string }> }>(
      `/executions/${id}/events?limit=200`,
    );
    expect(events.status).toBe(200);
    const timedOut = events.body.items.filter((e) => e.type === "approval.timed-out");
    expect(timedOut).toHaveLength(1);
    expect(timedOut[0]!.message).toMatch(/Change board.*no decision within 1 h/);
  });
});
