import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ApiClient, apiClient, login, waitFor } from "../support/api-client.js";
import { freePort, ROOT, type Spawned, spawnOrchestrator, tempDir } from "../support/processes.js";
import { recordResult, trackOutcome } from "../support/suite-results.js";

/**
 * Issue 9 "data safety": back up the product's data while the server runs and writes (an execution in
 * flight, API writes during the copy), restore into a fresh data directory, start again, and find every
 * resource and execution — and a working engine.
 */
const ADMIN = { email: "admin@example.com", password: "Backup-Test-1" };
const ACCOUNT = "111122223333";
const TERMINAL = ["COMPLETED", "FAILED", "CANCELLED"];

function runScript(script: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, script), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

async function all<T>(api: ApiClient, path: string): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await api.get<{ items: T[]; nextToken?: string }>(
      `${path}${path.includes("?") ? "&" : "?"}limit=100${token ? `&nextToken=${encodeURIComponent(token)}` : ""}`,
    );
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    token = page.body.nextToken;
  } while (token);
  return items;
}

/** Every resource, as the API shows it (executions by ID with their plan and type). */
async function resources(api: ApiClient) {
  const [groups, plans, accounts, settings, users, executions] = await Promise.all([
    all<unknown>(api, "/protection-groups"),
    all<Record<string, unknown>>(api, "/recovery-plans"),
    api.get("/accounts"),
    api.get("/config/settings"),
    api.get<{ items: Array<Record<string, unknown>> }>("/users"),
    all<{ executionId: string; planId: string; executionType: string }>(api, "/executions"),
  ]);
  return {
    groups,
    plans: plans.map(({ lastExecution: _l, ...p }) => p),
    accounts: accounts.body,
    settings: settings.body,
    // A sign-in rewrites the user's record (lastLoginAt, version): the test signs in again after the restore.
    users: users.body.items.map(({ lastLoginAt: _l, version: _v, ...u }) => u),
    executions: executions.map((e) => ({
      executionId: e.executionId,
      planId: e.planId,
      type: e.executionType,
    })),
  };
}

