import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createSqliteStore } from "@drso/store";
import Database from "better-sqlite3";
import { ConfigError, loadConfig } from "./config.js";
import { VERSION } from "./local-server.js";

/** The files of a data directory (DRSO_DATA_DIR), as local-server.ts lays it out. */
export const DATABASE_FILE = "drs-orchestrator.sqlite";
export const SIMULATOR_STATE_FILE = "drs-sim-state.json";
export const MANIFEST_FILE = "backup.json";

export interface BackupManifest {
  format: 1;
  product: "drs-orchestrator";
  productVersion: string;
  createdAt: string;
  /** The highest migration applied to the backed-up database. */
  schemaVersion: number;
  sourceDataDir: string;
  files: Array<{ name: string; bytes: number; sha256: string }>;
}

export class DataSafetyError extends Error {}

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** The schema version this release writes (and the newest it can open). */
export function currentSchemaVersion(): number {
  const store = createSqliteStore({ path: ":memory:" });
  try {
    return store.schemaVersion();
  } finally {
    void store.close();
  }
}

export function schemaVersionOf(db: Database.Database): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .pluck()
    .get();
  if (table === undefined) return 0;
  return db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").pluck().get() as number;
}

/** `PRAGMA integrity_check` of a database file, read-only; throws unless it says "ok". */
export function checkIntegrity(path: string): { schemaVersion: number } {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new DataSafetyError(`${path} is not a readable SQLite database: ${(error as Error).message}`);
  }
  try {
    const result = db.pragma("integrity_check", { simple: false }) as Array<{ integrity_check: string }>;
    const problems = result.map((r) => r.integrity_check).filter((r) => r !== "ok");
    if (problems.length > 0)
      throw new DataSafetyError(`${path} failed its integrity check: ${problems.slice(0, 5).join("; ")}`);
    return { schemaVersion: schemaVersionOf(db) };
  } catch (error) {
    if (error instanceof DataSafetyError) throw error;
    throw new DataSafetyError(`${path} is not a valid database: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}

/**
 * Backs up a data directory into `destination` (a new or empty directory): an online, consistent copy of the
 * database through SQLite's backup API (safe while the server runs and writes: the copy is one snapshot of
 * the database), the simulator's state file when there is one, and a manifest with checksums. The source is
 * opened read-only and never migrated: a backup taken before an upgrade is the database as it was.
 */
export async function backupDataDir(options: {
  dataDir: string;
  destination: string;
}): Promise<BackupManifest> {
  const dataDir = resolve(options.dataDir);
  const destination = resolve(options.destination);
  const source = join(dataDir, DATABASE_FILE);
  if (!existsSync(source)) throw new DataSafetyError(`No database at ${source}: is DRSO_DATA_DIR right?`);
  if (existsSync(destination) && readdirSync(destination).length > 0)
    throw new DataSafetyError(`${destination} exists and is not empty; choose a new directory.`);
  mkdirSync(destination, { recursive: true });

  const target = join(destination, DATABASE_FILE);
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 5000 });
  let schemaVersion: number;
  try {
    schemaVersion = schemaVersionOf(db);
    // After the first step, copy the rest in one step: SQLite restarts a stepwise backup whenever another
    // process writes to the source, which a busy server could do forever.
    await db.backup(target, { progress: () => 1_000_000 });
  } finally {
    db.close();
  }
  const copied = checkIntegrity(target);
  if (copied.schemaVersion !== schemaVersion)
    throw new DataSafetyError(
      `The copy is at schema ${copied.schemaVersion}, the source at ${schemaVersion}.`,
    );

  const names = [DATABASE_FILE];
  const simulatorState = join(dataDir, SIMULATOR_STATE_FILE);
  // The simulator replaces its state file atomically (write, then rename), so a plain copy is consistent.
  if (existsSync(simulatorState)) {
    copyFileSync(simulatorState, join(destination, SIMULATOR_STATE_FILE));
    names.push(SIMULATOR_STATE_FILE);
  }
  const manifest: BackupManifest = {
    format: 1,
    product: "drs-orchestrator",
    productVersion: VERSION,
    createdAt: new Date().toISOString(),
    schemaVersion,
    sourceDataDir: dataDir,
    files: names.map((name) => ({
      name,
      bytes: statSync(join(destination, name)).size,
      sha256: sha256File(join(destination, name)),
    })),
  };
  writeFileSync(join(destination, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, "-");
}

/** `npm run backup -- [destination]` (default ./backups/drso-<time>); the data directory is DRSO_DATA_DIR. */
async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(
      "Usage: npm run backup -- [destination-directory]   (backs up DRSO_DATA_DIR, default ./.data)",
    );
    return 0;
  }
  const config = loadConfig();
  const destination = argv[0] ?? join("backups", `drso-${timestamp()}`);
  const manifest = await backupDataDir({ dataDir: config.dataDir, destination });
  console.log(
    `Backed up ${config.dataDir} to ${resolve(destination)} (schema version ${manifest.schemaVersion}):`,
  );
  for (const f of manifest.files)
    console.log(`  ${f.name}  ${f.bytes} bytes  sha256 ${f.sha256.slice(0, 16)}…`);
  console.log(`Restore with: npm run restore -- ${resolve(destination)}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const known = error instanceof DataSafetyError || error instanceof ConfigError;
      console.error(`backup failed: ${known ? (error as Error).message : error}`);
      process.exit(1);
    },
  );
}
