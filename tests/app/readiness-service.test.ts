import { CHANGE_QUIET_MS, createServices } from "@drso/app";
import { ManualClock } from "@drso/clock";
import {
  DrsError,
  type DrsGateway,
  type DrsGatewayFactory,
  type NotifiedEvent,
  type SourceServer,
} from "@drso/core";
import { createMemoryStore } from "@drso/store";
import { describe, expect, it } from "vitest";

/**
 * The readiness service over the in-memory store and a DRS fake that answers what the checks read: what it stores,
 * what it notifies and audits (changes only), the SSM lookup in aws mode, the launch configuration, the history's
 * bound and the schedule.
 */
const T = { accountId: "111122223333", region: "us-east-1" };

function fakeDrs(mode: "sim" | "aws") {
  const servers: SourceServer[] = ["web-1", "web-2"].map((hostname, i) => ({
    ...T,
    sourceServerId: `s-0000000000000000${i}`,
    hostname,
    tags: { App: "shop" },
    replicationState: "CONTINUOUS",
    readiness: "READY",
    lagDuration: "PT0S",
    originEnvironment: "ON_PREMISES",
  }));
  const state = { missingLaunchConfig: new Set<string>(), now: () => 0 };
  const gateway = {
    target: T,
    describeSourceServers: async () => servers.map((s) => ({ ...s })),
    checkInitialized: async () => true,
    describeRecoverySnapshots: async (id: string) => [
      {
        snapshotId: `pit-${id}`,
        sourceServerId: id,
        expectedTimestamp: new Date(state.now() - 60_000).toISOString(),
      },
    ],
    getLaunchConfiguration: async (id: string) => {
      if (state.missingLaunchConfig.has(id))
        throw new DrsError("GetLaunchConfiguration", "not-found", "no such");
      return { sourceServerId: id, ec2LaunchTemplateId: "lt-0123" };
    },
  } as unknown as DrsGateway;
  const factory: DrsGatewayFactory = { mode, forTarget: () => gateway };
  return { factory, servers, state };
}

