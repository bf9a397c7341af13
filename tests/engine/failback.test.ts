import { afterEach, describe, expect, it } from "vitest";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";

const PROD = { accountId: "111122223333", region: "us-east-1" };

describe("engine: failback after a recovery", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("fails back an on-premises server through its failback client and an EC2-origin pair through reverse replication", async () => {
    h = await createEngineHarness({ fleet: "demo" });
    const crm = await h.group({ name: "crm-app", ...PROD, serverSelectionTags: { App: "crm", Tier: "app" } });
    const inventory = await h.group({
      name: "inventory",
      ...PROD,
      serverSelectionTags: { App: "inventory" },
    });
    const plan = await h.plan({
      name: "CRM and inventory",
      waves: [
        { waveId: "crm", name: "CRM", protectionGroupIds: [crm.groupId] },
        { waveId: "inventory", name: "Inventory", protectionGroupIds: [inventory.groupId] },
      ],
    });
    await expect(
      h.services.executions.start(plan.planId, { executionType: "RECOVERY" }, "tester@example.com"),
    ).rejects.toMatchObject({ code: "CONFIRMATION_REQUIRED" });
    const recovery = await h.services.executions.start(
      plan.planId,
      { executionType: "RECOVERY", confirm: "CRM and inventory" },
      "tester@example.com",
    );
    await h.drive(h.terminal(recovery.executionId));
    const recovered = await h.execution(recovery.executionId);
    expect(recovered.status).toBe("COMPLETED");
    const crmServer = recovered.waves[0]!.servers[0]!;
    expect(crmServer.recoveryInstanceId).toBeDefined();

    const failback = await h.services.executions.start(
      plan.planId,
      { executionType: "FAILBACK" },
      "tester@example.com",
    );
    // The on-premises server waits for its failback client; the operator boots it, replication catches up.
    await h.drive(
      async () =>
        (await h!.execution(failback.executionId)).waves[0]!.servers[0]!.failback?.phase === "waiting-client",
    );
    h.sim.control.driveFailback(crmServer.recoveryInstanceId!, { action: "clientConnected" });
    h.sim.control.driveFailback(crmServer.recoveryInstanceId!, { action: "replicationHealthy" });
    await h.drive(h.terminal(failback.executionId));

    const e = await h.execution(failback.executionId);
    expect(
      e.status,
      JSON.stringify(e.waves.map((w) => w.servers.map((s) => [s.hostname, s.status, s.error]))),
    ).toBe("COMPLETED");
    const onPrem = e.waves[0]!.servers[0]!;
    expect(onPrem).toMatchObject({ status: "LAUNCHED", failback: { origin: "ON_PREMISES", phase: "done" } });
    const failbackJobs = h.sim.control.requests({ op: "StartFailbackLaunch", status: 200 });
    expect(failbackJobs.flatMap((r) => r.recoveryInstanceIDs ?? [])).toEqual([crmServer.recoveryInstanceId]);

    for (const s of e.waves[1]!.servers) {
      expect(s).toMatchObject({
        status: "LAUNCHED",
        failback: { origin: "AWS", phase: "done", originRegion: "us-west-2" },
      });
    }
    // Each EC2-origin server was reversed once and launched once in its origin region.
    expect(h.sim.control.requests({ op: "ReverseReplication", status: 200 })).toHaveLength(2);
    const originLaunches = h.sim.control.requests({ op: "StartRecovery", region: "us-west-2", status: 202 });
    expect(originLaunches.flatMap((r) => r.sourceServerIDs ?? []).sort()).toEqual(
      e.waves[1]!.servers.map((s) => s.failback!.reversedSourceServerId!).sort(),
    );
  });

  it("refuses a failback while a recovery of the same servers is still running", async () => {
    h = await createEngineHarness({ fleet: "demo" });
    const crm = await h.group({ name: "crm-db", ...PROD, serverSelectionTags: { App: "crm", Tier: "db" } });
    const plan = await h.plan({ name: "CRM", waves: [{ name: "db", protectionGroupIds: [crm.groupId] }] });
    const recovery = await h.services.executions.start(
      plan.planId,
      { executionType: "RECOVERY", confirm: "CRM" },
      "tester@example.com",
    );
    await expect(
      h.services.executions.start(plan.planId, { executionType: "FAILBACK" }, "tester@example.com"),
    ).rejects.toMatchObject({
      code: "SERVER_IN_ACTIVE_EXECUTION",
      extra: { executionId: recovery.executionId },
    });
    await expect(
      h.services.executions.start(plan.planId, { executionType: "DRILL" }, "tester@example.com"),
    ).rejects.toMatchObject({ code: "SERVER_IN_ACTIVE_EXECUTION" });
  });
});
