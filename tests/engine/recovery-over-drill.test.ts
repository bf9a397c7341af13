import { afterEach, describe, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { type ApiHarness, createApiHarness } from "../support/api-harness.js";
import { createPlan, detailOf, PROD, startExecution, tierGroup } from "../support/scenario.js";

/**
 * Issue 13 item 2: a RECOVERY is never blocked by a drill. Starting a RECOVERY whose servers an active DRILL of
 * this product holds cancels the drill (an event names the recovery), follows the drill's jobs to their end, then
 * launches each server once; a server held by a DRS job that is not ours is waited for with backoff (an event
 * names the job) instead of failing. Bounded: a handful of ConflictExceptions, not a hot loop.
 * HTTP API + simulator over the SDK, one virtual clock.
 */
interface Detail {
  status: string;
  executionType: string;
  error?: { code: string; message: string };
  waves: Array<{
    status: string;
    error?: string;
    servers: Array<{ sourceServerId: string; launchStatus: string; jobId?: string; error?: string }>;
  }>;
}
interface Events {
  items: Array<{ type: string; message: string; data?: Record<string, unknown> }>;
}

describe("a RECOVERY over servers held by a drill, through the HTTP API", () => {
  let h: ApiHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function setup(timeoutSeconds = 3600) {
    h = await createApiHarness({ fleet: "demo", settings: { drillTtlHours: 0 } });
    const api = await h.api();
    const groupId = await tierGroup(api, "db");
    return {
      api,
      planId: await createPlan(api, {
        name: "Orders",
        waves: [{ name: "db", protectionGroupIds: [groupId], timeoutSeconds }],
      }),
    };
  }

  const detail = (api: ApiClient, id: string) => detailOf<Detail>(api, id);
  const events = async (api: ApiClient, id: string) =>
    (await api.get<Events>(`/executions/${id}/events?limit=500`)).body.items;

  /** LAUNCH jobs DRS ran per source server, by kind (drill / recovery). */
  const launchJobs = async (serverIds: string[]) => {
    const jobs = await h!.drs.forTarget(PROD).describeJobs({ fromDate: "2026-01-01T00:00:00Z" });
    const count = (initiatedBy: string) => {
      const n = new Map<string, number>();
      for (const j of jobs.filter((x) => x.type === "LAUNCH" && x.initiatedBy === initiatedBy))
        for (const p of j.participants)
          if (serverIds.includes(p.sourceServerId))
            n.set(p.sourceServerId, (n.get(p.sourceServerId) ?? 0) + 1);
      return n;
    };
    return { drill: count("START_DRILL"), recovery: count("START_RECOVERY") };
  };

  it("cancels the drill, follows its job to the end, then launches each server once by a recovery job", async () => {
    const { api, planId } = await setup();
    const drillId = await startExecution(api, planId);
    await h!.drive(async () =>
      (await detail(api, drillId)).waves[0]!.servers.every((s) => s.launchStatus === "IN_PROGRESS"),
    );

    const recoveryId = await startExecution(api, planId, { executionType: "RECOVERY", confirm: "Orders" });

    await h!.drive(async () => (await h!.terminal(drillId)()) && (await h!.terminal(recoveryId)()));
    const d = await detail(api, drillId);
    const r = await detail(api, recoveryId);
    expect(d.status).toBe("CANCELLED");
    const cancelling = (await events(api, drillId)).find((e) => e.type === "execution.cancelling");
    expect(cancelling?.message).toContain(recoveryId);
    expect(cancelling?.message).toMatch(/RECOVERY/);

    expect(r.status, JSON.stringify(r.waves[0])).toBe("COMPLETED");
    const ids = r.waves[0]!.servers.map((s) => s.sourceServerId);
    expect(r.waves[0]!.servers.every((s) => s.launchStatus === "LAUNCHED")).toBe(true);
    const jobs = await launchJobs(ids);
    for (const id of ids) expect(jobs.recovery.get(id), id).toBe(1);
    const recoveryEvents = await events(api, recoveryId);
    expect(
      recoveryEvents.some((e) => e.type === "execution.drill-cancelled" && e.message.includes(drillId)),
    ).toBe(true);
    const conflicts = h!.sim.control.requests({ op: "StartRecovery", errorType: "ConflictException" });
    expect(conflicts.length).toBeLessThanOrEqual(3);
  });

  it("waits with backoff for a DRS job that is not ours, naming it, and launches once it has ended", async () => {
    const { api, planId } = await setup();
    // Someone starts a drill in the DRS console, outside the orchestrator.
    const servers = await h!.drs.forTarget(PROD).describeSourceServers({});
    const db = servers
      .filter((s) => s.tags.App === "orders" && s.tags.Tier === "db")
      .map((s) => s.sourceServerId);
    const outside = await h!.drs.forTarget(PROD).startRecovery({
      sourceServerIds: db,
      isDrill: true,
      tags: { Owner: "console" },
    });
    const id = await startExecution(api, planId, { executionType: "RECOVERY", confirm: "Orders" });
    await h!.drive(h!.terminal(id));
    const r = await detail(api, id);
    expect(r.status, JSON.stringify(r.waves[0])).toBe("COMPLETED");
    const held = (await events(api, id)).filter((e) => e.type === "batch.held");
    expect(held.length).toBeGreaterThan(0);
    expect(held[0]!.message).toContain(outside.jobId);
    const jobs = await launchJobs(db);
    for (const s of db) expect(jobs.recovery.get(s), s).toBe(1);
    const conflicts = h!.sim.control.requests({ op: "StartRecovery", errorType: "ConflictException" });
    expect(conflicts.length).toBeLessThanOrEqual(3);
  });

  it("a job that is not ours and outlasts the wave's launch deadline times the wave out, naming the job; nothing is launched", async () => {
    const { api, planId } = await setup(60);
    const servers = await h!.drs.forTarget(PROD).describeSourceServers({});
    const db = servers
      .filter((s) => s.tags.App === "orders" && s.tags.Tier === "db")
      .map((s) => s.sourceServerId);
    const outside = await h!.drs
      .forTarget(PROD)
      .startRecovery({ sourceServerIds: db, isDrill: true, tags: {} });
    const id = await startExecution(api, planId, { executionType: "RECOVERY", confirm: "Orders" });
    await h!.drive(h!.terminal(id));
    const r = await detail(api, id);
    expect(r.status).toBe("FAILED");
    expect(r.error?.code).toBe("WAVE_TIMED_OUT");
    for (const s of r.waves[0]!.servers) {
      expect(s.launchStatus).toBe("FAILED");
      expect(s.error).toContain(`held by DRS job ${outside.jobId}`);
    }
    expect((await launchJobs(db)).recovery.size).toBe(0);
    // Looked up with backoff, not in a loop: a 60 s wait is a handful of lookups.
    const lookups = h!.sim.control.requests({ op: "DescribeJobs" }).length;
    expect(lookups).toBeLessThan(40);
  });
});
