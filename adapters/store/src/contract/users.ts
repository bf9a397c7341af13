import { ConflictError, NotFoundError, PreconditionFailedError, type Store } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { expectAppError, iso, sortBy, T0, user } from "./fixtures.js";

/**
 * Store contract: users.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describeUserContract(current: () => Store): void {
  describe("users", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    it("create, find by email case-insensitively, list, count, update with versions and delete", async () => {
      const alice = await store.users.create(user({ email: "alice@example.com", version: 5 }));
      const bob = await store.users.create(user({ email: "bob@example.com", role: "DRSViewer" }));
      expect(alice.version).toBe(1);
      expect(await store.users.get(alice.userId)).toEqual(alice);
      expect(await store.users.findByEmail("ALICE@Example.com")).toEqual(alice);
      expect(await store.users.findByEmail("carol@example.com")).toBeUndefined();
      expect(await store.users.count()).toBe(2);
      expect(sortBy(await store.users.list(), (u) => u.email)).toEqual([alice, bob]);
      const locked = await store.users.update(
        { ...alice, failedAttempts: 5, lockedUntil: iso(T0 + 900_000) },
        1,
      );
      expect(locked.version).toBe(2);
      await expectAppError(
        store.users.update({ ...alice, failedAttempts: 0 }, 1),
        PreconditionFailedError,
        "VERSION_MISMATCH",
      );
      expect(await store.users.get(alice.userId)).toEqual(locked);
      await expectAppError(store.users.update(user(), 1), NotFoundError, "USER_NOT_FOUND");
      await store.users.delete(bob.userId);
      await expectAppError(store.users.delete(bob.userId), NotFoundError, "USER_NOT_FOUND");
      expect(await store.users.count()).toBe(1);
      expect(await store.users.findByEmail("bob@example.com")).toBeUndefined();
    });

    it("emails are unique case-insensitively, and user IDs are unique", async () => {
      const alice = await store.users.create(user({ email: "alice@example.com" }));
      const bob = await store.users.create(user({ email: "bob@example.com" }));
      await expectAppError(
        store.users.create(user({ email: "Alice@EXAMPLE.com" })),
        ConflictError,
        "ALREADY_EXISTS",
      );
      await expectAppError(
        store.users.create(user({ userId: alice.userId, email: "carol@example.com" })),
        ConflictError,
        "ALREADY_EXISTS",
      );
      await expectAppError(
        store.users.update({ ...bob, email: "ALICE@example.com" }, 1),
        ConflictError,
        "ALREADY_EXISTS",
      );
      expect(await store.users.get(bob.userId)).toEqual(bob);
      expect(await store.users.count()).toBe(2);
      // Deleting a user frees the email.
      await store.users.delete(alice.userId);
      await store.users.create(user({ email: "alice@example.com" }));
    });
  });
}
