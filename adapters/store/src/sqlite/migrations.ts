// The driver's own type, not database.ts's alias: database.ts runs the migrations, so importing it here
// would make the two files a circle.
import type BetterSqlite3 from "better-sqlite3";

type Db = BetterSqlite3.Database;

/**
 * Numbered schema migrations. Append new entries; never edit or reorder a released one: databases in the
 * field record which versions they ran. Each migration runs in its own IMMEDIATE transaction together with
 * its `schema_migrations` row, so a crash mid-upgrade leaves the previous version intact.
 *
 * A migration that must rebuild a table cannot switch `foreign_keys` off inside its transaction; it should
 * use the create-copy-drop-rename procedure of https://sqlite.org/lang_altertable.html#otheralter with
 * `PRAGMA defer_foreign_keys = ON` instead.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Db): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial-schema",
    up(db) {
      db.exec(`
        CREATE TABLE protection_groups (
          group_id   TEXT PRIMARY KEY,
          name_lower TEXT NOT NULL UNIQUE,
          account_id TEXT NOT NULL,
          region     TEXT NOT NULL,
          version    INTEGER NOT NULL,
          data       TEXT NOT NULL
        ) STRICT;
        CREATE INDEX protection_groups_target ON protection_groups (account_id, region, name_lower);

        -- Servers of explicit groups: one group per server in an account and region.
        CREATE TABLE protection_group_servers (
          account_id       TEXT NOT NULL,
          region           TEXT NOT NULL,
          source_server_id TEXT NOT NULL,
          group_id         TEXT NOT NULL REFERENCES protection_groups (group_id) ON DELETE CASCADE,
          PRIMARY KEY (account_id, region, source_server_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX protection_group_servers_group ON protection_group_servers (group_id);

        CREATE TABLE recovery_plans (
          plan_id    TEXT PRIMARY KEY,
          name_lower TEXT NOT NULL UNIQUE,
          version    INTEGER NOT NULL,
          data       TEXT NOT NULL
        ) STRICT;

        CREATE TABLE recovery_plan_groups (
          group_id TEXT NOT NULL,
          plan_id  TEXT NOT NULL REFERENCES recovery_plans (plan_id) ON DELETE CASCADE,
          PRIMARY KEY (group_id, plan_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX recovery_plan_groups_plan ON recovery_plan_groups (plan_id);

        -- Times are REAL: the engine may compute fractional epoch milliseconds.
        CREATE TABLE executions (
          execution_id        TEXT PRIMARY KEY,
          plan_id             TEXT NOT NULL,
          execution_type      TEXT NOT NULL,
          status              TEXT NOT NULL,
          initiated_by        TEXT NOT NULL,
          start_time          REAL NOT NULL,
          end_time            REAL,
          wake_at             REAL,
          applied_command_seq INTEGER NOT NULL,
          last_command_seq    INTEGER NOT NULL DEFAULT 0,
          lease_owner         TEXT,
          lease_until         REAL,
          version             INTEGER NOT NULL,
          summary             TEXT NOT NULL,
          usage               TEXT NOT NULL,
          server_keys         TEXT NOT NULL,
          data                TEXT NOT NULL
        ) STRICT;
        CREATE INDEX executions_start ON executions (start_time, execution_id);
        -- Listing by endTime puts unfinished executions last in both orders (see SORT_COLUMNS).
        CREATE INDEX executions_end_asc
          ON executions ((end_time IS NULL), COALESCE(end_time, 0), execution_id);
        CREATE INDEX executions_end_desc
          ON executions ((end_time IS NULL), COALESCE(end_time, 0) DESC, execution_id DESC);
        CREATE INDEX executions_status ON executions (status, start_time, execution_id);
        CREATE INDEX executions_plan ON executions (plan_id, start_time, execution_id);
        CREATE INDEX executions_initiated_by ON executions (initiated_by, start_time, execution_id);
        CREATE INDEX executions_wake ON executions (wake_at) WHERE wake_at IS NOT NULL;
        CREATE INDEX executions_pending_commands ON executions (execution_id)
          WHERE last_command_seq > applied_command_seq;

        CREATE TABLE execution_events (
          execution_id TEXT NOT NULL REFERENCES executions (execution_id) ON DELETE CASCADE,
          seq          INTEGER NOT NULL,
          data         TEXT NOT NULL,
          PRIMARY KEY (execution_id, seq)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE execution_commands (
          execution_id TEXT NOT NULL REFERENCES executions (execution_id) ON DELETE CASCADE,
          seq          INTEGER NOT NULL,
          data         TEXT NOT NULL,
          PRIMARY KEY (execution_id, seq)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE execution_job_logs (
          execution_id TEXT NOT NULL REFERENCES executions (execution_id) ON DELETE CASCADE,
          job_id       TEXT NOT NULL,
          item_index   INTEGER NOT NULL,
          data         TEXT NOT NULL,
          PRIMARY KEY (execution_id, job_id, item_index)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE accounts (
          account_id TEXT PRIMARY KEY,
          version    INTEGER NOT NULL,
          data       TEXT NOT NULL
        ) STRICT;

        CREATE TABLE settings (
          id      INTEGER PRIMARY KEY CHECK (id = 1),
          version INTEGER NOT NULL,
          data    TEXT NOT NULL
        ) STRICT;

        CREATE TABLE users (
          user_id     TEXT PRIMARY KEY,
          email_lower TEXT NOT NULL UNIQUE,
          version     INTEGER NOT NULL,
          data        TEXT NOT NULL
        ) STRICT;

        CREATE TABLE refresh_tokens (
          token_hash TEXT PRIMARY KEY,
          user_id    TEXT NOT NULL,
          issued_at  TEXT NOT NULL,
          expires_at TEXT NOT NULL,
          revoked_at TEXT
        ) STRICT;
        CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
        CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

        CREATE TABLE audit_events (
          seq         INTEGER PRIMARY KEY AUTOINCREMENT,
          event_id    TEXT NOT NULL UNIQUE,
          at          TEXT NOT NULL,
          actor_sub   TEXT NOT NULL,
          actor_email TEXT,
          action      TEXT NOT NULL,
          target_type TEXT,
          target_id   TEXT,
          outcome     TEXT NOT NULL,
          data        TEXT NOT NULL
        ) STRICT;
        CREATE INDEX audit_events_at ON audit_events (at, seq);
        CREATE INDEX audit_events_actor ON audit_events (actor_sub, at, seq);
        CREATE INDEX audit_events_actor_email ON audit_events (actor_email, at, seq);
        CREATE INDEX audit_events_action ON audit_events (action, at, seq);
        CREATE INDEX audit_events_target ON audit_events (target_type, target_id, at, seq);
        -- The audit log is evidence: the database itself refuses to change or remove an entry.
        CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
          BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
          BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

        CREATE TABLE kv (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: "refresh-token sessions",
    up(db) {
      // Local identity keeps a sign-in session (token family) and its auth_time across refresh rotations.
      db.exec(`
        ALTER TABLE refresh_tokens ADD COLUMN family_id TEXT;
        ALTER TABLE refresh_tokens ADD COLUMN auth_time TEXT;
      `);
    },
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersionOf(db: Db): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .pluck()
    .get();
  if (table === undefined) return 0;
  return db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").pluck().get() as number;
}

/**
 * Brings the database up to `targetVersion` (default: the latest) and returns the versions it applied.
 * Safe when several processes open the same file at once: each step re-checks the version inside its
 * IMMEDIATE transaction. Refuses a database written by a newer release rather than guess at its schema.
 */
export function migrate(
  db: Db,
  migrations: readonly Migration[] = MIGRATIONS,
  targetVersion: number = migrations.length,
): number[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration #${i} has version ${m.version}; expected ${i + 1}.`);
  });
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const current = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").pluck();
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  const found = current.get() as number;
  if (found > migrations.length) {
    throw new Error(
      `The database is at schema version ${found}, newer than this release supports (${migrations.length}). ` +
        "Upgrade DRS Orchestrator or restore a backup taken by this release.",
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version > targetVersion) break;
    const ran = db
      .transaction(() => {
        if ((current.get() as number) >= migration.version) return false;
        migration.up(db);
        record.run(migration.version, migration.name, new Date().toISOString());
        return true;
      })
      .immediate();
    if (ran) applied.push(migration.version);
  }
  return applied;
}
