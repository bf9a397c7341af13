import type { Store } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";

/**
 * Store contract: key-value store and liveness.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describeKeyValueContract(current: () => Store): void {
  describe("key-value store and liveness", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    it("putIfAbsent keeps the first value and returns the winner", async () => {
      expect(await store.kv.get("jwt-signing-key")).toBeUndefined();
      expect(await store.kv.putIfAbsent("jwt-signing-key", "first")).toBe("first");
      expect(await store.kv.putIfAbsent("jwt-signing-key", "second")).toBe("first");
      expect(await store.kv.get("jwt-signing-key")).toBe("first");
      const racers = await Promise.all([
        store.kv.putIfAbsent("race", "x"),
        store.kv.putIfAbsent("race", "y"),
      ]);
      expect(racers[0]).toBe(racers[1]);
      expect(await store.kv.get("race")).toBe(racers[0]);
    });

    it("put replaces the value", async () => {
      await store.kv.put("outbox/x", "1");
      expect(await store.kv.get("outbox/x")).toBe("1");
      await store.kv.put("outbox/x", "2");
      expect(await store.kv.get("outbox/x")).toBe("2");
      expect(await store.kv.putIfAbsent("outbox/x", "3")).toBe("2");
    });

    it("ping resolves", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
