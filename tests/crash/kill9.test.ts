import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRng } from "@drso/clock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, login, waitFor } from "../support/api-client.js";
import { freePort, type Spawned, spawnOrchestrator, spawnSimulator, tempDir } from "../support/processes.js";
import { recordResult } from "../support/suite-results.js";

/**
 * Issue acceptance: "the process is killed (real kill -9 of a child process in an integration test) at
 * random points during 20 executions; after restart every execution completes and the simulator shows no
 * duplicate launch." The simulator runs in its own process and is the witness.
 */
const EXECUTIONS = 20;
const KILLS = Number(process.env.DRSO_CRASH_KILLS ?? 6);
const ADMIN = { email: "admin@example.com", password: "Crash-Test-1" };
const ACCOUNT = "111122223333";

describe("crash safety: kill -9 during 20 drills", () => {
  const dir = tempDir("drso-crash-");
  let sim: Awaited<ReturnType<typeof spawnSimulator>>;
  let server: Spawned | undefined;
  let env: Record<string, string>;
  let baseUrl: string;

  beforeAll(async () => {
    const fleetFile = join(dir.path, "fleet.json");
    const servers = Array.from({ length: EXECUTIONS * 3 }, (_, i) => ({
      hostname: `crash-${String(i).padStart(2, "0")}`,
      os: "linux",
      snapshotsHistoryHours: 1,
    }));
    writeFileSync(
      fleetFile,
      JSON.stringify({ accounts: [{ accountId: ACCOUNT, regions: [{ region: "us-east-1", servers }] }] }),
    );
    // StartRecovery answers slowly, so that kills often land between the recorded intent and its result —
    // the window where a careless engine would launch twice.
    const configFile = join(dir.path, "sim-config.json");
    writeFileSync(
      configFile,
      JSON.stringify({ operations: { StartRecovery: { latencyMs: { median: 400, p95: 900 } } } }),
    );
    // 0.02: a five-minute DRS job takes about six seconds.
    sim = await spawnSimulator({ fleetFile, timeScale: 0.02, seed: 7, config: configFile });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      DRSO_DATA_DIR: join(dir.path, "data"),
      DRSO_DRS_ENDPOINT: sim.url,
      DRSO_ADMIN_EMAIL: ADMIN.email,
      DRSO_ADMIN_PASSWORD: ADMIN.password,
      DRSO_RATE_LIMIT_PER_USER: "1000",
    };
    server = await spawnOrchestrator(env);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await sim?.stop();
    dir.remove();
  });

  it("loses no execution and launches no server twice", async () => {
    let api = apiClient(baseUrl, await login(baseUrl, ADMIN.email, ADMIN.password));
    const inventory = await api.get<{ items: Array<{ sourceServerId: string }> }>(
      `/drs/source-servers?region=us-east-1&accountId=${ACCOUNT}&limit=100`,
    );
    expect(inventory.status).toBe(200);
    const ids = inventory.body.items.map((s) => s.sourceServerId);
    expect(ids).toHaveLength(EXECUTIONS * 3);

    const executionIds: string[] = [];
    for (let i = 0; i < EXECUTIONS; i++) {
      const g1 = await api.post<{ groupId: string }>("/protection-groups", {
        name: `crash-${i}-a`,
        accountId: ACCOUNT,
        region: "us-east-1",
        sourceServerIds: ids.slice(i * 3, i * 3 + 2),
      });
      const g2 = await api.post<{ groupId: string }>("/protection-groups", {
        name: `crash-${i}-b`,
        accountId: ACCOUNT,
        region: "us-east-1",
        sourceServerIds: ids.slice(i * 3 + 2, i * 3 + 3),
      });
      const plan = await api.post<{ planId: string }>("/recovery-plans", {
        name: `crash-${i}`,
        waves: [
          { name: "first", protectionGroupIds: [g1.body.groupId] },
          { name: "second", protectionGroupIds: [g2.body.groupId] },
        ],
      });
      expect(plan.status).toBe(201);
      const started = await api.post<{ executionId: string }>(`/recovery-plans/${plan.body.planId}/execute`, {
        executionType: "DRILL",
      });
      expect(started.status).toBe(202);
      executionIds.push(started.body.executionId);
    }

    const rng = createRng(42);
    const recoveries: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 300 + rng.int(0, 2500)));
      // Where each unfinished execution stood when the process died…
      const before = new Map<string, number>();
      for (const id of executionIds) {
        const detail = await api.get<{ status: string }>(`/executions/${id}`);
        if (["COMPLETED", "FAILED", "CANCELLED"].includes(detail.body.status)) continue;
        const events = await api.get<{ items: Array<{ seq: number }> }>(
          `/executions/${id}/events?limit=1000`,
        );
        before.set(id, events.body.items.at(-1)?.seq ?? 0);
      }
      await server!.kill9();
      const killedAt = Date.now();
      server = await spawnOrchestrator(env);
      api = apiClient(baseUrl, await login(baseUrl, ADMIN.email, ADMIN.password));
      // …and how long until the restarted engine moves every one of them on again.
      await waitFor(
        "every interrupted execution to make progress",
        async () => {
          for (const [id, seq] of before) {
            const events = await api.get<{ items: Array<{ seq: number }> }>(
              `/executions/${id}/events?afterSeq=${seq}&limit=1`,
            );
            if (events.body.items.length > 0) before.delete(id);
          }
          return before.size === 0 ? true : undefined;
        },
        90_000,
        200,
      );
      recoveries.push(Date.now() - killedAt);
    }
    // Bounded recovery: restart plus at most one 30 s lease held by the dead process.
    expect(Math.max(...recoveries), JSON.stringify(recoveries)).toBeLessThan(60_000);
    recordResult({
      suite: "chaos",
      property: "recovery after kill -9 (max seconds until every interrupted execution progresses)",
      runs: recoveries.length,
      result: "pass",
      note: `max ${(Math.max(...recoveries) / 1000).toFixed(1)} s, median ${(recoveries.sort((a, b) => a - b)[Math.floor(recoveries.length / 2)]! / 1000).toFixed(1)} s`,
    });

    let last: string[] = [];
    const finished = await waitFor(
      "all executions to finish",
      async () => {
        last = await Promise.all(
          executionIds.map(
            async (id) => (await api.get<{ status: string }>(`/executions/${id}`)).body.status,
          ),
        );
        return last.every((s) => ["COMPLETED", "FAILED", "CANCELLED"].includes(s)) ? last : undefined;
      },
      240_000,
      1000,
    ).catch(async (error: Error) => {
      const stuck = executionIds[last.findIndex((s) => !["COMPLETED", "FAILED", "CANCELLED"].includes(s))];
      const detail = stuck
        ? (
            await api.get<{ waves: Array<{ status: string; jobs: unknown[]; servers: unknown[] }> }>(
              `/executions/${stuck}`,
            )
          ).body
        : undefined;
      const events = stuck
        ? (
            await api.get<{ items: Array<{ type: string; message: string }> }>(
              `/executions/${stuck}/events?limit=200`,
            )
          ).body.items
        : [];
      throw new Error(
        `${error.message}; statuses: ${last.join(", ")}\nstuck ${stuck}: ${JSON.stringify(detail?.waves.map((w) => ({ status: w.status, jobs: w.jobs, servers: w.servers })))}\n${events.map((e) => `${e.type}: ${e.message}`).join("\n")}`,
      );
    });
    expect(
      finished.every((s) => s === "COMPLETED"),
      JSON.stringify(finished),
    ).toBe(true);

    const requests = (await (await fetch(`${sim.url}/__sim/requests?op=StartRecovery&status=202`)).json()) as
      | Array<{ sourceServerIDs?: string[] }>
      | { requests: Array<{ sourceServerIDs?: string[] }> };
    const list = Array.isArray(requests) ? requests : requests.requests;
    const launches = new Map<string, number>();
    for (const r of list)
      for (const id of r.sourceServerIDs ?? []) launches.set(id, (launches.get(id) ?? 0) + 1);
    expect(launches.size).toBe(EXECUTIONS * 3);
    for (const [id, count] of launches) expect(count, id).toBe(1);
    recordResult({
      suite: "chaos",
      property: "kill -9 during 20 drills: no lost execution, no duplicate launch",
      runs: KILLS,
      result: "pass",
      note: `${EXECUTIONS} executions, ${launches.size} servers each launched once`,
    });
  }, 600_000);
});
