import { DEFAULT_SETTINGS, PreconditionFailedError, type Store } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { expectAppError } from "./fixtures.js";

/**
 * Store contract: settings.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describeSettingsContract(current: () => Store): void {
  describe("settings", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    it("start empty; expectedVersion 0 creates, then each put needs the current version", async () => {
      expect(await store.settings.get()).toBeUndefined();
      await expectAppError(
        store.settings.put(DEFAULT_SETTINGS, 1),
        PreconditionFailedError,
        "VERSION_MISMATCH",
      );
      expect(await store.settings.get()).toBeUndefined();
      expect(await store.settings.put(DEFAULT_SETTINGS, 0)).toEqual({
        settings: DEFAULT_SETTINGS,
        version: 1,
      });
      await expectAppError(
        store.settings.put({ ...DEFAULT_SETTINGS, drillTtlHours: 1 }, 0),
        PreconditionFailedError,
        "VERSION_MISMATCH",
      );
      const changed = {
        ...DEFAULT_SETTINGS,
        pollIntervalSeconds: 15,
        webhooks: [{ url: "https://hooks.example.com/drso" }],
      };
      expect(await store.settings.put(changed, 1)).toEqual({ settings: changed, version: 2 });
      await expectAppError(
        store.settings.put(DEFAULT_SETTINGS, 1),
        PreconditionFailedError,
        "VERSION_MISMATCH",
      );
      expect(await store.settings.get()).toEqual({ settings: changed, version: 2 });
    });
  });
}
