import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { waitFor } from "../support/api-client.js";
import { tempDir } from "../support/processes.js";
import { recordResult } from "../support/suite-results.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/** Chaos for the local store: its file locked by another process, then the disk full, in the middle of a drill. */
const PROD = { accountId: "111122223333", region: "us-east-1" };

async function startDrill(api: ApiClient) {
  const groups = [];
  for (const tier of ["db", "app"]) {
    const g = await api.post<{ groupId: string }>("/protection-groups", {
      name: `orders-${tier}`,
      ...PROD,
      serverSelectionTags: { App: "orders", Tier: tier },
    });
    expect(g.status).toBe(201);
    groups.push(g.body.groupId);
  }
  const plan = await api.post<{ planId: string }>("/recovery-plans", {
    name: "orders",
    waves: groups.map((g, i) => ({ name: `w${i}`, protectionGroupIds: [g] })),
  });
  const started = await api.post<{ executionId: string }>(`/recovery-plans/${plan.body.planId}/execute`, {
    executionType: "DRILL",
  });
  expect(started.status).toBe(202);
  return started.body.executionId;
}

function launchedOnce(t: TestServer) {
  const counts = new Map<string, number>();
  for (const r of t.server.simulator!.control.requests({ op: "StartRecovery", status: 202 }))
    for (const id of r.sourceServerIDs ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  expect(counts.size).toBeGreaterThan(0);
  for (const [id, n] of counts) expect(n, id).toBe(1);
}

const finished = (api: ApiClient, id: string) =>
  waitFor(
    "the drill to finish",
    async () => {
      const r = await api.get<{ status: string }>(`/executions/${id}`);
      return ["COMPLETED", "FAILED", "CANCELLED"].includes(r.body.status) ? r.body.status : undefined;
    },
    120_000,
    500,
  );

describe("chaos: the SQLite store under stress", () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("a write lock held by another process: clear 503s, no lost execution, no duplicate launch", async () => {
    t = await startTestServer({ DRSO_SIM_TIME_SCALE: "0.02" });
    const id = await startDrill(t.admin);
    const other = new Database(t.server.store.path);
    try {
      other.exec("BEGIN EXCLUSIVE");
      const blocked = await t.admin.post("/protection-groups", {
        name: "while-locked",
        ...PROD,
        serverSelectionTags: { App: "crm" },
      });
      expect(blocked.status).toBe(503);
      expect(blocked.body).toMatchObject({ code: "STORE_BUSY" });
      expect(blocked.headers.get("content-type")).toContain("application/problem+json");
      // Reads go on (WAL): the console stays usable while the lock lasts.
      expect((await t.admin.get(`/executions/${id}`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect(await finished(t.admin, id)).toBe("COMPLETED");
    launchedOnce(t);
    recordResult({
      suite: "chaos",
      property:
        "SQLite write lock held by another process: 503 STORE_BUSY, drill completes, no duplicate launch",
      runs: 1,
      result: "pass",
    });
  }, 180_000);

  it("a full disk: writes fail with 503 and nothing is lost; the drill completes once space is back", async () => {
    const mountPoint = tempDir("drso-full-");
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", mountPoint.path], { stdio: "ignore" });
    } catch {
      console.warn("SKIP full-disk chaos: cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN)");
      mountPoint.remove();
      return;
    }
    try {
      const dataDir = join(mountPoint.path, "data");
      mkdirSync(dataDir);
      t = await startTestServer({ DRSO_DATA_DIR: dataDir, DRSO_SIM_TIME_SCALE: "0.02" });
      const id = await startDrill(t.admin);
      // Fill the file system to the last byte.
      const filler = join(mountPoint.path, "filler");
      let size = 0;
      for (const chunk = Buffer.alloc(256 * 1024, 1); ; ) {
        try {
          writeFileSync(filler, chunk, { flag: "a" });
          size += chunk.length;
        } catch {
          break;
        }
      }
      for (const chunk = Buffer.alloc(4096, 1); ; ) {
        try {
          writeFileSync(filler, chunk, { flag: "a" });
        } catch {
          break;
        }
      }
      expect(size).toBeGreaterThan(0);
      const refused = await waitFor(
        "a write to be refused",
        async () => {
          const r = await t!.admin.post("/protection-groups", {
            name: `full-${Date.now()}`,
            ...PROD,
            serverSelectionTags: { App: "crm" },
          });
          return r.status >= 500 ? r : undefined;
        },
        30_000,
        200,
      );
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ code: "STORE_UNAVAILABLE" });
      await new Promise((r) => setTimeout(r, 3000));
      rmSync(filler);
      expect(await finished(t.admin, id)).toBe("COMPLETED");
      launchedOnce(t);
      recordResult({
        suite: "chaos",
        property: "disk full under SQLite: 503 STORE_UNAVAILABLE, drill completes once space is back",
        runs: 1,
        result: "pass",
      });
    } finally {
      await t?.close();
      t = undefined;
      execFileSync("umount", ["-l", mountPoint.path], { stdio: "ignore" });
      mountPoint.remove();
    }
  }, 180_000);
});
