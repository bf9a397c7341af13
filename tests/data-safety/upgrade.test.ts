import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import {
  backupDataDir,
  currentSchemaVersion,
  DATABASE_FILE,
  schemaVersionOf,
} from "../../hosts/local/src/backup.js";
import { loadConfig } from "../../hosts/local/src/config.js";
import { type LocalServer, startLocalServer } from "../../hosts/local/src/local-server.js";
import { restoreDataDir } from "../../hosts/local/src/restore.js";
import { type ApiClient, apiClient, login, waitFor } from "../support/api-client.js";
import { tempDir } from "../support/processes.js";
import { recordResult, trackOutcome } from "../support/suite-results.js";

/**
 * Upgrades with data: a database written by schema version 1 (the first release), holding real records made
 * through the product — groups, a plan, a finished drill with its events, users, a signed-in session, the
 * audit log, the signing key — is backed up, restored into a newer release and opened by it. Everything is
 * still there, and the session made before the upgrade still refreshes. (adapters/store tests each
 * migration on empty databases; this is the same path with data, end to end.)
 *
 * Schema version 1 is made by taking this release's database and undoing migration 2 (it only added two
 * refresh-token columns). A future migration adds its own undo step to DOWNGRADES.
 */
const ADMIN = { email: "admin@example.com", password: "Upgrade-Test-1" };
const DOWNGRADES: Record<number, string> = {
  2: `
    CREATE TABLE refresh_tokens_v1 (
      token_hash TEXT PRIMARY KEY,
      user_id    TEXT NOT NULL,
      issued_at  TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      revoked_at TEXT
    ) STRICT;
    INSERT INTO refresh_tokens_v1 SELECT token_hash, user_id, issued_at, expires_at, revoked_at FROM refresh_tokens;
    DROP TABLE refresh_tokens;
    ALTER TABLE refresh_tokens_v1 RENAME TO refresh_tokens;
    CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
    CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
    DELETE FROM schema_migrations WHERE version = 2;
  `,
};

async function startProduct(dataDir: string): Promise<{ server: LocalServer; api: ApiClient }> {
  const server = await startLocalServer(
    loadConfig({
      PORT: "0",
      DRSO_SIM_PORT: "0",
      DRSO_DATA_DIR: dataDir,
      DRSO_ADMIN_EMAIL: ADMIN.email,
      DRSO_ADMIN_PASSWORD: ADMIN.password,
      DRSO_SIM_TIME_SCALE: "0.01",
      DRSO_RATE_LIMIT_PER_USER: "1000",
    }),
    { log: () => {} },
  );
  return { server, api: apiClient(server.url, await login(server.url, ADMIN.email, ADMIN.password)) };
}

async function records(api: ApiClient, executionId: string) {
  const users = await api.get<{ items: Array<Record<string, unknown>> }>("/users");
  return {
    groups: (await api.get("/protection-groups?limit=100")).body,
    plans: (await api.get<{ items: Array<Record<string, unknown>> }>("/recovery-plans?limit=100")).body.items,
    accounts: (await api.get("/accounts")).body,
    settings: (await api.get("/config/settings")).body,
    users: users.body.items.map(({ lastLoginAt: _l, version: _v, ...u }) => u),
    execution: (await api.get(`/executions/${executionId}`)).body,
    events: (await api.get(`/executions/${executionId}/events?limit=1000`)).body,
    audit: (await api.get<{ items: Array<{ eventId: string }> }>("/audit?limit=100")).body.items.map(
      (e) => e.eventId,
    ),
  };
}

describe("data safety: upgrading a database with data from every earlier schema version", () => {
  const dir = tempDir("drso-upgrade-");
  const outcome = trackOutcome();
  let server: LocalServer | undefined;
  afterAll(async () => {
    recordResult({
      suite: "data-safety",
      property: `a backup at every earlier schema version (1..${currentSchemaVersion() - 1}) restores into this release with its data intact and its sessions valid`,
      runs: currentSchemaVersion() - 1,
      result: outcome.result(),
    });
    await server?.close();
    dir.remove();
  });

  for (let from = 1; from < currentSchemaVersion(); from++) {
    it(`restores and upgrades a version-${from} backup with its data`, async () => {
      const old = join(dir.path, `v${from}`);
      let product = await startProduct(old);
      server = product.server;
      const { api } = product;
      const inventory = await api.get<{ items: Array<{ sourceServerId: string; readiness: string }> }>(
        "/drs/source-servers?region=us-east-1&accountId=111122223333&limit=100",
      );
      const ready = inventory.body.items.filter((s) => s.readiness === "READY").map((s) => s.sourceServerId);
      const group = await api.post<{ groupId: string }>("/protection-groups", {
        name: "Upgrade group",
        accountId: "111122223333",
        region: "us-east-1",
        sourceServerIds: ready.slice(0, 2),
      });
      const plan = await api.post<{ planId: string }>("/recovery-plans", {
        name: "Upgrade plan",
        waves: [{ name: "Only", protectionGroupIds: [group.body.groupId] }],
      });
      const started = await api.post<{ executionId: string }>(`/recovery-plans/${plan.body.planId}/execute`, {
        executionType: "DRILL",
      });
      const executionId = started.body.executionId;
      await waitFor("the drill to finish", async () => {
        const e = await api.get<{ status: string }>(`/executions/${executionId}`);
        return ["COMPLETED", "FAILED", "CANCELLED"].includes(e.body.status) ? e.body.status : undefined;
      });
      expect(
        (
          await api.post("/users", {
            email: "old@example.com",
            role: "DRSViewer",
            password: "Old-User-Pass-1",
          })
        ).status,
      ).toBe(201);
      const session = (await (
        await fetch(`${server.url}/api/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "old@example.com", password: "Old-User-Pass-1" }),
        })
      ).json()) as { refreshToken: string };
      const before = await records(api, executionId);
      await server.close();
      server = undefined;

      const db = new Database(join(old, DATABASE_FILE));
      for (let v = currentSchemaVersion(); v > from; v--) {
        const undo = DOWNGRADES[v];
        if (!undo) throw new Error(`no downgrade step for schema version ${v}: add one to DOWNGRADES`);
        db.transaction(() => db.exec(undo))();
      }
      expect(schemaVersionOf(db)).toBe(from);
      db.close();

      const backup = join(dir.path, `backup-v${from}`);
      expect((await backupDataDir({ dataDir: old, destination: backup })).schemaVersion).toBe(from);
      const fresh = join(dir.path, `restored-v${from}`);
      restoreDataDir({ backupDir: backup, dataDir: fresh });
      product = await startProduct(fresh);
      server = product.server;
      expect(server.store.schemaVersion()).toBe(currentSchemaVersion());
      const after = await records(product.api, executionId);
      expect(after.groups).toEqual(before.groups);
      expect(after.plans).toEqual(before.plans);
      expect(after.accounts).toEqual(before.accounts);
      expect(after.settings).toEqual(before.settings);
      expect(after.users).toEqual(before.users);
      expect(after.execution).toEqual(before.execution);
      expect(after.events).toEqual(before.events);
      expect(after.audit.filter((id) => before.audit.includes(id))).toEqual(before.audit);
      // A session started before the upgrade still refreshes (its token predates the session columns).
      const refreshed = await fetch(`${server.url}/api/auth/refresh`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refreshToken: session.refreshToken }),
      });
      expect(refreshed.status, await refreshed.clone().text()).toBe(200);
      await server.close();
      server = undefined;
    }, 240_000);
  }
});
