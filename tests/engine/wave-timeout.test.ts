import { afterEach, describe, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { type ApiHarness, createApiHarness } from "../support/api-harness.js";
import { createPlan, detailOf, PROD, startExecution, tierGroup } from "../support/scenario.js";

/**
 * Issue 13 item 1: a wave timeout tells the truth. At the deadline the engine asks DRS once: work that already
 * finished is COMPLETED (with DRS's times, even when the orchestrator only looks after an outage); otherwise the
 * wave is TIMED_OUT and its DRS jobs are followed to their end, every recovery instance recorded, so that
 * terminate leaves nothing of the execution running. HTTP API + simulator over the SDK, one virtual clock.
 */

interface Detail {
  status: string;
  endTime?: string;
  error?: { code: string; message: string };
  waves: Array<{
    waveId: string;
    status: string;
    startTime?: string;
    endTime?: string;
    deadlineAt?: string;
    error?: string;
    servers: Array<{
      sourceServerId: string;
      launchStatus: string;
      recoveryInstanceId?: string;
      launchedAt?: string;
      jobId?: string;
      error?: string;
    }>;
    jobs: Array<{ status: string; jobId?: string; jobEndedAt?: string }>;
  }>;
  termination?: { status: string };
}

describe("wave timeout through the HTTP API", () => {
  let h: ApiHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function setup(waves: (groups: string[]) => unknown[]) {
    h = await createApiHarness({ fleet: "demo", settings: { drillTtlHours: 0 } });
    const api = await h.api();
    const groups = [await tierGroup(api, "db"), await tierGroup(api, "app")];
    const planId = await createPlan(api, { name: "Orders", waves: waves(groups) });
    return { api, id: await startExecution(api, planId) };
  }

  const detail = (api: ApiClient, id: string) => detailOf<Detail>(api, id);

  /** Recovery instances DRS holds for these servers that one of the execution's jobs launched. */
  const instancesOf = async (d: Detail) => {
    const jobIds = new Set(d.waves.flatMap((w) => w.jobs.map((j) => j.jobId)).filter(Boolean));
    const ids = d.waves.flatMap((w) => w.servers.map((s) => s.sourceServerId));
    const all = await h!.drs.forTarget(PROD).describeRecoveryInstances({ sourceServerIds: ids });
    return all.filter((i) => i.jobId !== undefined && jobIds.has(i.jobId) && i.ec2State !== "TERMINATED");
  };

  it("times out a wave whose DRS job is still running, follows the job to its end and terminates everything it launched", async () => {
    // DRS needs minutes for a launch (conversion alone ~3 min); the first wave allows 60 s.
    const { api, id } = await setup((g) => [
      { name: "db", protectionGroupIds: [g[0]], timeoutSeconds: 60 },
      { name: "app", protectionGroupIds: [g[1]] },
    ]);
    await h!.drive(async () => (await detail(api, id)).waves[0]!.status !== "RUNNING");
    let d = await detail(api, id);
    expect(d.waves[0]!.status).toBe("TIMED_OUT");
    expect(d.waves[0]!.error).toMatch(/timed out after 60 s/);
    // The job was not abandoned: the execution is still following it.
    expect(d.status).toBe("RUNNING");
    expect(d.waves[0]!.jobs.every((j) => j.status === "ACTIVE" && j.jobId)).toBe(true);
    expect(d.waves[1]!.status).toBe("SKIPPED");

    await h!.drive(h!.terminal(id));
    d = await detail(api, id);
    expect(d.status).toBe("FAILED");
    expect(d.error?.code).toBe("WAVE_TIMED_OUT");
    expect(d.waves[0]!.status).toBe("TIMED_OUT");
    expect(d.waves[0]!.jobs.every((j) => j.status === "DONE")).toBe(true);
    // Every instance DRS launched after the deadline is recorded on its server.
    const launched = await instancesOf(d);
    expect(launched.length).toBeGreaterThan(0);
    const recorded = new Set(d.waves[0]!.servers.map((s) => s.recoveryInstanceId));
    for (const i of launched) expect(recorded.has(i.recoveryInstanceId), i.recoveryInstanceId).toBe(true);
    for (const s of d.waves[0]!.servers) expect(s.error).toMatch(/after the wave timed out/);

    expect((await api.post(`/executions/${id}/terminate-instances`)).status).toBe(202);
    await h!.drive(async () => (await detail(api, id)).termination?.status === "COMPLETED");
    expect(await instancesOf(await detail(api, id))).toHaveLength(0);
  });

  it("completes a wave whose DRS job finished during an orchestrator outage longer than the wave's budget", async () => {
    const { api, id } = await setup((g) => [
      { name: "db", protectionGroupIds: [g[0]], timeoutSeconds: 1800 },
    ]);
    await h!.drive(async () =>
      (await detail(api, id)).waves[0]!.servers.some((s) => s.launchStatus === "IN_PROGRESS"),
    );
    const before = await detail(api, id);
    const deadline = Date.parse(before.waves[0]!.startTime!) + 1800_000;
    // The orchestrator is down for two hours; DRS carries on and finishes the job.
    h!.clock.advance(2 * 3600_000);
    const restartedAt = h!.clock.now();
    await h!.drive(h!.terminal(id));
    const d = await detail(api, id);
    expect(d.waves[0]!.status, d.waves[0]!.error).toBe("COMPLETED");
    expect(d.status).toBe("COMPLETED");
    // Achieved times come from DRS's job, not from when the orchestrator noticed.
    const jobEnd = Date.parse(d.waves[0]!.jobs[0]!.jobEndedAt!);
    expect(jobEnd).toBeLessThan(deadline);
    for (const s of d.waves[0]!.servers) expect(Date.parse(s.launchedAt!)).toBeLessThanOrEqual(jobEnd);
    expect(Date.parse(d.waves[0]!.endTime!)).toBeLessThanOrEqual(jobEnd);
    expect(Date.parse(d.endTime!)).toBeLessThan(restartedAt);
  });

  it("terminate finds and terminates instances the execution's jobs launched but never recorded (an outage past the follow window)", async () => {
    const { api, id } = await setup((g) => [{ name: "db", protectionGroupIds: [g[0]], timeoutSeconds: 60 }]);
    await h!.drive(async () => (await detail(api, id)).waves[0]!.status === "TIMED_OUT");
    // The orchestrator is down for seven hours: longer than it follows a timed-out wave's jobs (6 h). DRS
    // finishes the job meanwhile and its recovery instances run.
    h!.clock.advance(7 * 3600_000);
    await h!.drive(h!.terminal(id));
    let d = await detail(api, id);
    const launched = await instancesOf(d);
    expect(launched.length).toBeGreaterThan(0);

    expect((await api.post(`/executions/${id}/terminate-instances`)).status).toBe(202);
    await h!.drive(async () =>
      ["COMPLETED", "FAILED"].includes((await detail(api, id)).termination?.status ?? ""),
    );
    d = await detail(api, id);
    expect(d.termination?.status).toBe("COMPLETED");
    expect(await instancesOf(d)).toHaveLength(0);
    // What termination found is recorded on the servers.
    const recorded = new Set(d.waves[0]!.servers.map((s) => s.recoveryInstanceId));
    for (const i of launched) expect(recorded.has(i.recoveryInstanceId), i.recoveryInstanceId).toBe(true);
  });
});
