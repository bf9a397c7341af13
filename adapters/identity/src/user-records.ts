import type { Clock } from "@drso/clock";
import {
  NotFoundError,
  PreconditionFailedError,
  type User,
  type UserRecord,
  type UserRepository,
} from "@drso/core";

export function isLocked(user: UserRecord, nowMs: number): boolean {
  return user.lockedUntil !== undefined && Date.parse(user.lockedUntil) > nowMs;
}

/** The public shape of a user: no password hash, no attempt counter; `locked` as of the clock's now. */
export function toPublicUser(user: UserRecord, clock: Clock): User {
  return {
    userId: user.userId,
    email: user.email,
    role: user.role,
    disabled: user.disabled,
    locked: isLocked(user, clock.now()),
    ...(user.lastLoginAt === undefined ? {} : { lastLoginAt: user.lastLoginAt }),
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    version: user.version,
  };
}

/** A copy of the record without a lock (exactOptionalPropertyTypes: the key must be absent, not undefined). */
export function withoutLock(user: UserRecord): UserRecord {
  const { lockedUntil: _lockedUntil, ...rest } = user;
  return rest;
}

export class UpdateContentionError extends Error {
  constructor(userId: string) {
    super(`User '${userId}' kept changing while it was being updated.`);
    this.name = "UpdateContentionError";
  }
}

/**
 * Read-modify-write with optimistic versioning. `change` sees the latest record and returns the next one
 * (or undefined for "nothing to write"); on a version mismatch the record is read again and `change` runs
 * again, so concurrent sign-ins and admin edits never lose each other's writes. `change` may throw.
 * Returns undefined when the user does not exist (or was deleted meanwhile).
 */
export async function updateUserRecord(
  users: UserRepository,
  userId: string,
  change: (current: UserRecord) => UserRecord | undefined,
  attempts = 10,
): Promise<UserRecord | undefined> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await users.get(userId);
    if (!current) return undefined;
    const next = change(current);
    if (!next) return current;
    try {
      return await users.update(next, current.version);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      if (!(err instanceof PreconditionFailedError)) throw err;
    }
  }
  throw new UpdateContentionError(userId);
}
