import { randomUUID } from "node:crypto";
import type { Clock } from "@drso/clock";
import {
  ConflictError,
  EmailSchema,
  NotFoundError,
  type RefreshTokenRepository,
  type Role,
  RoleSchema,
  type UserDirectory,
  type UserRecord,
  type UserRepository,
  ValidationError,
} from "@drso/core";
import type { PasswordHasher } from "./password-hasher.js";
import { assertPasswordPolicy, generatePassword } from "./password-policy.js";
import { toPublicUser, UpdateContentionError, updateUserRecord, withoutLock } from "./user-records.js";

export interface LocalUserDirectoryDeps {
  users: UserRepository;
  refreshTokens: RefreshTokenRepository;
  clock: Clock;
  /** Must be the hasher the identity provider verifies with. */
  hasher: PasswordHasher;
}

const ADMIN_ROLE: Role = "DRSAdmin";

const userNotFound = (userId: string) => new NotFoundError("user", userId, "USER_NOT_FOUND");
const emailTaken = (email: string) =>
  new ConflictError("ALREADY_EXISTS", `A user with the e-mail address '${email}' already exists.`, { email });
const lastAdmin = () =>
  new ConflictError(
    "LAST_ADMIN",
    "This is the last enabled DRSAdmin: it cannot be deleted, disabled or given another role.",
  );

function isEnabledAdmin(user: UserRecord): boolean {
  return user.role === ADMIN_ROLE && !user.disabled;
}

function parseEmail(email: unknown): string {
  const result = EmailSchema.safeParse(typeof email === "string" ? email.trim() : email);
  if (!result.success) {
    throw new ValidationError("The e-mail address is not valid.", [
      { path: "email", message: result.error.issues[0]?.message ?? "must be an email address" },
    ]);
  }
  return result.data;
}

function parseRole(role: unknown): Role {
  const result = RoleSchema.safeParse(role);
  if (!result.success) {
    throw new ValidationError("The role is not valid.", [{ path: "role", message: "must be a known role" }]);
  }
  return result.data;
}

/**
 * User administration for local mode. Input is validated again here (the API validates it first) because
 * the directory is also called by the host at start-up.
 *
 * The LAST_ADMIN rule is checked and applied under one lock per directory instance, so two admins demoting
 * each other at the same moment cannot leave the system without an enabled DRSAdmin. Across processes
 * sharing one store the rule is checked but not serialised: local mode runs one API process.
 */
export function createLocalUserDirectory(deps: LocalUserDirectoryDeps): UserDirectory {
  const { users, refreshTokens, clock, hasher } = deps;
  const nowIso = () => new Date(clock.now()).toISOString();
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs admin changes one at a time (see the LAST_ADMIN note above). */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  }

  async function otherEnabledAdmins(userId: string): Promise<number> {
    const all = await users.list();
    return all.filter((u) => u.userId !== userId && isEnabledAdmin(u)).length;
  }

  async function createRecord(email: string, role: Role, password: string): Promise<UserRecord> {
    if (await users.findByEmail(email)) throw emailTaken(email);
    const now = nowIso();
    const record: UserRecord = {
      userId: randomUUID(),
      email,
      role,
      passwordHash: await hasher.hash(password),
      disabled: false,
      failedAttempts: 0,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    // The store enforces e-mail uniqueness too (ConflictError ALREADY_EXISTS) for a racing create.
    return users.create(record);
  }

  return {
    async list() {
      const all = await users.list();
      return all.map((u) => toPublicUser(u, clock));
    },

    async get(userId) {
      const user = await users.get(userId);
      return user && toPublicUser(user, clock);
    },

    async create(input) {
      const email = parseEmail(input.email);
      const role = parseRole(input.role);
      if (input.password !== undefined) assertPasswordPolicy(input.password);
      const temporaryPassword = input.password === undefined ? generatePassword() : undefined;
      return exclusive(async () => {
        const created = await createRecord(email, role, input.password ?? (temporaryPassword as string));
        const user = toPublicUser(created, clock);
        return temporaryPassword === undefined ? { user } : { user, temporaryPassword };
      });
    },

    async update(userId, input) {
      const role = input.role === undefined ? undefined : parseRole(input.role);
      if (input.password !== undefined) assertPasswordPolicy(input.password);
      if (input.disabled !== undefined && typeof input.disabled !== "boolean") {
        throw new ValidationError("disabled must be true or false.", [
          { path: "disabled", message: "must be a boolean" },
        ]);
      }
      return exclusive(async () => {
        const current = await users.get(userId);
        if (!current) throw userNotFound(userId);
        const losesAdmin =
          isEnabledAdmin(current) && ((role !== undefined && role !== ADMIN_ROLE) || input.disabled === true);
        if (losesAdmin && (await otherEnabledAdmins(userId)) === 0) throw lastAdmin();

        const passwordHash = input.password === undefined ? undefined : await hasher.hash(input.password);
        let updated: UserRecord | undefined;
        try {
          updated = await updateUserRecord(users, userId, (user) => {
            // An administrator's new password also lifts a lockout: it is how a locked-out user gets back in.
            const next: UserRecord =
              passwordHash === undefined
                ? { ...user }
                : { ...withoutLock(user), passwordHash, failedAttempts: 0 };
            if (role !== undefined) next.role = role;
            if (input.disabled !== undefined) next.disabled = input.disabled;
            next.updatedAt = nowIso();
            return next;
          });
        } catch (err) {
          if (err instanceof UpdateContentionError) {
            throw new ConflictError("CONCURRENT_UPDATE", "The user is being changed by someone else; retry.");
          }
          throw err;
        }
        if (!updated) throw userNotFound(userId);
        // A new password or a disable ends every session (their ID/access tokens run out within 45 minutes).
        if (passwordHash !== undefined || (input.disabled === true && !current.disabled)) {
          await refreshTokens.revokeAllForUser(userId, nowIso());
        }
        return toPublicUser(updated, clock);
      });
    },

    async delete(userId) {
      return exclusive(async () => {
        const current = await users.get(userId);
        if (!current) throw userNotFound(userId);
        if (isEnabledAdmin(current) && (await otherEnabledAdmins(userId)) === 0) throw lastAdmin();
        await refreshTokens.revokeAllForUser(userId, nowIso());
        await users.delete(userId);
      });
    },

    async ensureInitialAdmin(email, password) {
      const adminEmail = parseEmail(email);
      if (password !== undefined) assertPasswordPolicy(password);
      return exclusive(async () => {
        if ((await users.count()) > 0) return undefined;
        const generatedPassword = password === undefined ? generatePassword() : undefined;
        let created: UserRecord;
        try {
          created = await createRecord(adminEmail, ADMIN_ROLE, password ?? (generatedPassword as string));
        } catch (err) {
          // Another process created the same first admin at the same moment.
          if (err instanceof ConflictError && err.code === "ALREADY_EXISTS") return undefined;
          throw err;
        }
        const user = toPublicUser(created, clock);
        return generatedPassword === undefined ? { user } : { user, generatedPassword };
      });
    },
  };
}