async function setup(mode: "sim" | "aws", actions?: { documentExists?: (name: string) => Promise<boolean> }) {
  const store = createMemoryStore();
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 12));
  const drs = fakeDrs(mode);
  drs.state.now = () => clock.now();
  const published: NotifiedEvent[] = [];
  let n = 0;
  const services = createServices({
    store,
    drs: drs.factory,
    clock,
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    users: {} as never,
    notifier: { publish: async (e) => void published.push(e) },
    ...(actions
      ? {
          actions: {
            supports: () => true,
            start: async () => ({ status: "SUCCEEDED" as const }),
            poll: async () => ({ status: "SUCCEEDED" as const }),
            ...(actions.documentExists ? { documentExists: actions.documentExists } : {}),
          },
        }
      : {}),
  });
  const now = new Date(clock.now()).toISOString();
  const group = await store.protectionGroups.create({
    groupId: "00000000-0000-4000-8000-0000000000aa",
    name: "shop",
    ...T,
    selectionMode: "tags",
    serverSelectionTags: { App: "shop" },
    owner: "test",
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  const plan = await store.recoveryPlans.create({
    planId: "00000000-0000-4000-8000-0000000000bb",
    name: "shop",
    rpoSeconds: 900,
    waves: [
      {
        waveId: "wave-1",
        name: "web",
        protectionGroupIds: [group.groupId],
        dependsOn: [],
        pauseBefore: false,
        preActions: [{ type: "ssm-command", documentName: "Shop-Stop" } as never],
        postActions: [{ type: "ssm-automation", documentName: "AWS-RestartEC2Instance" } as never],
        onFailure: "abort",
        timeoutSeconds: 3600,
      },
    ],
    owner: "test",
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  return { services, store, clock, drs, published, planId: plan.planId };
}

describe("readiness service", () => {
  it("stores the result, starts the history without notifying, then notifies and audits each change only", async () => {
    const t = await setup("sim");
    const first = await t.services.readiness.evaluate(t.planId, "test");
    expect(first.status).toBe("WARNINGS"); // never drilled
    expect(first.notApplicable.map((x) => x.check)).toEqual(["ssm-documents"]);
    expect(t.published).toEqual([]);
    expect((await t.services.readiness.statusOf(t.planId))?.status).toBe("WARNINGS");

    t.drs.state.missingLaunchConfig.add(t.drs.servers[0]!.sourceServerId);
    const broken = await t.services.readiness.evaluate(t.planId, "test");
    expect(broken.status).toBe("NOT_READY");
    expect(broken.checks.find((c) => c.check === "launch-configuration")).toMatchObject({
      severity: "error",
      hostname: "web-1",
      waveName: "web",
    });
    await t.services.readiness.evaluate(t.planId, "test"); // same status: nothing new
    expect(t.published.map((e) => [e.type, e.eventId, e.planName])).toEqual([
      ["plan.readiness-changed", `readiness:${t.planId}:2`, "shop"],
    ]);
    expect(t.published[0]!.data).toMatchObject({ previous: "WARNINGS", status: "NOT_READY" });
    const audit = await t.store.audit.list({ action: "recovery-plan.readiness-changed" }, {});
    expect(audit.items.map((a) => a.targetId)).toEqual([t.planId]);
    const history = await t.services.readiness.history(t.planId);
    expect(history.items.map((h) => `${h.previous}->${h.status}`)).toEqual([
      "WARNINGS->NOT_READY",
      "null->WARNINGS",
    ]);
  });

  it("keeps the last 50 changes", async () => {
    const t = await setup("sim");
    const id = t.drs.servers[0]!.sourceServerId;
    for (let i = 0; i < 60; i++) {
      if (i % 2) t.drs.state.missingLaunchConfig.add(id);
      else t.drs.state.missingLaunchConfig.delete(id);
      await t.services.readiness.evaluate(t.planId, "flip");
    }
    const history = await t.services.readiness.history(t.planId);
    expect(history.items).toHaveLength(50);
    expect(history.items[0]!.seq).toBe(60);
  });

  it("in aws mode looks the actions' SSM documents up where the wave's servers are", async () => {
    const asked: string[] = [];
    const t = await setup("aws", {
      documentExists: async (name) => {
        asked.push(name);
        return name.startsWith("AWS-");
      },
    });
    const r = await t.services.readiness.evaluate(t.planId, "test");
    expect(asked.sort()).toEqual(["AWS-RestartEC2Instance", "Shop-Stop"]);
    expect(r.checks.filter((c) => c.check === "ssm-documents").map((c) => [c.severity, c.message])).toEqual([
      ["error", "SSM document 'Shop-Stop' named by wave 'web' does not exist."],
    ]);
    const blind = await setup("aws", {});
    const unknown = await blind.services.readiness.evaluate(blind.planId, "test");
    expect(unknown.checks.filter((c) => c.check === "ssm-documents").map((c) => c.severity)).toEqual([
      "warning",
      "warning",
    ]);
  });

  it("sweeps every readinessIntervalMinutes, and a settings change evaluates again in the background", async () => {
    const t = await setup("sim");
    expect(await t.services.readiness.sweepIfDue()).toBe(true);
    expect(await t.services.readiness.sweepIfDue()).toBe(false);
    t.clock.advance(14 * 60_000);
    expect(await t.services.readiness.sweepIfDue()).toBe(false);
    t.clock.advance(60_000);
    expect(await t.services.readiness.sweepIfDue()).toBe(true);
    const before = (await t.services.readiness.statusOf(t.planId))!.evaluatedAt;
    t.clock.advance(1000);
    await t.services.settings.update({ readinessMaxDrillAgeDays: 30 }, undefined);
    t.clock.advance(CHANGE_QUIET_MS - 1000);
    await t.services.readiness.settled();
    expect((await t.services.readiness.statusOf(t.planId))!.evaluatedAt).toBe(before); // changes settle first
    t.clock.advance(1000);
    await t.services.readiness.settled();
    expect((await t.services.readiness.statusOf(t.planId))!.evaluatedAt > before).toBe(true);
  });
});
