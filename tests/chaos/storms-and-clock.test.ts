import { afterEach, describe, expect, it } from "vitest";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";
import { recordResult } from "../support/suite-results.js";

/**
 * Chaos in virtual time: DRS fault storms and host clock jumps. Every execution ends, nothing is launched
 * twice, and nothing stalls for the size of a clock jump.
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };
const TIERS = ["db", "app", "web"] as const;

async function ordersPlan(h: EngineHarness, name: string, app: string) {
  const groups = [];
  for (const tier of TIERS)
    groups.push(
      (await h.group({ name: `${name}-${tier}`, ...PROD, serverSelectionTags: { App: app, Tier: tier } }))
        .groupId,
    );
  return h.plan({
    name,
    waves: groups.map((g, i) => ({ waveId: TIERS[i]!, name: TIERS[i]!, protectionGroupIds: [g] })),
  });
}

function assertLaunchedOnce(h: EngineHarness) {
  for (const [server, count] of h.launchesByServer()) expect(count, server).toBe(1);
}

describe("chaos: DRS fault storms", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("rides out a throttling storm, 5xx, lost responses and a stuck job: everything ends, nothing launches twice", async () => {
    h = await createEngineHarness({ fleet: "demo", seed: 5 });
    const plans = [
      await ordersPlan(h, "orders", "orders"),
      await ordersPlan(h, "billing", "billing"),
      await ordersPlan(h, "crm", "crm"),
    ];
    const ids: string[] = [];
    for (const p of plans)
      ids.push(
        (await h.services.executions.start(p.planId, { executionType: "DRILL" }, "chaos@example.com"))
          .executionId,
      );
    const crmDb = (await h.drs.forTarget(PROD).describeSourceServers()).find(
      (s) => s.hostname === "db-crm-01",
    )!;
    h.sim.control.setConfig({
      // 100 % throttling for the first ten minutes of DRS time, then random faults for the rest of the run.
      throttleWindows: [{ startMs: 0, endMs: 10 * 60_000 }],
      internalErrorProbability: 0.1,
      malformedJsonProbability: 0.05,
      connectionResetProbability: 0.05,
      connectionResetPhase: "after",
      stuckJob: { where: "STARTED", servers: [crmDb.sourceServerId] },
    } as never);
    await h.drive(async () => (await Promise.all(ids.map((id) => h!.terminal(id)()))).every(Boolean), 50_000);
    h.sim.control.setConfig({
      internalErrorProbability: 0,
      malformedJsonProbability: 0,
      connectionResetProbability: 0,
    } as never);
    const [orders, billing, crm] = await Promise.all(ids.map((id) => h!.execution(id)));
    expect(
      orders!.status,
      JSON.stringify(
        orders!.waves.map((w) => [w.status, w.error, w.batches.map((b) => [b.status, b.lastError])]),
      ),
    ).toBe("COMPLETED");
    expect(billing!.status).toBe("COMPLETED");
    // The stuck job never ends: its wave times out, the execution fails and says why.
    expect(crm!.status).toBe("FAILED");
    expect(crm!.waves[0]!.error).toContain("timed out");
    assertLaunchedOnce(h);
    const throttled = h.sim.control.requests({ errorType: "ThrottlingException" }).length;
    expect(throttled).toBeGreaterThan(0);
    recordResult({
      suite: "chaos",
      property:
        "DRS fault storm (10 min of throttling, 5xx, lost responses, stuck job): all end, no duplicate launch",
      runs: ids.length,
      result: "pass",
      note: `${throttled} throttled requests absorbed`,
    });
  }, 300_000);
});

describe("chaos: host clock jumps", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function runWithJump(jumpMs: number) {
    h = await createEngineHarness({ fleet: "demo", seed: 6 });
    const plan = await ordersPlan(h, "orders", "orders");
    const started = await h.services.executions.start(
      plan.planId,
      { executionType: "DRILL" },
      "chaos@example.com",
    );
    const simStart = h.clock.now();
    await h.drive(async () => (await h!.execution(started.executionId)).waves[1]!.status === "RUNNING");
    h.engineClock.offsetMs += jumpMs;
    await h.drive(h.terminal(started.executionId));
    const e = await h.execution(started.executionId);
    assertLaunchedOnce(h);
    return { e, drsMinutes: (h.clock.now() - simStart) / 60_000 };
  }

  it("a one-hour jump backwards neither stalls the execution nor repeats launches", async () => {
    const { e, drsMinutes } = await runWithJump(-3_600_000);
    expect(e.status).toBe("COMPLETED");
    // Three waves of about five minutes each: a stall would add the hour.
    expect(drsMinutes).toBeLessThan(45);
    recordResult({
      suite: "chaos",
      property: "host clock jumps (1 h back, 30 min forward): no stall, no duplicate launch",
      runs: 2,
      result: "pass",
      note: `drill finished in ${drsMinutes.toFixed(0)} DRS minutes after a 1 h backward jump`,
    });
  }, 120_000);

  it("a 30-minute jump forwards is absorbed by the wave timeouts (2 h)", async () => {
    const { e } = await runWithJump(30 * 60_000);
    expect(e.status).toBe("COMPLETED");
  }, 120_000);
});
