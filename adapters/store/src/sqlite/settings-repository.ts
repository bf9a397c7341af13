import type { Settings, SettingsRepository } from "@drso/core";
import { versionMismatch } from "../store-errors.js";
import { asyncify, type Db, parseJson } from "./database.js";

/** One row (id 1); version 0 stands for "nothing stored yet". */
export function createSqliteSettings(db: Db): SettingsRepository {
  const s = {
    get: db.prepare("SELECT version, data FROM settings WHERE id = 1"),
    version: db.prepare("SELECT version FROM settings WHERE id = 1").pluck(),
    put: db.prepare(
      `INSERT INTO settings (id, version, data) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data`,
    ),
  };

  const put = db.transaction((settings: Settings, expectedVersion: number) => {
    const current = (s.version.get() as number | undefined) ?? 0;
    if (current !== expectedVersion) throw versionMismatch("settings", "settings", expectedVersion, current);
    const version = current + 1;
    const data = JSON.stringify(settings);
    s.put.run(version, data);
    return { settings: parseJson<Settings>(data), version };
  });

  return asyncify<SettingsRepository>({
    get() {
      const row = s.get.get() as { version: number; data: string } | undefined;
      return row && { settings: parseJson<Settings>(row.data), version: row.version };
    },
    put(settings, expectedVersion) {
      return put.immediate(settings, expectedVersion);
    },
  });
}
