import type { RefreshTokenRecord, RefreshTokenRepository, UserRecord, UserRepository } from "@drso/core";
import { alreadyExists, notFound, versionMismatch } from "../store-errors.js";
import { asyncify, type Db, parseJson } from "./database.js";

export function createSqliteUsers(db: Db): UserRepository {
  const s = {
    get: db.prepare("SELECT data FROM users WHERE user_id = ?").pluck(),
    byEmail: db.prepare("SELECT data FROM users WHERE email_lower = ?").pluck(),
    idByEmail: db.prepare("SELECT user_id FROM users WHERE email_lower = ?").pluck(),
    version: db.prepare("SELECT version FROM users WHERE user_id = ?").pluck(),
    all: db.prepare("SELECT data FROM users ORDER BY email_lower, user_id").pluck(),
    count: db.prepare("SELECT COUNT(*) FROM users").pluck(),
    insert: db.prepare("INSERT INTO users (user_id, email_lower, version, data) VALUES (?, ?, ?, ?)"),
    update: db.prepare("UPDATE users SET email_lower = ?, version = ?, data = ? WHERE user_id = ?"),
    delete: db.prepare("DELETE FROM users WHERE user_id = ?"),
  };

  const checkEmail = (user: UserRecord) => {
    const other = s.idByEmail.get(user.email.toLowerCase()) as string | undefined;
    if (other !== undefined && other !== user.userId) throw alreadyExists("user", user.userId, user.email);
  };

  const create = db.transaction((user: UserRecord) => {
    if (s.version.get(user.userId) !== undefined) throw alreadyExists("user", user.userId);
    checkEmail(user);
    const data = JSON.stringify({ ...user, version: 1 } satisfies UserRecord);
    s.insert.run(user.userId, user.email.toLowerCase(), 1, data);
    return parseJson<UserRecord>(data);
  });

  const update = db.transaction((user: UserRecord, expectedVersion: number) => {
    const current = s.version.get(user.userId) as number | undefined;
    if (current === undefined) throw notFound("user", user.userId);
    if (current !== expectedVersion) throw versionMismatch("user", user.userId, expectedVersion, current);
    checkEmail(user);
    const version = expectedVersion + 1;
    const data = JSON.stringify({ ...user, version } satisfies UserRecord);
    s.update.run(user.email.toLowerCase(), version, data, user.userId);
    return parseJson<UserRecord>(data);
  });

  return asyncify<UserRepository>({
    get(userId) {
      const data = s.get.get(userId);
      return data === undefined ? undefined : parseJson<UserRecord>(data);
    },
    findByEmail(email) {
      const data = s.byEmail.get(email.toLowerCase());
      return data === undefined ? undefined : parseJson<UserRecord>(data);
    },
    list() {
      return (s.all.all() as string[]).map((d) => parseJson<UserRecord>(d));
    },
    count() {
      return s.count.get() as number;
    },
    create(user) {
      return create.immediate(user);
    },
    update(user, expectedVersion) {
      return update.immediate(user, expectedVersion);
    },
    delete(userId) {
      if (s.delete.run(userId).changes === 0) throw notFound("user", userId);
    },
  });
}

/** A revoked token stays revoked: a later put of the same hash cannot clear `revokedAt`. */
export function createSqliteRefreshTokens(db: Db): RefreshTokenRepository {
  const s = {
    put: db.prepare(
      `INSERT INTO refresh_tokens (token_hash, user_id, issued_at, expires_at, revoked_at, family_id, auth_time)
       VALUES (@tokenHash, @userId, @issuedAt, @expiresAt, @revokedAt, @familyId, @authTime)
       ON CONFLICT (token_hash) DO UPDATE SET user_id = excluded.user_id, issued_at = excluded.issued_at,
         expires_at = excluded.expires_at, revoked_at = COALESCE(refresh_tokens.revoked_at, excluded.revoked_at),
         family_id = excluded.family_id, auth_time = excluded.auth_time`,
    ),
    get: db.prepare(
      `SELECT token_hash AS tokenHash, user_id AS userId, issued_at AS issuedAt, expires_at AS expiresAt,
              revoked_at AS revokedAt, family_id AS familyId, auth_time AS authTime
       FROM refresh_tokens WHERE token_hash = ?`,
    ),
    revoke: db.prepare(
      "UPDATE refresh_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
    ),
    revokeAll: db.prepare(
      "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
    ),
    purge: db.prepare("DELETE FROM refresh_tokens WHERE expires_at < ?"),
  };
  return asyncify<RefreshTokenRepository>({
    put(record) {
      s.put.run({
        ...record,
        revokedAt: record.revokedAt ?? null,
        familyId: record.familyId ?? null,
        authTime: record.authTime ?? null,
      });
    },
    get(tokenHash) {
      const row = s.get.get(tokenHash) as
        | (Omit<RefreshTokenRecord, "revokedAt" | "familyId" | "authTime"> & {
            revokedAt: string | null;
            familyId: string | null;
            authTime: string | null;
          })
        | undefined;
      if (!row) return undefined;
      const { revokedAt, familyId, authTime, ...rest } = row;
      return {
        ...rest,
        ...(revokedAt !== null ? { revokedAt } : {}),
        ...(familyId !== null ? { familyId } : {}),
        ...(authTime !== null ? { authTime } : {}),
      };
    },
    revoke(tokenHash, at) {
      return s.revoke.run(at, tokenHash).changes > 0;
    },
    revokeAllForUser(userId, at) {
      return s.revokeAll.run(at, userId).changes;
    },
    purgeExpired(now) {
      return s.purge.run(now).changes;
    },
  });
}
