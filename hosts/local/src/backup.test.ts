import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStore } from "@drso/store";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import {
  backupDataDir,
  currentSchemaVersion,
  DATABASE_FILE,
  DataSafetyError,
  MANIFEST_FILE,
  SIMULATOR_STATE_FILE,
} from "./backup.js";
import { BEFORE_RESTORE_SUFFIX, databaseInUse, restoreDataDir } from "./restore.js";

const root = mkdtempSync(join(tmpdir(), "drso-backup-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const dir = (label: string) => join(root, `${label}-${++n}`);

async function dataDirWith(names: string[], simState?: string) {
  const dataDir = dir("data");
  const store = createSqliteStore({ path: join(dataDir, DATABASE_FILE) });
  for (const name of names) await store.kv.putIfAbsent(`test/${name}`, name);
  if (simState !== undefined) writeFileSync(join(dataDir, SIMULATOR_STATE_FILE), simState);
  return { dataDir, store };
}

async function keys(dataDir: string): Promise<string[]> {
  const store = createSqliteStore({ path: join(dataDir, DATABASE_FILE) });
  try {
    const values: string[] = [];
    for (const name of ["a", "b", "c", "d"]) {
      const value = await store.kv.get(`test/${name}`);
      if (value !== undefined) values.push(value);
    }
    return values;
  } finally {
    await store.close();
  }
}

describe("backup and restore of a data directory", () => {
  it("backs up online and restores into an empty directory, with the simulator state and a manifest", async () => {
    const { dataDir, store } = await dataDirWith(["a", "b"], '{"sim":1}');
    const destination = dir("backup");
    // The store stays open (as a running server's would) while the backup runs.
    const manifest = await backupDataDir({ dataDir, destination });
    await store.kv.putIfAbsent("test/c", "c");
    expect(manifest.schemaVersion).toBe(currentSchemaVersion());
    expect(manifest.files.map((f) => f.name)).toEqual([DATABASE_FILE, SIMULATOR_STATE_FILE]);
    await store.close();

    const target = dir("restored");
    const result = restoreDataDir({ backupDir: destination, dataDir: target });
    expect(result.keptAside).toEqual([]);
    expect(await keys(target)).toEqual(["a", "b"]);
    expect(readFileSync(join(target, SIMULATOR_STATE_FILE), "utf8")).toBe('{"sim":1}');
  });

  it("refuses to restore over a database a running server holds, and changes nothing", async () => {
    const source = await dataDirWith(["a"]);
    const destination = dir("backup");
    await backupDataDir({ dataDir: source.dataDir, destination });
    await source.store.close();
    const live = await dataDirWith(["d"], '{"live":true}');
    expect(databaseInUse(join(live.dataDir, DATABASE_FILE))).toBe(true);
    expect(() => restoreDataDir({ backupDir: destination, dataDir: live.dataDir })).toThrow(/running/);
    expect(existsSync(join(live.dataDir, `${DATABASE_FILE}${BEFORE_RESTORE_SUFFIX}`))).toBe(false);
    expect(await live.store.kv.get("test/d")).toBe("d");
    await live.store.close();
    expect(databaseInUse(join(live.dataDir, DATABASE_FILE))).toBe(false);
  });

  it("keeps the previous database and simulator state as *.before-restore, with what the WAL held", async () => {
    const source = await dataDirWith(["a"]);
    const destination = dir("backup");
    await backupDataDir({ dataDir: source.dataDir, destination });
    await source.store.close();
    const previous = await dataDirWith(["d"], '{"previous":true}');
    await previous.store.close();
    const result = restoreDataDir({ backupDir: destination, dataDir: previous.dataDir });
    const asideDb = join(previous.dataDir, `${DATABASE_FILE}${BEFORE_RESTORE_SUFFIX}`);
    expect(result.keptAside).toEqual([
      asideDb,
      join(previous.dataDir, `${SIMULATOR_STATE_FILE}${BEFORE_RESTORE_SUFFIX}`),
    ]);
    const aside = new Database(asideDb, { readonly: true });
    expect(aside.prepare("SELECT value FROM kv WHERE key = 'test/d'").pluck().get()).toBe("d");
    aside.close();
    expect(await keys(previous.dataDir)).toEqual(["a"]);
    // The backup had no simulator state: the old one must not meet the restored database.
    expect(existsSync(join(previous.dataDir, SIMULATOR_STATE_FILE))).toBe(false);
  });

  it("refuses a damaged backup: a file that does not match its checksum, or a database that fails integrity_check", async () => {
    const source = await dataDirWith(["a", "b"]);
    const destination = dir("backup");
    await backupDataDir({ dataDir: source.dataDir, destination });
    await source.store.close();
    const file = join(destination, DATABASE_FILE);
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100]! + 1) % 256;
    writeFileSync(file, bytes);
    expect(() => restoreDataDir({ backupDir: destination, dataDir: dir("target") })).toThrow(/checksum/);

    // A database whose pages are damaged but whose manifest was rewritten to match.
    const damaged = dir("damaged");
    const good = await dataDirWith(["a"]);
    for (let i = 0; i < 200; i++) await good.store.kv.putIfAbsent(`bulk/${i}`, "x".repeat(500));
    await backupDataDir({ dataDir: good.dataDir, destination: damaged });
    await good.store.close();
    const db = readFileSync(join(damaged, DATABASE_FILE));
    db.fill(0x5a, 4096 * 3, 4096 * 3 + 2000);
    writeFileSync(join(damaged, DATABASE_FILE), db);
    const manifest = JSON.parse(readFileSync(join(damaged, MANIFEST_FILE), "utf8"));
    const { createHash } = await import("node:crypto");
    manifest.files[0].sha256 = createHash("sha256").update(db).digest("hex");
    writeFileSync(join(damaged, MANIFEST_FILE), JSON.stringify(manifest));
    expect(() => restoreDataDir({ backupDir: damaged, dataDir: dir("target") })).toThrow(DataSafetyError);
    expect(() => restoreDataDir({ backupDir: damaged, dataDir: dir("target") })).toThrow(
      /integrity|not a valid/,
    );
  });

  it("refuses a backup from a newer schema than this release", async () => {
    const source = await dataDirWith(["a"]);
    const raw = new Database(join(source.dataDir, DATABASE_FILE));
    raw
      .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
      .run(currentSchemaVersion() + 1, "from-the-future", new Date(0).toISOString());
    raw.close();
    const destination = dir("backup");
    const manifest = await backupDataDir({ dataDir: source.dataDir, destination });
    await source.store.close();
    expect(manifest.schemaVersion).toBe(currentSchemaVersion() + 1);
    expect(() => restoreDataDir({ backupDir: destination, dataDir: dir("target") })).toThrow(
      /newer than this release/,
    );
  });

  it("refuses to back up into a non-empty directory or from a directory without a database", async () => {
    const source = await dataDirWith(["a"]);
    const destination = dir("backup");
    await backupDataDir({ dataDir: source.dataDir, destination });
    await expect(backupDataDir({ dataDir: source.dataDir, destination })).rejects.toThrow(/not empty/);
    await expect(backupDataDir({ dataDir: dir("empty"), destination: dir("b") })).rejects.toThrow(
      /No database/,
    );
    await source.store.close();
  });
});
