import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, waitFor } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Issue 17 items 3 and 4 over HTTP against the real product (SQLite + the DRS simulator with faults): OPTIONAL
 * servers whose failure does not fail their wave, and run control — retry a failed wave (only its failed servers
 * launch again), skip a wave that has not started, and onFailure pause waiting for a person to retry, skip or abort.
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };

interface Detail {
  status: string;
  error?: { code: string; message: string };
  pause?: { reason: string; waveId?: string };
  counts: { failed: number; optionalFailed: number; launched: number };
  waves: Array<{
    waveId: string;
    status: string;
    error?: string;
    awaitingDecision?: boolean;
    retries?: number;
    decision?: { decision: string; by: string; comment?: string; fromStatus: string };
    jobs: Array<{ batchId: string; servers: number; status: string }>;
    servers: Array<{ sourceServerId: string; launchStatus: string; impact: string; retries?: number }>;
  }>;
}

describe("run control and per-server impact", { timeout: 300_000 }, () => {
  let t: TestServer;
  let admin: ApiClient;
  let db: { groupId: string; servers: string[] };
  let app: { groupId: string; servers: string[] };

  const failLaunches = (ids: string[], on: boolean) =>
    t.server.simulator!.control.setConfig({
      servers: Object.fromEntries(ids.map((id) => [id, on ? { launchFailureRate: 1 } : null])),
    });

  async function makeGroup(tier: string, extra: Record<string, unknown> = {}) {
    const g = await admin.post<{ groupId: string; servers: Array<{ sourceServerId: string }> }>(
      "/protection-groups",
      { name: `rc-${tier}-${Math.random().toString(36).slice(2, 8)}`, ...PROD, ...extra },
    );
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    return { groupId: g.body.groupId, servers: g.body.servers.map((s) => s.sourceServerId) };
  }

  async function run(waves: unknown[]): Promise<{ executionId: string; detail: () => Promise<Detail> }> {
    const plan = await admin.post<{ planId: string }>("/recovery-plans", {
      name: `rc-${Math.random().toString(36).slice(2, 10)}`,
      waves,
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const started = await admin.post<{ executionId: string }>(`/recovery-plans/${plan.body.planId}/execute`, {
      executionType: "DRILL",
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const executionId = started.body.executionId;
    return {
      executionId,
      detail: async () => (await admin.get<Detail>(`/executions/${executionId}`)).body,
    };
  }

  const ended = (detail: () => Promise<Detail>) =>
    waitFor("the execution to end", async () => {
      const d = await detail();
      return ["COMPLETED", "FAILED", "CANCELLED"].includes(d.status) ? d : undefined;
    });

  beforeAll(async () => {
    t = await startTestServer({ DRSO_SIM_TIME_SCALE: "0.01" });
    admin = t.admin;
    db = await makeGroup("web", { serverSelectionTags: { App: "orders", Tier: "web" } });
    app = await makeGroup("app", { serverSelectionTags: { App: "orders", Tier: "app" } });
    expect(db.servers.length).toBeGreaterThanOrEqual(2);
    expect(app.servers.length).toBeGreaterThanOrEqual(1);
  }, 120_000);
  afterAll(async () => t?.close());

  it("an OPTIONAL server's failure does not fail its wave; the summary counts it apart", async () => {
    const group = await makeGroup("mixed", { serverSelectionTags: { App: "billing" } });
    expect(group.servers.length).toBeGreaterThanOrEqual(2);
    const [optional] = group.servers;
    const updated = await admin.put(`/protection-groups/${group.groupId}`, {
      name: "rc-billing-mixed",
      ...PROD,
      serverSelectionTags: { App: "billing" },
      serverImpactOverrides: { [optional!]: "OPTIONAL" },
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect((updated.body as { serverImpactOverrides?: unknown }).serverImpactOverrides).toEqual({
      [optional!]: "OPTIONAL",
    });
    failLaunches([optional!], true);
    try {
      const { executionId, detail } = await run([
        { name: "db", protectionGroupIds: [group.groupId] },
        { name: "app", protectionGroupIds: [app.groupId] },
      ]);
      const d = await ended(detail);
      expect(d.status).toBe("COMPLETED");
      expect(d.waves.map((w) => w.status)).toEqual(["COMPLETED", "COMPLETED"]);
      const server = d.waves[0]!.servers.find((s) => s.sourceServerId === optional)!;
      expect(server).toMatchObject({ launchStatus: "FAILED", impact: "OPTIONAL" });
      expect(d.counts.optionalFailed).toBe(1);
      expect(d.counts.failed).toBe(1);
      const events = await admin.get<{ items: Array<{ type: string; message: string }> }>(
        `/executions/${executionId}/events`,
      );
      expect(events.body.items.find((e) => e.type === "wave.optional-failures")?.message).toContain(
        "optional server",
      );
      const list = await admin.get<{ items: Array<{ executionId: string; optionalServersFailed?: number }> }>(
        "/executions",
      );
      expect(list.body.items.find((e) => e.executionId === executionId)?.optionalServersFailed).toBe(1);
      const report = await admin.get<{
        outcome: { optionalFailed: number };
        failures: Array<{ sourceServerId: string; impact: string }>;
      }>(`/executions/${executionId}/report`);
      expect(report.body.outcome.optionalFailed).toBe(1);
      expect(report.body.failures).toEqual([
        expect.objectContaining({ sourceServerId: optional, impact: "OPTIONAL" }),
      ]);
    } finally {
      failLaunches([optional!], false);
    }
  });

  it("refuses a bad override: a server outside an explicit group's servers", async () => {
    const bad = await admin.post<{ code: string; issues?: Array<{ path: string }> }>("/protection-groups", {
      name: "rc-bad-override",
      ...PROD,
      sourceServerIds: [db.servers[0]],
      serverImpactOverrides: { [app.servers[0]!]: "OPTIONAL" },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("serverImpactOverrides");
    const badValue = await admin.post("/protection-groups", {
      name: "rc-bad-impact",
      ...PROD,
      sourceServerIds: [db.servers[0]],
      serverImpact: "SOMETIMES",
    });
    expect(badValue.status).toBe(400);
  });

  it("onFailure pause waits for a person; retry relaunches only the failed server and the plan goes on", async () => {
    const failing = db.servers[0]!;
    failLaunches([failing], true);
    const { executionId, detail } = await run([
      { name: "db", protectionGroupIds: [db.groupId], onFailure: "pause" },
      { name: "app", protectionGroupIds: [app.groupId] },
    ]);
    const paused = await waitFor("the failure pause", async () => {
      const d = await detail();
      return d.pause?.reason === "failure" ? d : undefined;
    });
    expect(paused.status).toBe("PAUSED");
    expect(paused.waves[0]).toMatchObject({ status: "FAILED", awaitingDecision: true });
    expect(paused.waves[1]!.status).toBe("PENDING");
    const launchedBefore = paused.waves[0]!.servers.filter((s) => s.launchStatus === "LAUNCHED").length;
    expect(launchedBefore).toBe(db.servers.length - 1);
    const jobsBefore = paused.waves[0]!.jobs.length;

    // RBAC: a read-only user cannot decide; bad input changes nothing.
    const viewer = await t.as("DRSViewer");
    expect((await viewer.api.post(`/executions/${executionId}/waves/wave-1/retry`, {})).status).toBe(403);
    const badWave = await admin.post<{ code: string }>(`/executions/${executionId}/waves/No_Such/retry`, {});
    expect(badWave.status).toBe(400);
    const unknownWave = await admin.post<{ code: string }>(
      `/executions/${executionId}/waves/wave-9/retry`,
      {},
    );
    expect(unknownWave.status).toBe(404);
    expect(unknownWave.body.code).toBe("WAVE_NOT_FOUND");
    const notYet = await admin.post<{ code: string }>(`/executions/${executionId}/waves/wave-2/retry`, {});
    expect(notYet.status).toBe(409);
    expect(notYet.body.code).toBe("INVALID_STATE");
    const badComment = await admin.post(`/executions/${executionId}/waves/wave-1/retry`, {
      comment: "a\u0007b",
    });
    expect(badComment.status).toBe(400);
    expect((await detail()).waves[0]!.status).toBe("FAILED");

    failLaunches([failing], false);
    const retry = await admin.post<{ accepted: string }>(`/executions/${executionId}/waves/wave-1/retry`, {
      comment: "DRS capacity restored",
    });
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    const d = await ended(detail);
    expect(d.status).toBe("COMPLETED");
    expect(d.waves.map((w) => w.status)).toEqual(["COMPLETED", "COMPLETED"]);
    const wave = d.waves[0]!;
    expect(wave.retries).toBe(1);
    expect(wave.decision).toMatchObject({
      decision: "retry",
      fromStatus: "FAILED",
      comment: "DRS capacity restored",
    });
    // Only the failed server was relaunched: one new job with one server, the others kept their instances.
    expect(wave.jobs.length).toBe(jobsBefore + 1);
    expect(wave.jobs.at(-1)!.servers).toBe(1);
    expect(wave.servers.find((s) => s.sourceServerId === failing)).toMatchObject({
      launchStatus: "LAUNCHED",
      retries: 1,
    });
    expect(wave.servers.filter((s) => s.retries).length).toBe(1);
    // The report lists the retry among the human actions, with its comment.
    const report = await admin.get<{
      humanActions: Array<{ action: string; subject?: string; comment?: string }>;
    }>(`/executions/${executionId}/report`);
    expect(report.body.humanActions).toContainEqual(
      expect.objectContaining({ action: "retried wave", subject: "db", comment: "DRS capacity restored" }),
    );
    const audit = await admin.get<{ items: Array<{ action: string; targetId?: string }> }>(
      "/audit?action=execution.wave-retry",
    );
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain(executionId);
  });

  it("onFailure pause then skip: the failure is accepted and the dependants start", async () => {
    const failing = db.servers[0]!;
    failLaunches([failing], true);
    try {
      const { executionId, detail } = await run([
        { name: "db", protectionGroupIds: [db.groupId], onFailure: "pause" },
        { name: "app", protectionGroupIds: [app.groupId] },
      ]);
      await waitFor("the failure pause", async () =>
        (await detail()).pause?.reason === "failure" ? true : undefined,
      );
      const abortOther = await admin.post<{ code: string }>(
        `/executions/${executionId}/waves/wave-2/abort`,
        {},
      );
      expect(abortOther.status).toBe(409);
      const skip = await admin.post(`/executions/${executionId}/waves/wave-1/skip`, {
        comment: "db replica lost, app can run",
      });
      expect(skip.status).toBe(202);
      const d = await ended(detail);
      expect(d.waves.map((w) => w.status)).toEqual(["FAILED", "COMPLETED"]);
      expect(d.waves[0]!.decision).toMatchObject({ decision: "skip", fromStatus: "FAILED" });
      expect(d.status).toBe("COMPLETED");
    } finally {
      failLaunches([failing], false);
    }
  });

  it("onFailure pause then abort: waves not started are skipped and the execution fails", async () => {
    const failing = db.servers[0]!;
    failLaunches([failing], true);
    try {
      const { executionId, detail } = await run([
        { name: "db", protectionGroupIds: [db.groupId], onFailure: "pause" },
        { name: "app", protectionGroupIds: [app.groupId] },
      ]);
      await waitFor("the failure pause", async () =>
        (await detail()).pause?.reason === "failure" ? true : undefined,
      );
      const abort = await admin.post(`/executions/${executionId}/waves/wave-1/abort`, { comment: "call it" });
      expect(abort.status).toBe(202);
      const d = await ended(detail);
      expect(d.status).toBe("FAILED");
      expect(d.waves.map((w) => w.status)).toEqual(["FAILED", "SKIPPED"]);
      expect(d.error?.message).toContain("aborted by");
      const again = await admin.post<{ code: string }>(`/executions/${executionId}/waves/wave-1/retry`, {});
      expect(again.status).toBe(409);
    } finally {
      failLaunches([failing], false);
    }
  });

  it("skips a wave that has not started; the waves that depend on it still start", async () => {
    const { executionId, detail } = await run([
      { name: "db", protectionGroupIds: [db.groupId] },
      { name: "app", protectionGroupIds: [app.groupId], pauseBefore: true },
      {
        name: "smoke",
        protectionGroupIds: [
          (await makeGroup("smoke", { serverSelectionTags: { App: "crm", Tier: "db" } })).groupId,
        ],
        dependsOn: ["wave-2"],
      },
    ]);
    await waitFor("the pause before app", async () =>
      (await detail()).waves[1]!.status === "WAITING" ? true : undefined,
    );
    const running = await admin.post<{ code: string }>(`/executions/${executionId}/waves/wave-1/skip`, {});
    expect(running.status).toBe(409);
    const skip = await admin.post(`/executions/${executionId}/waves/wave-2/skip`, {
      comment: "app tier not needed",
    });
    expect(skip.status).toBe(202);
    const d = await ended(detail);
    expect(d.waves.map((w) => w.status)).toEqual(["COMPLETED", "SKIPPED", "COMPLETED"]);
    expect(d.waves[1]!.decision).toMatchObject({ decision: "skip", fromStatus: "WAITING" });
    expect(d.status).toBe("COMPLETED");
  });
});
