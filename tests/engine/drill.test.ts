import { afterEach, describe, expect, it } from "vitest";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";

const PROD = { accountId: "111122223333", region: "us-east-1" };

describe("engine: a drill of the demo fleet over the real SDK and the simulator", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("runs a 3-wave DAG drill to COMPLETED, in dependency order, launching each server exactly once", async () => {
    h = await createEngineHarness({ fleet: "demo" });
    const db = await h.group({
      name: "orders-db",
      ...PROD,
      serverSelectionTags: { App: "orders", Tier: "db" },
    });
    const app = await h.group({
      name: "orders-app",
      ...PROD,
      serverSelectionTags: { App: "orders", Tier: "app" },
    });
    const web = await h.group({
      name: "orders-web",
      ...PROD,
      serverSelectionTags: { App: "orders", Tier: "web" },
    });
    const plan = await h.plan({
      name: "Orders",
      rtoSeconds: 3600,
      waves: [
        { waveId: "db", name: "Databases", protectionGroupIds: [db.groupId] },
        { waveId: "app", name: "Applications", protectionGroupIds: [app.groupId], dependsOn: ["db"] },
        {
          waveId: "web",
          name: "Web",
          protectionGroupIds: [web.groupId],
          dependsOn: ["app"],
          postActions: [{ type: "wait", seconds: 30 }],
        },
      ],
    });
    const started = await h.services.executions.start(
      plan.planId,
      { executionType: "DRILL" },
      "tester@example.com",
    );
    await h.drive(h.terminal(started.executionId));

    const e = await h.execution(started.executionId);
    expect(e.status).toBe("COMPLETED");
    const servers = e.waves.flatMap((w) => w.servers);
    expect(servers.length).toBe(started.servers);
    expect(servers.every((s) => s.status === "LAUNCHED" && s.recoveryInstanceId && s.ec2InstanceId)).toBe(
      true,
    );
    const [w1, w2, w3] = e.waves;
    expect(w2!.startTime!).toBeGreaterThanOrEqual(w1!.endTime!);
    expect(w3!.startTime!).toBeGreaterThanOrEqual(w2!.endTime!);

    const launches = h.launchesByServer();
    for (const s of servers) expect(launches.get(s.sourceServerId), s.hostname).toBe(1);

    const instances = await h.drs
      .forTarget(PROD)
      .describeRecoveryInstances({ sourceServerIds: servers.map((s) => s.sourceServerId) });
    expect(instances.filter((i) => i.isDrill)).toHaveLength(servers.length);

    const log = await h.store.executions.jobLog(e.executionId, { limit: 1000 });
    expect(log.some((i) => i.event === "JOB_START")).toBe(true);
    expect(log.some((i) => i.event === "LAUNCH_START")).toBe(true);
    const events = (await h.store.executions.events(e.executionId, 0, 1000)).map((x) => x.type);
    expect(events[0]).toBe("execution.created");
    expect(events).toContain("wave.completed");
    expect(events.at(-1)).toBe("execution.completed");
  });

  it("runs independent waves of a DAG in parallel and waits for every dependency", async () => {
    h = await createEngineHarness({ fleet: "demo" });
    const a = await h.group({ name: "billing", ...PROD, serverSelectionTags: { App: "billing" } });
    const b = await h.group({ name: "crm", ...PROD, serverSelectionTags: { App: "crm" } });
    const c = await h.group({ name: "orders", ...PROD, serverSelectionTags: { App: "orders" } });
    const plan = await h.plan({
      name: "Parallel",
      waves: [
        { waveId: "a", name: "A", protectionGroupIds: [a.groupId] },
        { waveId: "b", name: "B", protectionGroupIds: [b.groupId], dependsOn: [] },
        { waveId: "c", name: "C", protectionGroupIds: [c.groupId], dependsOn: ["a", "b"] },
      ],
    });
    const started = await h.services.executions.start(
      plan.planId,
      { executionType: "DRILL" },
      "tester@example.com",
    );
    await h.drive(h.terminal(started.executionId));
    const e = await h.execution(started.executionId);
    const [wa, wb, wc] = e.waves;
    expect(e.status, JSON.stringify(e.waves.map((w) => [w.waveId, w.status, w.error]))).toBe("COMPLETED");
    expect(wa!.startTime).toBe(wb!.startTime);
    expect(wc!.startTime!).toBeGreaterThanOrEqual(Math.max(wa!.endTime!, wb!.endTime!));
  });
});
