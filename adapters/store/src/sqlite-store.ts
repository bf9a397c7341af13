import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Store } from "@drso/core";
import { createSqliteAccounts } from "./sqlite/account-repository.js";
import { createSqliteAuditLog } from "./sqlite/audit-log.js";
import { openDatabase, translateError } from "./sqlite/database.js";
import { createSqliteExecutions } from "./sqlite/execution-repository.js";
import { createSqliteKeyValueStore } from "./sqlite/key-value-store.js";
import { schemaVersionOf } from "./sqlite/migrations.js";
import { createSqliteProtectionGroups } from "./sqlite/protection-group-repository.js";
import { createSqliteRecoveryPlans } from "./sqlite/recovery-plan-repository.js";
import { createSqliteSettings } from "./sqlite/settings-repository.js";
import { createSqliteRefreshTokens, createSqliteUsers } from "./sqlite/user-repository.js";

export interface SqliteStoreOptions {
  /** A file path, or ":memory:". Missing parent directories are created. */
  path: string;
  /** How long a write waits for another process's lock before failing with STORE_BUSY; default 5000 ms. */
  busyTimeoutMs?: number;
}

export interface SqliteStore extends Store {
  readonly path: string;
  /** An online, consistent copy of the database to `destinationPath`; the store keeps serving meanwhile. */
  backup(destinationPath: string): Promise<void>;
  /** The highest migration applied to this database. */
  schemaVersion(): number;
}

/**
 * The local-mode Store (DESIGN §5): one SQLite file in WAL mode, migrated to the latest schema on open.
 * Several processes may share the file; every write runs in an IMMEDIATE transaction, so read-check-write
 * sequences (versions, unique names, server claims, leases) cannot interleave.
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const path = options.path;
  const db = openDatabase(path, options.busyTimeoutMs);
  const ping = db.prepare("SELECT 1").pluck();
  return {
    path,
    protectionGroups: createSqliteProtectionGroups(db),
    recoveryPlans: createSqliteRecoveryPlans(db),
    executions: createSqliteExecutions(db),
    accounts: createSqliteAccounts(db),
    settings: createSqliteSettings(db),
    users: createSqliteUsers(db),
    refreshTokens: createSqliteRefreshTokens(db),
    audit: createSqliteAuditLog(db),
    kv: createSqliteKeyValueStore(db),
    async ping() {
      try {
        ping.get();
      } catch (error) {
        throw translateError(error);
      }
    },
    async close() {
      if (!db.open) return;
      try {
        db.pragma("optimize");
      } finally {
        db.close();
      }
    },
    async backup(destinationPath) {
      mkdirSync(dirname(resolve(destinationPath)), { recursive: true });
      try {
        await db.backup(destinationPath);
      } catch (error) {
        throw translateError(error);
      }
    },
    schemaVersion() {
      return schemaVersionOf(db);
    },
  };
}
