import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { AppError, ConflictError, UpstreamError, ValidationError } from "@drso/core";
import Database from "better-sqlite3";
import type { Direction, KeyPart } from "../paging.js";
import { migrate } from "./migrations.js";

export type Db = Database.Database;
export type Statement = Database.Statement;

/**
 * Opens (creating if needed) and configures a connection, then migrates the schema: WAL so readers never
 * block the writer, NORMAL sync (durable across process crashes; WAL keeps the file consistent across
 * power loss), a busy timeout for other processes' write locks, and enforced foreign keys.
 */
export function openDatabase(path: string, busyTimeoutMs = 5000): Db {
  if (path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw translateError(error);
  }
}

/** The synchronous twin of an async port interface: what a SQLite repository implements. */
export type SyncOf<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
};

/**
 * Turns a synchronous repository into its async port. Every call goes through `translateError`, so callers
 * only ever see the core's errors, never better-sqlite3's.
 */
export function asyncify<T extends object>(sync: SyncOf<T>): T {
  const port: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(sync)) {
    const call = fn as (...args: unknown[]) => unknown;
    port[name] = async (...args: unknown[]) => {
      try {
        return call(...args);
      } catch (error) {
        throw translateError(error);
      }
    };
  }
  return port as T;
}

/** Maps driver errors onto the core's hierarchy at the adapter boundary. */
export function translateError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (!(error instanceof Database.SqliteError)) return error;
  const code = error.code;
  let translated: AppError;
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    translated = new ConflictError("ALREADY_EXISTS", "A record with the same key already exists.");
  } else if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") {
    translated = new ConflictError(
      "REFERENCE_CONFLICT",
      "The record refers to, or is referred to by, another.",
    );
  } else if (code.startsWith("SQLITE_CONSTRAINT")) {
    translated = new ValidationError("The record breaks a storage rule.", [], "INVALID_RECORD", {
      reason: error.message,
    });
  } else if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    translated = new UpstreamError("STORE_BUSY", "The database is busy; try again.", 503);
  } else if (code === "SQLITE_FULL" || code.startsWith("SQLITE_IOERR")) {
    translated = new UpstreamError("STORE_UNAVAILABLE", `The database cannot be written (${code}).`, 503);
  } else {
    translated = new UpstreamError("STORE_FAILURE", `The database failed (${code}).`, 500);
  }
  Object.defineProperty(translated, "cause", { value: error, enumerable: false });
  return translated;
}

/** Prepared statements for queries whose text depends on the filters given; each text is prepared once. */
export function statementCache(db: Db): (sql: string) => Statement {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}

/**
 * The WHERE condition "sorts after `values`" for an ORDER BY over `columns` in `dirs`. Uses a row-value
 * comparison when all directions agree (SQLite can seek an index with it), else the expanded form.
 */
export function keysetCondition(
  columns: readonly string[],
  dirs: readonly Direction[],
  values: readonly KeyPart[],
): { sql: string; params: KeyPart[] } {
  const op = (d: Direction | undefined) => (d === "desc" ? "<" : ">");
  if (dirs.every((d) => d === dirs[0])) {
    return {
      sql: `(${columns.join(", ")}) ${op(dirs[0])} (${columns.map(() => "?").join(", ")})`,
      params: [...values],
    };
  }
  const branches: string[] = [];
  const params: KeyPart[] = [];
  for (let i = 0; i < columns.length; i++) {
    const terms: string[] = [];
    for (let j = 0; j < i; j++) {
      terms.push(`${columns[j]} = ?`);
      params.push(values[j] as KeyPart);
    }
    terms.push(`${columns[i]} ${op(dirs[i])} ?`);
    params.push(values[i] as KeyPart);
    branches.push(`(${terms.join(" AND ")})`);
  }
  return { sql: `(${branches.join(" OR ")})`, params };
}

export function orderBy(columns: readonly string[], dirs: readonly Direction[]): string {
  return columns.map((c, i) => `${c} ${dirs[i] === "desc" ? "DESC" : "ASC"}`).join(", ");
}

export function parseJson<T>(text: unknown): T {
  return JSON.parse(text as string) as T;
}

export function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    (error.code === "SQLITE_CONSTRAINT_UNIQUE" || error.code === "SQLITE_CONSTRAINT_PRIMARYKEY")
  );
}
