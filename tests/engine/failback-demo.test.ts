import { afterEach, describe, expect, it } from "vitest";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";

const PROD = { accountId: "111122223333", region: "us-east-1" };

/**
 * Issue 20: a FAILBACK on the demo fleet with the simulator's demo failback clients (`autoFailbackReady`) must
 * finish by itself, in plan order and reversed, and the execution must say what DRS reports per server.
 */
describe("engine: failback on the demo fleet with demo failback clients", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  for (const order of ["plan order", "reversed"] as const) {
    it(`RECOVERY then FAILBACK of a two-wave plan completes without touching the simulator (${order})`, async () => {
      h = await createEngineHarness({
        fleet: "demo",
        simConfig: { autoFailbackReady: true, failbackBandwidthMbps: 100_000 },
      });
      const db = await h.group({
        name: "billing-db",
        ...PROD,
        serverSelectionTags: { App: "billing", Tier: "db", Environment: "prod" },
      });
      const app = await h.group({
        name: "orders-app",
        ...PROD,
        serverSelectionTags: { App: "orders", Tier: "app" },
      });
      const waves = [
        { waveId: "db", name: "Database", protectionGroupIds: [db.groupId] },
        { waveId: "app", name: "Application", protectionGroupIds: [app.groupId] },
      ];
      const plan = await h.plan({ name: "Billing", waves: order === "reversed" ? waves.reverse() : waves });
      const recovery = await h.services.executions.start(
        plan.planId,
        { executionType: "RECOVERY", confirm: "Billing" },
        "tester@example.com",
      );
      await h.drive(h.terminal(recovery.executionId));
      expect((await h.execution(recovery.executionId)).status).toBe("COMPLETED");

      const failback = await h.services.executions.start(
        plan.planId,
        { executionType: "FAILBACK" },
        "tester@example.com",
      );
      await h.drive(h.terminal(failback.executionId), 5_000);
      const e = await h.execution(failback.executionId);
      const servers = e.waves.flatMap((w) => w.servers);
      expect(
        e.status,
        JSON.stringify(
          servers.map((s) => [s.hostname, s.status, s.failback?.phase, s.failback?.drsState, s.error]),
        ),
      ).toBe("COMPLETED");
      expect(servers).toHaveLength(3);
      for (const s of servers) {
        expect(s).toMatchObject({ status: "LAUNCHED", failback: { origin: "ON_PREMISES", phase: "done" } });
      }
      // Every recovery instance was failed back exactly once.
      const launched = h.sim.control
        .requests({ op: "StartFailbackLaunch", status: 200 })
        .flatMap((r) => r.recoveryInstanceIDs ?? []);
      expect(launched.sort()).toEqual(servers.map((s) => s.recoveryInstanceId!).sort());
    });
  }

  it("says what DRS reports while a server waits for its failback client, and fails it with the reason on a failback error", async () => {
    h = await createEngineHarness({ fleet: "demo" });
    const db = await h.group({
      name: "billing-db",
      ...PROD,
      serverSelectionTags: { App: "billing", Tier: "db", Environment: "prod" },
    });
    const plan = await h.plan({
      name: "Billing",
      waves: [{ waveId: "db", name: "Database", protectionGroupIds: [db.groupId] }],
    });
    const recovery = await h.services.executions.start(
      plan.planId,
      { executionType: "RECOVERY", confirm: "Billing" },
      "tester@example.com",
    );
    await h.drive(h.terminal(recovery.executionId));
    const instanceId = (await h.execution(recovery.executionId)).waves[0]!.servers[0]!.recoveryInstanceId!;

    const failback = await h.services.executions.start(
      plan.planId,
      { executionType: "FAILBACK" },
      "tester@example.com",
    );
    await h.drive(
      async () =>
        (await h!.execution(failback.executionId)).waves[0]!.servers[0]!.failback?.drsState !== undefined,
    );
    const waiting = (await h.execution(failback.executionId)).waves[0]!.servers[0]!;
    expect(waiting.failback).toMatchObject({ phase: "waiting-client", drsState: "FAILBACK_NOT_STARTED" });
    expect(waiting.error).toMatch(/DRS Failback Client/);

    h.sim.control.driveFailback(instanceId, { action: "clientConnected" });
    await h.drive(
      async () =>
        (await h!.execution(failback.executionId)).waves[0]!.servers[0]!.failback?.phase === "replicating",
    );
    h.sim.control.driveFailback(instanceId, {
      action: "error",
      error: "FAILED_TO_PAIR_AGENT_WITH_REPLICATION_SOFTWARE",
    } as never);
    await h.drive(h.terminal(failback.executionId), 5_000);
    const e = await h.execution(failback.executionId);
    const s = e.waves[0]!.servers[0]!;
    expect(e.status).toBe("FAILED");
    expect(s.status).toBe("FAILED");
    expect(s.failback).toMatchObject({ phase: "failed", drsState: "FAILBACK_ERROR" });
    expect(s.error).toMatch(/FAILBACK_ERROR/);
  });
});
