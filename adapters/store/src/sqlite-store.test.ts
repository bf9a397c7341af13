import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_SETTINGS,
  type Execution,
  type ProtectionGroup,
  serverKeysOf,
  UpstreamError,
  ValidationError,
} from "@drso/core";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "./sqlite/database.js";
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersionOf } from "./sqlite/migrations.js";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { describeStoreContract } from "./store.contract.js";

const dir = mkdtempSync(join(tmpdir(), "drso-store-"));
let counter = 0;
const tempPath = (label = "store") => join(dir, `${label}-${++counter}.sqlite`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function removeDatabase(path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${path}${suffix}`, { force: true });
}

describeStoreContract("sqlite (file)", async () => {
  const path = tempPath();
  const store = createSqliteStore({ path });
  return {
    store,
    async close() {
      await store.close();
      removeDatabase(path);
    },
  };
});

describeStoreContract("sqlite (:memory:)", async () => {
  const store = createSqliteStore({ path: ":memory:" });
  return { store, close: () => store.close() };
});

describe("SqliteStore", () => {
  const open: Array<{ close(): unknown }> = [];
  const track = <T extends { close(): unknown }>(closable: T): T => {
    open.push(closable);
    return closable;
  };
  afterEach(async () => {
    for (const c of open.splice(0).reverse()) await c.close();
  });

  it("configures WAL, NORMAL sync, a busy timeout and foreign keys on every connection", () => {
    const db = track(openDatabase(tempPath(), 1234));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(1234);
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
  });

  it("runs each migration once and records it", async () => {
    const path = tempPath();
    const store = createSqliteStore({ path });
    expect(store.path).toBe(path);
    expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    await store.close();
    const again = track(createSqliteStore({ path }));
    expect(again.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    const raw = track(new Database(path, { readonly: true }));
    const rows = raw.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it("upgrades a database from every earlier schema version, keeping its data", async () => {
    for (let from = 0; from < LATEST_SCHEMA_VERSION; from++) {
      const path = tempPath("upgrade");
      const db = new Database(path);
      expect(migrate(db, MIGRATIONS, from)).toEqual(MIGRATIONS.slice(0, from).map((m) => m.version));
      expect(schemaVersionOf(db)).toBe(from);
      db.close();
      const store = track(createSqliteStore({ path }));
      expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
      await store.ping();
    }
  });

  it("refuses a database written by a newer release and leaves it untouched", () => {
    const path = tempPath();
    const db = new Database(path);
    migrate(db);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
      LATEST_SCHEMA_VERSION + 1,
      "from-the-future",
      new Date(0).toISOString(),
    );
    db.close();
    expect(() => createSqliteStore({ path })).toThrow(/newer than this release supports/);
    const raw = track(new Database(path, { readonly: true }));
    expect(schemaVersionOf(raw)).toBe(LATEST_SCHEMA_VERSION + 1);
  });

  it("keeps every kind of record across a reopen", async () => {
    const path = tempPath();
    const first = createSqliteStore({ path });
    const seeded = await seed(first);
    await first.close();
    const store = track(createSqliteStore({ path }));
    await expectSeeded(store, seeded);
  });

  it("backs up online: the copy opens with the same data while the source keeps accepting writes", async () => {
    const source = track(createSqliteStore({ path: tempPath("source") }));
    const seeded = await seed(source);
    // Enough pages that the backup runs in several steps, with writes in between.
    for (let i = 0; i < 300; i++) {
      await source.protectionGroups.create(group({ name: `bulk ${i}`, description: "x".repeat(2000) }));
    }
    const destination = join(dir, "backups", `backup-${++counter}.sqlite`);
    const backup = source.backup(destination);
    const during: ProtectionGroup[] = [];
    for (let i = 0; i < 20; i++) {
      during.push(await source.protectionGroups.create(group({ name: `during ${i}` })));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await backup;
    expect(existsSync(destination)).toBe(true);
    expect(await source.protectionGroups.listAll()).toHaveLength(301 + during.length);
    await source.protectionGroups.create(group({ name: "after backup" }));

    const copy = track(createSqliteStore({ path: destination }));
    expect(copy.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    await expectSeeded(copy, seeded);
    const copied = await copy.protectionGroups.listAll();
    for (let i = 0; i < 300; i++) expect(copied.some((g) => g.name === `bulk ${i}`)).toBe(true);
    expect(copied.some((g) => g.name === "after backup")).toBe(false);
  });

  it("rolls back a failed transaction completely", async () => {
    const path = tempPath();
    const store = track(createSqliteStore({ path }));
    const raw = track(new Database(path, { readonly: true }));
    const count = (table: string) => raw.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get();

    // The execution row is updated before the second event fails to serialize: both must vanish.
    const created = await store.executions.create(execution(), {
      events: [{ at: 1, type: "execution.started", message: "started" }],
    });
    await expect(
      store.executions.save({ ...created, status: "FAILED" }, 1, {
        events: [
          { at: 2, type: "ok", message: "fine" },
          { at: 3, type: "bad", message: "unserializable", data: { size: 10n } },
        ],
      }),
    ).rejects.toThrow(/BigInt/);
    expect(await store.executions.get(created.executionId)).toEqual(created);
    expect(count("execution_events")).toBe(1);

    // A group whose second server is taken leaves neither a row nor a claim for its first server.
    const holder = await store.protectionGroups.create(group({ sourceServerIds: ["s-00000000000000002"] }));
    await expect(
      store.protectionGroups.create(
        group({ sourceServerIds: ["s-00000000000000001", "s-00000000000000002"] }),
      ),
    ).rejects.toMatchObject({ code: "SERVER_ALREADY_ASSIGNED" });
    expect(count("protection_groups")).toBe(1);
    expect(raw.prepare("SELECT source_server_id, group_id FROM protection_group_servers").all()).toEqual([
      { source_server_id: "s-00000000000000002", group_id: holder.groupId },
    ]);
  });

  it("makes the audit table append-only in the database itself", async () => {
    const path = tempPath();
    const store = track(createSqliteStore({ path }));
    await store.audit.append({
      eventId: randomUUID(),
      at: new Date(0).toISOString(),
      actor: { sub: "user-alice" },
      action: "auth.login",
      outcome: "success",
    });
    const raw = track(new Database(path));
    expect(() => raw.prepare("UPDATE audit_events SET outcome = 'failure'").run()).toThrow(/append-only/);
    expect(() => raw.prepare("DELETE FROM audit_events").run()).toThrow(/append-only/);
    expect((await store.audit.list({}, {})).items[0]?.outcome).toBe("success");
  });

  it("shares names, server claims, versions and leases between connections to one file", async () => {
    const path = tempPath();
    const a = track(createSqliteStore({ path }));
    const b = track(createSqliteStore({ path }));
    const created = await a.protectionGroups.create(
      group({ name: "shared", sourceServerIds: ["s-0000000000000000a"] }),
    );
    await expect(b.protectionGroups.create(group({ name: "SHARED" }))).rejects.toMatchObject({
      code: "NAME_ALREADY_EXISTS",
    });
    await expect(
      b.protectionGroups.create(group({ sourceServerIds: ["s-0000000000000000a"] })),
    ).rejects.toMatchObject({ code: "SERVER_ALREADY_ASSIGNED" });
    await b.protectionGroups.update({ ...created, description: "by b" }, 1);
    await expect(a.protectionGroups.update({ ...created, description: "by a" }, 1)).rejects.toMatchObject({
      code: "VERSION_MISMATCH",
    });
    const e = await a.executions.create(execution());
    expect(await a.executions.acquireLease(e.executionId, "driver-a", 1000, 60_000)).toBe(true);
    expect(await b.executions.acquireLease(e.executionId, "driver-b", 2000, 60_000)).toBe(false);
    expect(await b.executions.listDue(10_000, 10)).toEqual([]);
    expect(await b.executions.listDue(70_000, 10)).toEqual([e.executionId]);
  });

  it("reports a write lock held by another process as a retryable STORE_BUSY, never a driver error", async () => {
    const path = tempPath();
    const store = track(createSqliteStore({ path, busyTimeoutMs: 0 }));
    const other = track(new Database(path));
    other.exec("BEGIN IMMEDIATE");
    try {
      const error = await store.protectionGroups.create(group()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ code: "STORE_BUSY", status: 503 });
      expect(error).not.toBeInstanceOf(Database.SqliteError);
    } finally {
      other.exec("ROLLBACK");
    }
    await store.protectionGroups.create(group());
  });

  it("translates a storage rule violation into a ValidationError", async () => {
    const store = track(createSqliteStore({ path: ":memory:" }));
    const e = await store.executions.create(execution());
    const error = await store.executions
      .appendJobLog(e.executionId, "drsjob-1", [
        { index: 1.5, at: new Date(0).toISOString(), event: "JOB_START" },
      ])
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: "INVALID_RECORD" });
  });

  it("close is idempotent", async () => {
    const store = createSqliteStore({ path: ":memory:" });
    await store.close();
    await store.close();
  });
});

// ---------------------------------------------------------------------------------------------------------

function group(overrides: Partial<ProtectionGroup> = {}): ProtectionGroup {
  const at = new Date(Date.UTC(2026, 0, 1)).toISOString();
  return {
    groupId: randomUUID(),
    name: `group ${randomUUID()}`,
    accountId: "111122223333",
    region: "us-east-1",
    selectionMode: "explicit",
    sourceServerIds: [],
    owner: "alice@example.com",
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}

function execution(): Execution {
  const planId = randomUUID();
  const groupId = randomUUID();
  return {
    executionId: randomUUID(),
    planId,
    planName: "Tier-1",
    executionType: "DRILL",
    status: "RUNNING",
    initiatedBy: "alice@example.com",
    startTime: 1000,
    options: { reverseWaveOrder: false },
    snapshot: {
      plan: { planId, name: "Tier-1", version: 1, waves: [] },
      groups: [
        {
          groupId,
          name: "web",
          accountId: "111122223333",
          region: "us-east-1",
          selectionMode: "explicit",
          servers: [{ sourceServerId: "s-11111111111111111", hostname: "web-01" }],
        },
      ],
    },
    waves: [],
    appliedCommandSeq: 0,
    wakeAt: 5000,
    createdAt: 1000,
    updatedAt: 1000,
    version: 1,
  };
}

interface Seeded {
  group: ProtectionGroup;
  execution: Execution;
  userId: string;
  auditId: string;
}

/** One record of every kind, so that reopen and backup tests see all tables. */
async function seed(store: SqliteStore): Promise<Seeded> {
  const g = await store.protectionGroups.create(
    group({ name: "seeded group", sourceServerIds: ["s-0000000000000000b"] }),
  );
  await store.recoveryPlans.create({
    planId: randomUUID(),
    name: "seeded plan",
    waves: [
      {
        waveId: "wave-1",
        name: "Wave 1",
        protectionGroupIds: [g.groupId],
        dependsOn: [],
        pauseBefore: false,
        preActions: [],
        postActions: [],
        onFailure: "abort",
        timeoutSeconds: 3600,
      },
    ],
    owner: "alice@example.com",
    createdAt: g.createdAt,
    updatedAt: g.createdAt,
    version: 1,
  });
  const e = await store.executions.create(execution(), {
    events: [{ at: 1000, type: "execution.started", message: "started" }],
  });
  await store.executions.appendCommand(e.executionId, { type: "pause", by: "bob", at: 1500 });
  await store.executions.appendJobLog(e.executionId, "drsjob-1", [
    { index: 0, at: g.createdAt, event: "JOB_START" },
  ]);
  await store.executions.acquireLease(e.executionId, "driver-a", 1000, 1_000_000);
  await store.accounts.create({
    accountId: "444455556666",
    name: "Recovery",
    regions: ["us-west-2"],
    createdAt: g.createdAt,
    updatedAt: g.createdAt,
    version: 1,
  });
  await store.settings.put(DEFAULT_SETTINGS, 0);
  const u = await store.users.create({
    userId: randomUUID(),
    email: "admin@example.com",
    role: "DRSAdmin",
    passwordHash: "hash",
    disabled: false,
    failedAttempts: 0,
    createdAt: g.createdAt,
    updatedAt: g.createdAt,
    version: 1,
  });
  await store.refreshTokens.put({
    tokenHash: "t1",
    userId: u.userId,
    issuedAt: g.createdAt,
    expiresAt: "2099-01-01T00:00:00.000Z",
  });
  const auditId = randomUUID();
  await store.audit.append({
    eventId: auditId,
    at: g.createdAt,
    actor: { sub: u.userId },
    action: "auth.login",
    outcome: "success",
  });
  await store.kv.putIfAbsent("signing-key", "secret-1");
  return { group: g, execution: e, userId: u.userId, auditId };
}

async function expectSeeded(store: SqliteStore, seeded: Seeded): Promise<void> {
  expect(await store.protectionGroups.get(seeded.group.groupId)).toEqual(seeded.group);
  await expect(
    store.protectionGroups.create(group({ sourceServerIds: ["s-0000000000000000b"] })),
  ).rejects.toMatchObject({ code: "SERVER_ALREADY_ASSIGNED" });
  expect(
    (await store.recoveryPlans.list({ protectionGroupId: seeded.group.groupId }, {})).items,
  ).toHaveLength(1);
  const id = seeded.execution.executionId;
  expect(await store.executions.get(id)).toEqual(seeded.execution);
  expect(await store.executions.events(id, 0, 10)).toHaveLength(1);
  expect(await store.executions.commandsAfter(id, 0)).toHaveLength(1);
  expect(await store.executions.jobLog(id, { limit: 10 })).toHaveLength(1);
  expect(await store.executions.acquireLease(id, "driver-b", 2000, 1000)).toBe(false);
  expect((await store.executions.listActive())[0]?.serverKeys).toEqual(serverKeysOf(seeded.execution));
  expect(await store.executions.appendCommand(id, { type: "resume", by: "bob", at: 3000 })).toBe(2);
  expect(await store.accounts.get("444455556666")).toBeDefined();
  expect(await store.settings.get()).toEqual({ settings: DEFAULT_SETTINGS, version: 1 });
  expect((await store.users.findByEmail("ADMIN@example.com"))?.userId).toBe(seeded.userId);
  expect(await store.refreshTokens.get("t1")).toBeDefined();
  expect((await store.audit.list({}, {})).items.map((e) => e.eventId)).toEqual([seeded.auditId]);
  expect(await store.kv.get("signing-key")).toBe("secret-1");
}
