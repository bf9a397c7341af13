import { ConflictError, NotFoundError, PreconditionFailedError, type Store } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT_A, ACCOUNT_B, account, expectAppError } from "./fixtures.js";

/**
 * Store contract: target accounts.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describeAccountContract(current: () => Store): void {
  describe("accounts", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    it("create, get, list (by account ID), update with versions and delete", async () => {
      const b = await store.accounts.create(account({ accountId: ACCOUNT_B, version: 3 }));
      const a = await store.accounts.create(account({ accountId: ACCOUNT_A }));
      expect(b.version).toBe(1);
      expect(await store.accounts.get(ACCOUNT_B)).toEqual(b);
      expect(await store.accounts.get("999999999999")).toBeUndefined();
      expect(await store.accounts.list()).toEqual([a, b]);
      await expectAppError(
        store.accounts.create(account({ accountId: ACCOUNT_A })),
        ConflictError,
        "ALREADY_EXISTS",
      );
      const updated = await store.accounts.update({ ...a, regions: ["eu-west-1"] }, 1);
      expect(updated).toEqual({ ...a, regions: ["eu-west-1"], version: 2 });
      await expectAppError(
        store.accounts.update({ ...a, name: "stale" }, 1),
        PreconditionFailedError,
        "VERSION_MISMATCH",
      );
      expect(await store.accounts.get(ACCOUNT_A)).toEqual(updated);
      await expectAppError(
        store.accounts.update(account({ accountId: "999999999999" }), 1),
        NotFoundError,
        "ACCOUNT_NOT_FOUND",
      );
      await expectAppError(store.accounts.delete(ACCOUNT_A, 1), PreconditionFailedError, "VERSION_MISMATCH");
      await store.accounts.delete(ACCOUNT_A, 2);
      await store.accounts.delete(ACCOUNT_B);
      await expectAppError(store.accounts.delete(ACCOUNT_B), NotFoundError, "ACCOUNT_NOT_FOUND");
      expect(await store.accounts.list()).toEqual([]);
    });
  });
}