describe("data safety: online backup, restore into a fresh directory, start again", () => {
  const dir = tempDir("drso-backup-e2e-");
  const outcome = trackOutcome();
  let server: Spawned | undefined;
  let baseUrl: string;
  let env: Record<string, string>;

  async function start(dataDir: string) {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      DRSO_SIM_PORT: String(await freePort()),
      DRSO_DATA_DIR: dataDir,
      DRSO_ADMIN_EMAIL: ADMIN.email,
      DRSO_ADMIN_PASSWORD: ADMIN.password,
      DRSO_SIM_TIME_SCALE: "0.01",
      DRSO_RATE_LIMIT_PER_USER: "1000",
    };
    server = await spawnOrchestrator(env);
    return apiClient(baseUrl, await login(baseUrl, ADMIN.email, ADMIN.password));
  }

  afterAll(async () => {
    recordResult({
      suite: "data-safety",
      property:
        "online backup while the server runs and writes, restore into a fresh directory: every resource and execution is back, the engine works, a live database is never overwritten",
      runs: 1,
      result: outcome.result(),
    });
    await server?.stop();
    dir.remove();
  });

  it("restores every resource and execution, and the engine carries on", async () => {
    const dataA = join(dir.path, "a");
    let api = await start(dataA);
    const inventory = await api.get<{ items: Array<{ sourceServerId: string; readiness: string }> }>(
      `/drs/source-servers?region=us-east-1&accountId=${ACCOUNT}&limit=100`,
    );
    // The demo fleet holds servers in every replication state; drills here use ready ones.
    const ids = inventory.body.items.filter((s) => s.readiness === "READY").map((s) => s.sourceServerId);
    expect(ids.length).toBeGreaterThanOrEqual(6);
    const group = async (name: string, servers: string[]) => {
      const r = await api.post<{ groupId: string }>("/protection-groups", {
        name,
        accountId: ACCOUNT,
        region: "us-east-1",
        sourceServerIds: servers,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.groupId;
    };
    const plan = async (name: string, groups: string[]) => {
      const r = await api.post<{ planId: string }>("/recovery-plans", {
        name,
        waves: groups.map((g, i) => ({
          waveId: `w${i}`,
          name: `Wave ${i}`,
          protectionGroupIds: [g],
          ...(i > 0 ? { dependsOn: [`w${i - 1}`] } : {}),
        })),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.planId;
    };
    const drill = async (planId: string) => {
      const r = await api.post<{ executionId: string }>(`/recovery-plans/${planId}/execute`, {
        executionType: "DRILL",
      });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      return r.body.executionId;
    };
    const finished = (client: ApiClient, id: string) =>
      waitFor(
        `execution ${id} to finish`,
        async () => {
          const e = await client.get<{ status: string }>(`/executions/${id}`);
          return TERMINAL.includes(e.body.status) ? e.body.status : undefined;
        },
        180_000,
        500,
      );

    const planDone = await plan("Done before the backup", [
      await group("db", ids.slice(0, 1)),
      await group("app", ids.slice(1, 2)),
    ]);
    const planRunning = await plan("Running during the backup", [await group("web", ids.slice(2, 4))]);
    const planLater = await plan("Run after the restore", [await group("later", ids.slice(4, 6))]);
    expect(
      (
        await api.post("/users", {
          email: "operator@example.com",
          role: "DRSOperator",
          password: "Operator-Pass-1",
        })
      ).status,
    ).toBe(201);
    expect((await api.put("/config/settings", { drillTtlHours: 12 })).status).toBe(200);
    const done = await drill(planDone);
    const doneStatus = await finished(api, done);
    if (doneStatus !== "COMPLETED") {
      const events = (
        await api.get<{ items: Array<{ type: string; message: string }> }>(
          `/executions/${done}/events?limit=200`,
        )
      ).body.items;
      throw new Error(`drill ${doneStatus}:\n${events.map((e) => `${e.type}: ${e.message}`).join("\n")}`);
    }
    const running = await drill(planRunning);
    await waitFor("the drill to be running", async () => {
      const e = await api.get<{ status: string }>(`/executions/${running}`);
      return e.body.status === "RUNNING" ? true : undefined;
    });

    const before = await resources(api);
    const doneDetail = (await api.get(`/executions/${done}`)).body;
    const doneEvents = (await api.get<{ items: unknown[] }>(`/executions/${done}/events?limit=1000`)).body
      .items;

    // Back up while the engine runs the drill and the API takes writes.
    const backupDir = join(dir.path, "backup");
    let writing = true;
    const written: string[] = [];
    const writer = (async () => {
      for (let i = 0; writing && i < 200; i++) {
        const r = await api.post<{ groupId: string }>("/protection-groups", {
          name: `during backup ${i}`,
          accountId: ACCOUNT,
          region: "us-west-2",
          serverSelectionTags: { Backup: String(i) },
        });
        if (r.status === 201) written.push(r.body.groupId);
      }
    })();
    const backup = await runScript("hosts/local/src/backup.ts", [backupDir], { DRSO_DATA_DIR: dataA });
    writing = false;
    await writer;
    expect(backup.code, backup.output).toBe(0);
    expect(written.length).toBeGreaterThan(0);
    expect(existsSync(join(backupDir, "drs-sim-state.json"))).toBe(true);

    // A restore never replaces the database of a running server.
    const refused = await runScript("hosts/local/src/restore.ts", [backupDir], { DRSO_DATA_DIR: dataA });
    expect(refused.code, refused.output).toBe(1);
    expect(refused.output).toMatch(/running DRS Orchestrator holds/);
    expect(existsSync(join(dataA, "drs-orchestrator.sqlite.before-restore"))).toBe(false);

    await server!.stop();
    server = undefined;
    const dataB = join(dir.path, "b");
    const restored = await runScript("hosts/local/src/restore.ts", [backupDir], { DRSO_DATA_DIR: dataB });
    expect(restored.code, restored.output).toBe(0);

    api = await start(dataB);
    const after = await resources(api);
    // Everything that existed before the backup began is back, unchanged; writes made during the copy may
    // or may not be in it (the copy is one consistent snapshot), but nothing else is.
    const duringIds = new Set(written);
    const afterGroups = after.groups as Array<{ groupId: string; name: string }>;
    expect(afterGroups.filter((g) => !duringIds.has(g.groupId))).toEqual(before.groups);
    expect(after.plans).toEqual(before.plans);
    expect(after.accounts).toEqual(before.accounts);
    expect(after.settings).toEqual(before.settings);
    expect(after.users).toEqual(before.users);
    expect(after.executions).toEqual(before.executions);
    expect((await api.get(`/executions/${done}`)).body).toEqual(doneDetail);
    expect((await api.get<{ items: unknown[] }>(`/executions/${done}/events?limit=1000`)).body.items).toEqual(
      doneEvents,
    );
    // The operator's password came back with the database.
    await login(baseUrl, "operator@example.com", "Operator-Pass-1");

    // The engine picks up the drill that was in flight, and runs a new one.
    const runningOutcome = await finished(api, running);
    expect(runningOutcome).toBe("COMPLETED");
    const later = await drill(planLater);
    expect(await finished(api, later)).toBe("COMPLETED");
  }, 600_000);
});
