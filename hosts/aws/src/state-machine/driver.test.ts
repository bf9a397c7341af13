import { afterEach, describe, expect, it } from "vitest";
import { createSfnDrillHarness, type SfnDrillHarness } from "../testing/sfn-drill-harness.js";

const PROD = { accountId: "111122223333", region: "us-east-1" };

async function threeWavePlan(h: SfnDrillHarness, name = "Orders") {
  const db = await h.group({
    name: `${name}-db`,
    ...PROD,
    serverSelectionTags: { App: "orders", Tier: "db" },
  });
  const app = await h.group({
    name: `${name}-app`,
    ...PROD,
    serverSelectionTags: { App: "orders", Tier: "app" },
  });
  const web = await h.group({
    name: `${name}-web`,
    ...PROD,
    serverSelectionTags: { App: "orders", Tier: "web" },
  });
  return h.plan({
    name,
    rtoSeconds: 3600,
    waves: [
      { waveId: "db", name: "Databases", protectionGroupIds: [db.groupId] },
      { waveId: "app", name: "Applications", protectionGroupIds: [app.groupId], pauseBefore: true },
      { waveId: "web", name: "Web", protectionGroupIds: [web.groupId] },
    ],
  });
}

describe("Step Functions driver: the generated state machine, run locally against the real handlers and the simulator", () => {
  let h: SfnDrillHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("drives a 3-wave drill through a pause before wave 2 and a resume (SendTaskSuccess) to COMPLETED, then the drill cleanup", async () => {
    h = await createSfnDrillHarness();
    const plan = await threeWavePlan(h);
    const started = await h.services.executions.start(
      plan.planId,
      { executionType: "DRILL" },
      "tester@example.com",
    );
    const id = started.executionId;
    expect(h.machine.calls[0]).toMatchObject({
      command: "StartExecution",
      outcome: "ok",
      input: { name: id },
    });

    // Wave 1 runs, then the workflow parks on a task token before wave 2.
    await h.drive(
      async () =>
        (await h!.execution(id)).status === "PAUSED" && h!.machine.runs.get(id)?.current === "WaitForSignal",
    );
    const paused = await h.execution(id);
    expect(paused.pause).toMatchObject({ reason: "pauseBefore", waveId: "app" });
    expect(paused.waves.map((w) => w.status)).toEqual(["COMPLETED", "WAITING", "PENDING"]);
    expect(paused.taskToken).toMatch(/^token-/);

    // Time passes while paused: the park does not time out early and nothing launches.
    h.clock.advance(3_600_000);
    await h.machine.idle();
    expect(h.machine.runs.get(id)?.current).toBe("WaitForSignal");
    expect((await h.execution(id)).status).toBe("PAUSED");

    // Resume through the use case: the engine signal sends task success with the stored token.
    await h.services.executions.resume(id, "operator@example.com");
    const signal = h.machine.calls.filter((c) => c.command === "SendTaskSuccess");
    expect(signal).toHaveLength(1);
    expect(signal[0]).toMatchObject({ outcome: "ok", input: { taskToken: paused.taskToken } });

    await h.drive(async () => (await h!.execution(id)).status === "COMPLETED");
    const done = await h.execution(id);
    const servers = done.waves.flatMap((w) => w.servers);
    expect(servers.length).toBe(started.servers);
    expect(servers.every((s) => s.status === "LAUNCHED" && s.ec2InstanceId)).toBe(true);
    expect(done.waves[1]!.startTime!).toBeGreaterThanOrEqual(done.waves[0]!.endTime!);
    expect(done.waves[2]!.startTime!).toBeGreaterThanOrEqual(done.waves[1]!.endTime!);
    const launches = h.launchesByServer();
    for (const s of servers) expect(launches.get(s.sourceServerId), s.hostname).toBe(1);

    // A completed drill still has its cleanup time: the workflow stays alive (parked) until then.
    expect(done.cleanupAt).toBeDefined();
    expect(h.machine.runs.get(id)?.status).toBe("RUNNING");
    await h.drive(async () => h!.machine.runs.get(id)?.status !== "RUNNING");
    const run = h.machine.runs.get(id)!;
    expect(run.status).toBe("SUCCEEDED");
    const cleaned = await h.execution(id);
    expect(cleaned.termination).toMatchObject({ status: "COMPLETED", reason: "drill-ttl" });
    expect(run.stoppedAt! - done.endTime!).toBeGreaterThanOrEqual(24 * 3_600_000);

    // One workflow did all of it: Step, Decide, Wait loops, the park, and the end.
    expect(h.machine.runs.size).toBe(1);
    expect(new Set(run.history)).toEqual(
      new Set(["Start", "Init", "Step", "Decide", "Wait", "WaitForSignal", "Done"]),
    );
    // The only task "errors" are parks timing out into Step at their wake-up: no Lambda failed.
    expect(run.taskErrors.filter((e) => e.error !== "States.Timeout")).toEqual([]);
    expect(h.recorded.errors()).toEqual([]);
  });

  it("cancels a drill while it is parked on a pause", async () => {
    h = await createSfnDrillHarness({ settings: { drillTtlHours: 0 } });
    const plan = await threeWavePlan(h);
    const { executionId: id } = await h.services.executions.start(
      plan.planId,
      { executionType: "DRILL" },
      "tester@example.com",
    );
    await h.drive(async () => h!.machine.runs.get(id)?.current === "WaitForSignal");
    expect((await h.execution(id)).status).toBe("PAUSED");

    await h.services.executions.cancel(id, "operator@example.com");
    expect(h.machine.calls.filter((c) => c.command === "SendTaskSuccess" && c.outcome === "ok")).toHaveLength(
      1,
    );
    await h.drive(async () => h!.machine.runs.get(id)?.status !== "RUNNING");

    const e = await h.execution(id);
    expect(e.status).toBe("CANCELLED");
    expect(e.waves.map((w) => w.status)).toEqual(["COMPLETED", "CANCELLED", "CANCELLED"]);
    expect(h.machine.runs.get(id)).toMatchObject({ status: "SUCCEEDED", current: "Done" });
    expect(h.recorded.errors()).toEqual([]);
  });

  it("starts a continuation workflow for terminate-instances after the execution's workflow has ended", async () => {
    h = await createSfnDrillHarness({ settings: { drillTtlHours: 0 } });
    const plan = await threeWavePlan(h);
    const { executionId: id } = await h.services.executions.start(
      plan.planId,
      { executionType: "DRILL" },
      "tester@example.com",
    );
    await h.drive(async () => h!.machine.runs.get(id)?.current === "WaitForSignal");
    await h.services.executions.resume(id, "operator@example.com");
    await h.drive(async () => h!.machine.runs.get(id)?.status !== "RUNNING");
    expect((await h.execution(id)).status).toBe("COMPLETED");
    expect(h.machine.runs.get(id)?.status).toBe("SUCCEEDED");

    await h.services.executions.terminateInstances(id, "operator@example.com");
    const continuations = h.machine.runsOf(id).filter((r) => r.name !== id);
    expect(continuations).toHaveLength(1);
    await h.drive(async () => h!.machine.activeRuns.length === 0);
    expect((await h.execution(id)).termination?.status).toBe("COMPLETED");
    expect(continuations[0]!.status).toBe("SUCCEEDED");
    expect(h.recorded.errors()).toEqual([]);
  });

  it("parks while an approval waits (deadline hours away) and continues as soon as it is approved", async () => {
    h = await createSfnDrillHarness({ settings: { drillTtlHours: 0 } });
    const db = await h.group({
      name: "approve-db",
      ...PROD,
      serverSelectionTags: { App: "orders", Tier: "db" },
    });
    const plan = await h.plan({
      name: "Approve",
      waves: [
        {
          waveId: "db",
          name: "Databases",
          protectionGroupIds: [db.groupId],
          postActions: [{ type: "approval", message: "Check the replicas", timeoutSeconds: 4 * 3600 }],
        },
      ],
    });
    const { executionId: id } = await h.services.executions.start(
      plan.planId,
      { executionType: "DRILL" },
      "tester@example.com",
    );
    await h.drive(
      async () =>
        (await h!.execution(id)).waves[0]!.actions.some((a) => a.status === "WAITING_APPROVAL") &&
        h!.machine.runs.get(id)?.current === "WaitForSignal",
    );
    const parkedAt = h.clock.now();
    await h.services.executions.decide(id, "approve", "lead@example.com", {});
    expect(h.machine.calls.filter((c) => c.command === "SendTaskSuccess" && c.outcome === "ok")).toHaveLength(
      1,
    );
    await h.drive(async () => h!.machine.runs.get(id)?.status !== "RUNNING");
    const e = await h.execution(id);
    expect(e.status).toBe("COMPLETED");
    expect(e.waves[0]!.actions[0]).toMatchObject({
      status: "SUCCEEDED",
      decision: { decision: "approve", by: "lead@example.com" },
    });
    // Approved at once, not when the park would have timed out (hours later).
    expect(h.clock.now() - parkedAt).toBeLessThan(3600_000);
    expect(h.recorded.errors()).toEqual([]);
  });

  it("the sweeper restarts an execution whose workflow never started", async () => {
    h = await createSfnDrillHarness({ settings: { drillTtlHours: 0 } });
    const plan = await threeWavePlan(h);
    // StartExecution fails once (Step Functions throttled): the execution is recorded but has no workflow.
    const send = h.machine.client.send;
    let failures = 0;
    h.machine.client.send = (async (command: unknown) => {
      if (failures === 0 && (command as object).constructor.name === "StartExecutionCommand") {
        failures += 1;
        throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
      }
      return send(command as never);
    }) as typeof send;
    const { executionId: id } = await h.services.executions.start(
      plan.planId,
      { executionType: "DRILL" },
      "tester@example.com",
    );
    expect(h.machine.runs.size).toBe(0);
    expect(h.recorded.errors().map((e) => e.message)).toEqual([
      "engine signal failed; the sweeper will pick the execution up",
    ]);

    expect(await h.sweeper()).toEqual({ checked: 0, failed: 0 });
    h.clock.advance(5 * 60_000);
    expect(await h.sweeper()).toEqual({ checked: 1, failed: 0 });
    expect(h.machine.runs.get(id)?.status).toBe("RUNNING");
    await h.drive(async () => h!.machine.runs.get(id)?.current === "WaitForSignal");
    expect((await h.execution(id)).status).toBe("PAUSED");
  });
});
