import { createHash } from "node:crypto";
import { ConflictError, NotFoundError, UserSchema, ValidationError } from "@drso/core";
import { describe, expect, it } from "vitest";
import { assertPasswordPolicy } from "./password-policy.js";
import { PASSWORD, rejectionOf, START, setup } from "./test-support/harness.js";

const MINUTE = 60_000;

describe("local user directory: create, list, get", () => {
  it("creates a user and shows it without secrets, in the public User shape", async () => {
    const { directory } = await setup();
    const { user, temporaryPassword } = await directory.create({
      email: "Ops@Example.com",
      role: "DRSOperator",
      password: PASSWORD,
    });
    expect(temporaryPassword).toBeUndefined();
    expect(user).toEqual({
      userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: "ops@example.com",
      role: "DRSOperator",
      disabled: false,
      locked: false,
      createdAt: new Date(START).toISOString(),
      updatedAt: new Date(START).toISOString(),
      version: 1,
    });
    expect(UserSchema.parse(user)).toEqual(user);
    expect(await directory.get(user.userId)).toEqual(user);
    expect(await directory.list()).toEqual([user]);
    expect(JSON.stringify(await directory.list())).not.toMatch(/scrypt|passwordHash|failedAttempts/);
    expect(await directory.get("no-such-user")).toBeUndefined();
  });

  it("generates a policy-compliant temporary password when none is given, returned once, that signs in", async () => {
    const { directory, identity } = await setup();
    const { user, temporaryPassword } = await directory.create({
      email: "new@example.com",
      role: "DRSViewer",
    });
    expect(temporaryPassword).toBeDefined();
    expect(() => assertPasswordPolicy(temporaryPassword)).not.toThrow();
    expect(JSON.stringify(await directory.get(user.userId))).not.toContain(temporaryPassword);
    await expect(identity.login("new@example.com", temporaryPassword as string)).resolves.toBeDefined();
  });

  it("refuses a second user with the same e-mail in any case (ALREADY_EXISTS)", async () => {
    const { directory, addUser } = await setup();
    await addUser("ops@example.com");
    const error = await rejectionOf(directory.create({ email: "OPS@example.com", role: "DRSViewer" }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe("ALREADY_EXISTS");
    expect(await directory.list()).toHaveLength(1);
  });

  it("validates the password policy, the e-mail and the role", async () => {
    const { directory } = await setup();
    const weak = await rejectionOf(
      directory.create({ email: "a@example.com", role: "DRSViewer", password: "short" }),
    );
    expect(weak).toBeInstanceOf(ValidationError);
    expect(weak.message).toContain("at least 8 characters");
    const email = await rejectionOf(directory.create({ email: "not-an-email", role: "DRSViewer" }));
    expect(email).toBeInstanceOf(ValidationError);
    const role = await rejectionOf(
      directory.create({ email: "a@example.com", role: "Root" as unknown as "DRSViewer" }),
    );
    expect(role).toBeInstanceOf(ValidationError);
    expect(await directory.list()).toEqual([]);
  });

  it("shows a locked user as locked until the lock runs out", async () => {
    const { directory, identity, clock, addUser } = await setup();
    const user = await addUser("ops@example.com");
    for (let i = 0; i < 5; i++) await rejectionOf(identity.login("ops@example.com", "Wrong-Password-1"));
    expect((await directory.list())[0]?.locked).toBe(true);
    clock.advance(15 * MINUTE);
    expect((await directory.get(user.userId))?.locked).toBe(false);
  });
});

describe("local user directory: update and delete", () => {
  it("changes the role, bumping version and updatedAt", async () => {
    const { directory, clock, addUser } = await setup();
    const user = await addUser("ops@example.com");
    clock.advance(MINUTE);
    const updated = await directory.update(user.userId, { role: "DRSAuditor" });
    expect(updated).toMatchObject({
      role: "DRSAuditor",
      version: 2,
      updatedAt: new Date(START + MINUTE).toISOString(),
    });
  });

  it("a password change takes effect, revokes every refresh token and lifts a lockout", async () => {
    const { directory, identity, addUser } = await setup();
    const user = await addUser("ops@example.com");
    const session = await identity.login("ops@example.com", PASSWORD);
    for (let i = 0; i < 5; i++) await rejectionOf(identity.login("ops@example.com", "Wrong-Password-1"));
    const updated = await directory.update(user.userId, { password: "Brand-New-Pass-7" });
    expect(updated.locked).toBe(false);
    expect((await rejectionOf(identity.refresh(session.refreshToken))).code).toBe("INVALID_REFRESH_TOKEN");
    expect((await rejectionOf(identity.login("ops@example.com", PASSWORD))).code).toBe("INVALID_CREDENTIALS");
    await expect(identity.login("ops@example.com", "Brand-New-Pass-7")).resolves.toBeDefined();
  });

  it("refuses a new password that breaks the policy", async () => {
    const { directory, addUser } = await setup();
    const user = await addUser("ops@example.com");
    const error = await rejectionOf(directory.update(user.userId, { password: "alllowercase1" }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain("upper-case");
  });

  it("disabling revokes every refresh token; re-enabling does not bring them back", async () => {
    const { directory, identity, addUser } = await setup();
    const user = await addUser("ops@example.com");
    const session = await identity.login("ops@example.com", PASSWORD);
    expect((await directory.update(user.userId, { disabled: true })).disabled).toBe(true);
    await directory.update(user.userId, { disabled: false });
    expect((await rejectionOf(identity.refresh(session.refreshToken))).code).toBe("INVALID_REFRESH_TOKEN");
    await expect(identity.login("ops@example.com", PASSWORD)).resolves.toBeDefined();
  });

  it("a role change alone keeps the sessions", async () => {
    const { directory, identity, addUser } = await setup();
    const user = await addUser("ops@example.com");
    const session = await identity.login("ops@example.com", PASSWORD);
    await directory.update(user.userId, { role: "DRSViewer" });
    await expect(identity.refresh(session.refreshToken)).resolves.toBeDefined();
  });

  it("delete removes the user and revokes its refresh tokens", async () => {
    const { directory, identity, repos, addUser } = await setup();
    const user = await addUser("ops@example.com");
    const session = await identity.login("ops@example.com", PASSWORD);
    await directory.delete(user.userId);
    expect(await directory.get(user.userId)).toBeUndefined();
    const hash = createHash("sha256").update(session.refreshToken).digest("hex");
    expect((await repos.refreshTokens.get(hash))?.revokedAt).toBe(new Date(START).toISOString());
    expect((await rejectionOf(identity.refresh(session.refreshToken))).code).toBe("INVALID_REFRESH_TOKEN");
  });

  it("reports USER_NOT_FOUND for unknown users", async () => {
    const { directory } = await setup();
    for (const attempt of [directory.update("nope", { role: "DRSViewer" }), directory.delete("nope")]) {
      const error = await rejectionOf(attempt);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.code).toBe("USER_NOT_FOUND");
    }
  });

  it("an update survives a concurrent sign-in changing the same record", async () => {
    const { directory, identity, addUser } = await setup();
    const user = await addUser("ops@example.com");
    const [updated] = await Promise.all([
      directory.update(user.userId, { role: "DRSAuditor" }),
      identity.login("ops@example.com", PASSWORD),
      identity.login("ops@example.com", "Wrong-Password-1").catch(() => undefined),
    ]);
    expect(updated.role).toBe("DRSAuditor");
    expect((await directory.get(user.userId))?.role).toBe("DRSAuditor");
  });
});

describe("local user directory: the last enabled DRSAdmin", () => {
  async function withOneAdmin() {
    const ctx = await setup();
    const admin = await ctx.addUser("admin@example.com", "DRSAdmin");
    return { ...ctx, admin };
  }

  it.each([
    ["deleted", (d: Awaited<ReturnType<typeof withOneAdmin>>) => d.directory.delete(d.admin.userId)],
    [
      "disabled",
      (d: Awaited<ReturnType<typeof withOneAdmin>>) => d.directory.update(d.admin.userId, { disabled: true }),
    ],
    [
      "demoted",
      (d: Awaited<ReturnType<typeof withOneAdmin>>) =>
        d.directory.update(d.admin.userId, { role: "DRSOperator" }),
    ],
  ])("cannot be %s (LAST_ADMIN)", async (_what, change) => {
    const ctx = await withOneAdmin();
    await ctx.addUser("ops@example.com", "DRSOperator");
    const error = await rejectionOf(change(ctx));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe("LAST_ADMIN");
    expect(await ctx.directory.get(ctx.admin.userId)).toMatchObject({ role: "DRSAdmin", disabled: false });
  });

  it("a disabled admin does not count as another admin", async () => {
    const ctx = await withOneAdmin();
    const other = await ctx.addUser("admin2@example.com", "DRSAdmin");
    await ctx.directory.update(other.userId, { disabled: true });
    expect((await rejectionOf(ctx.directory.delete(ctx.admin.userId))).code).toBe("LAST_ADMIN");
    await ctx.directory.update(other.userId, { disabled: false });
    await expect(ctx.directory.delete(ctx.admin.userId)).resolves.toBeUndefined();
  });

  it("with another enabled admin, an admin can be demoted, disabled or deleted", async () => {
    const ctx = await withOneAdmin();
    const other = await ctx.addUser("admin2@example.com", "DRSAdmin");
    await expect(ctx.directory.update(ctx.admin.userId, { role: "DRSViewer" })).resolves.toMatchObject({
      role: "DRSViewer",
    });
    // Now `other` is the last one.
    expect((await rejectionOf(ctx.directory.update(other.userId, { disabled: true }))).code).toBe(
      "LAST_ADMIN",
    );
    await ctx.directory.update(ctx.admin.userId, { role: "DRSAdmin" });
    await expect(ctx.directory.update(other.userId, { disabled: true })).resolves.toMatchObject({
      disabled: true,
    });
    await ctx.directory.update(other.userId, { disabled: false });
    await expect(ctx.directory.delete(ctx.admin.userId)).resolves.toBeUndefined();
  });

  it("two admins demoting each other at the same moment leave one admin", async () => {
    const ctx = await withOneAdmin();
    const other = await ctx.addUser("admin2@example.com", "DRSAdmin");
    const results = await Promise.allSettled([
      ctx.directory.update(ctx.admin.userId, { role: "DRSViewer" }),
      ctx.directory.update(other.userId, { role: "DRSViewer" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const admins = (await ctx.directory.list()).filter((u) => u.role === "DRSAdmin" && !u.disabled);
    expect(admins).toHaveLength(1);
  });

  it("non-admin changes are not affected", async () => {
    const ctx = await withOneAdmin();
    const ops = await ctx.addUser("ops@example.com", "DRSOperator");
    await expect(ctx.directory.update(ops.userId, { disabled: true })).resolves.toBeDefined();
    await expect(ctx.directory.delete(ops.userId)).resolves.toBeUndefined();
    // Promoting to admin and a no-op admin update are fine.
    await expect(ctx.directory.update(ctx.admin.userId, { role: "DRSAdmin" })).resolves.toBeDefined();
  });
});

describe("local user directory: ensureInitialAdmin", () => {
  it("creates the first DRSAdmin with the given password, and only once", async () => {
    const { directory, identity } = await setup();
    const first = await directory.ensureInitialAdmin("Admin@Example.com", PASSWORD);
    expect(first?.user).toMatchObject({ email: "admin@example.com", role: "DRSAdmin", disabled: false });
    expect(first?.generatedPassword).toBeUndefined();
    await expect(identity.login("admin@example.com", PASSWORD)).resolves.toBeDefined();
    expect(await directory.ensureInitialAdmin("admin@example.com", PASSWORD)).toBeUndefined();
    expect(await directory.ensureInitialAdmin("someone-else@example.com")).toBeUndefined();
    expect(await directory.list()).toHaveLength(1);
  });

  it("does nothing when any user exists, even a non-admin", async () => {
    const { directory, addUser } = await setup();
    await addUser("ops@example.com");
    expect(await directory.ensureInitialAdmin("admin@example.com", PASSWORD)).toBeUndefined();
  });

  it("generates a compliant password when none is given", async () => {
    const { directory, identity } = await setup();
    const result = await directory.ensureInitialAdmin("admin@example.com");
    const password = result?.generatedPassword as string;
    expect(() => assertPasswordPolicy(password)).not.toThrow();
    await expect(identity.login("admin@example.com", password)).resolves.toMatchObject({
      principal: { role: "DRSAdmin" },
    });
  });

  it("refuses a password that breaks the policy, naming the problem", async () => {
    const { directory } = await setup();
    const error = await rejectionOf(directory.ensureInitialAdmin("admin@example.com", "nodigitsHere"));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain("digit");
    expect(await directory.list()).toEqual([]);
  });

  it("called twice at the same moment creates one admin", async () => {
    const { directory } = await setup();
    const results = await Promise.all([
      directory.ensureInitialAdmin("admin@example.com", PASSWORD),
      directory.ensureInitialAdmin("admin@example.com", PASSWORD),
    ]);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    expect(await directory.list()).toHaveLength(1);
  });
});
