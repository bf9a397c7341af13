import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";

/** The lock: an SQLite file this process holds an exclusive lock on for as long as it runs. */
export const LOCK_FILE = "server.lock";
/** Who holds the lock (PID, host, URL), written by the holder so that a second instance can name it. */
export const OWNER_FILE = "server.json";

export interface DataDirOwner {
  pid: number;
  host: string;
  url?: string;
  startedAt: string;
}

/** A second server on the same data folder: the message names the folder and the process that holds it. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner | undefined,
  ) {
    super(
      `Another DRS Orchestrator is already running on the data folder ${dataDir}${
        owner
          ? ` (PID ${owner.pid} on ${owner.host}${owner.url ? `, ${owner.url}` : ""}, started ${owner.startedAt})`
          : " (its process ID is not recorded yet)"
      }. Two servers on one folder would run the same executions twice. Stop the other one first, or give this one its own DRSO_DATA_DIR.`,
    );
    this.name = "DataDirLockedError";
  }
}

export interface DataDirLock {
  /** Records where this server listens (after it does), for the message a second instance prints. */
  setUrl(url: string): void;
  release(): void;
}

/**
 * Creates the data folder readable by this user only (0700: it holds the token-signing key and password
 * hashes) and reports an existing one that others can read (it is the operator's folder: we do not change
 * its mode behind their back, but we say so).
 */
export function prepareDataDir(dataDir: string, warn: (message: string) => void): void {
  if (!existsSync(dataDir)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask; the folder must end up 0700 whatever the umask.
    chmodSync(dataDir, 0o700);
    return;
  }
  const mode = statSync(dataDir).mode & 0o777;
  if (mode & 0o077)
    warn(
      `the data folder ${dataDir} can be read by other users (mode ${mode.toString(8).padStart(4, "0")}); it holds the signing key and password hashes: chmod 700 ${dataDir}`,
    );
}

/** Files of the data folder that hold secrets or state: created (or tightened to) 0600. */
export function restrictFile(path: string, create = false): void {
  if (create && !existsSync(path)) closeSync(openSync(path, "a", 0o600));
  if (existsSync(path) && (statSync(path).mode & 0o777) !== 0o600) chmodSync(path, 0o600);
}

/**
 * Takes the data folder for this process, or throws DataDirLockedError naming the process that has it.
 *
 * The lock is an SQLite exclusive lock (a POSIX lock underneath): the kernel drops it when the holder exits in
 * any way, kill -9 included, so a stale lock can never block a restart, and there is no PID guessing (PIDs
 * are reused, and differ between containers). SQLite also keeps two connections of one process apart, so
 * two servers started in one test process conflict too.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const lockPath = join(dataDir, LOCK_FILE);
  const ownerPath = join(dataDir, OWNER_FILE);
  restrictFile(lockPath, true);
  const db = new Database(lockPath, { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL)");
    db.exec("DELETE FROM holder");
    db.prepare("INSERT INTO holder (pid) VALUES (?)").run(process.pid);
    db.exec("COMMIT");
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
      throw new DataDirLockedError(dataDir, readOwner(ownerPath));
    throw error;
  }
  const owner: DataDirOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const writeOwner = () => {
    writeFileSync(ownerPath, `${JSON.stringify(owner, null, 2)}\n`, { mode: 0o600 });
    restrictFile(ownerPath);
  };
  writeOwner();
  let released = false;
  return {
    setUrl(url) {
      owner.url = url;
      writeOwner();
    },
    release() {
      if (released) return;
      released = true;
      db.close();
    },
  };
}

function readOwner(path: string): DataDirOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, "utf8")) as Partial<DataDirOwner>;
    if (typeof owner.pid !== "number" || typeof owner.host !== "string") return undefined;
    return {
      pid: owner.pid,
      host: owner.host,
      startedAt: String(owner.startedAt ?? "?"),
      ...(typeof owner.url === "string" ? { url: owner.url } : {}),
    };
  } catch {
    return undefined;
  }
}
