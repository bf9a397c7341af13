import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import {
  type BackupManifest,
  checkIntegrity,
  currentSchemaVersion,
  DATABASE_FILE,
  DataSafetyError,
  MANIFEST_FILE,
  SIMULATOR_STATE_FILE,
  sha256File,
} from "./backup.js";
import { ConfigError, loadConfig } from "./config.js";

export const BEFORE_RESTORE_SUFFIX = ".before-restore";

export interface RestoreResult {
  manifest: BackupManifest;
  /** Files set aside as `<name>.before-restore`. */
  keptAside: string[];
}

/**
 * Whether a process (a running server) has the database open. A server's connection holds a shared lock on
 * the file for as long as it is open, so asking for an exclusive lock, without waiting, fails with
 * SQLITE_BUSY exactly then. When the lock is granted, the WAL is checkpointed into the main file so that
 * the file set aside holds everything the last server committed (even after a kill -9).
 */
export function databaseInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  const db = new Database(path, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
    db.pragma("wal_checkpoint(TRUNCATE)");
    return false;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return true;
    throw error;
  } finally {
    db.close();
  }
}

function readManifest(backupDir: string): BackupManifest {
  const path = join(backupDir, MANIFEST_FILE);
  if (!existsSync(path))
    throw new DataSafetyError(`${backupDir} has no ${MANIFEST_FILE}: not a backup directory.`);
  const manifest = JSON.parse(readFileSync(path, "utf8")) as BackupManifest;
  if (manifest.format !== 1 || manifest.product !== "drs-orchestrator" || !Array.isArray(manifest.files))
    throw new DataSafetyError(`${path} is not a DRS Orchestrator backup manifest.`);
  return manifest;
}

function setAside(path: string, keptAside: string[]): void {
  if (!existsSync(path)) return;
  const aside = `${path}${BEFORE_RESTORE_SUFFIX}`;
  // An earlier restore's leftover is kept too, under its own time, rather than overwritten.
  if (existsSync(aside)) renameSync(aside, `${aside}.${Date.now()}`);
  renameSync(path, aside);
  keptAside.push(aside);
}

/** Copies to a temporary name, flushes, then renames: the final name holds either nothing or the whole file. */
function installFile(from: string, to: string): void {
  const temp = `${to}.restoring`;
  copyFileSync(from, temp);
  const fd = openSync(temp, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, to);
}

/**
 * Restores a backup (from backupDataDir) into a data directory. Refuses while a server holds the database,
 * a backup whose files do not match their checksums or fail `PRAGMA integrity_check`, and a backup from a
 * newer schema than this release knows. The data directory's current database and simulator state are
 * kept beside the restored ones as `*.before-restore`. The next start migrates an older backup's schema.
 */
export function restoreDataDir(options: { backupDir: string; dataDir: string }): RestoreResult {
  const backupDir = resolve(options.backupDir);
  const dataDir = resolve(options.dataDir);
  const manifest = readManifest(backupDir);
  for (const file of manifest.files) {
    const path = join(backupDir, file.name);
    if (!existsSync(path)) throw new DataSafetyError(`The backup lacks ${file.name}.`);
    if (sha256File(path) !== file.sha256)
      throw new DataSafetyError(
        `${file.name} does not match its checksum in ${MANIFEST_FILE}: the backup is damaged.`,
      );
  }
  const backupDatabase = join(backupDir, DATABASE_FILE);
  const { schemaVersion } = checkIntegrity(backupDatabase);
  const supported = currentSchemaVersion();
  if (schemaVersion > supported)
    throw new DataSafetyError(
      `The backup is at schema version ${schemaVersion}, newer than this release supports (${supported}). ` +
        "Restore it with the release that took it, or a newer one.",
    );

  mkdirSync(dataDir, { recursive: true });
  const database = join(dataDir, DATABASE_FILE);
  if (databaseInUse(database))
    throw new DataSafetyError(
      `A running DRS Orchestrator holds ${database}. Stop it, then restore (the restore never replaces a live database).`,
    );
  const keptAside: string[] = [];
  setAside(database, keptAside);
  for (const suffix of ["-wal", "-shm"]) rmSync(`${database}${suffix}`, { force: true });
  // The simulator's state belongs with the database it was saved beside: set it aside even when the backup
  // has none, so that a restored database never meets a simulator that remembers another history.
  setAside(join(dataDir, SIMULATOR_STATE_FILE), keptAside);
  installFile(backupDatabase, database);
  if (manifest.files.some((f) => f.name === SIMULATOR_STATE_FILE))
    installFile(join(backupDir, SIMULATOR_STATE_FILE), join(dataDir, SIMULATOR_STATE_FILE));
  return { manifest, keptAside };
}

/** `npm run restore -- <backup-directory>` into DRSO_DATA_DIR. */
function main(argv: string[]): number {
  const backupDir = argv.find((a) => !a.startsWith("-"));
  if (!backupDir || argv.includes("--help") || argv.includes("-h")) {
    console.log(
      "Usage: npm run restore -- <backup-directory>   (restores into DRSO_DATA_DIR, default ./.data)",
    );
    return backupDir ? 0 : 2;
  }
  const config = loadConfig();
  const result = restoreDataDir({ backupDir, dataDir: config.dataDir });
  console.log(
    `Restored ${resolve(backupDir)} (taken ${result.manifest.createdAt}, schema version ${result.manifest.schemaVersion}) into ${config.dataDir}.`,
  );
  for (const aside of result.keptAside) console.log(`  previous file kept as ${aside}`);
  console.log("Start the server (npm start); it upgrades an older schema on start.");
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (error) {
    const known = error instanceof DataSafetyError || error instanceof ConfigError;
    console.error(`restore failed: ${known ? (error as Error).message : error}`);
    process.exit(1);
  }
}
