import { randomUUID } from "node:crypto";
import { type PageRequest, type ProtectionGroup, type Store, ValidationError } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT_A, ACCOUNT_B, expectAppError, explicitGroup, recoveryPlan, walk } from "./fixtures.js";

/**
 * Store contract: pagination: cursors that keep every item exactly once.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describePaginationContract(current: () => Store): void {
  describe("pagination", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    it("returns every item exactly once, in the same order as one page, for any limit", async () => {
      for (let i = 0; i < 7; i++) await store.protectionGroups.create(explicitGroup({ name: `group ${i}` }));
      const whole = (await store.protectionGroups.list({}, { limit: 100 })).items.map((g) => g.groupId);
      expect(whole).toHaveLength(7);
      for (const limit of [1, 2, 3, 6, 7, 8]) {
        const walked = await walk((page) => store.protectionGroups.list({}, page), limit);
        expect(walked.map((g) => g.groupId)).toEqual(whole);
      }
    });

    it("keeps every item exactly once while others are created and deleted between pages", async () => {
      const byName = new Map<string, ProtectionGroup>();
      for (const n of ["g-01", "g-02", "g-03", "g-04", "g-05", "g-06", "g-07", "g-08"]) {
        byName.set(n, await store.protectionGroups.create(explicitGroup({ name: n })));
      }
      const first = await store.protectionGroups.list({}, { limit: 3 });
      expect(first.items.map((g) => g.name)).toEqual(["g-01", "g-02", "g-03"]);
      // Remove items before the cursor and the cursor item itself (an offset would now skip g-04, and a
      // search for the last item would restart), and add items on both sides of it.
      for (const n of ["g-02", "g-03", "g-05"]) await store.protectionGroups.delete(byName.get(n)!.groupId);
      await store.protectionGroups.create(explicitGroup({ name: "g-00" }));
      await store.protectionGroups.create(explicitGroup({ name: "g-99" }));
      const rest = await walk((page) => store.protectionGroups.list({}, page), 3, first.nextToken);
      const seen = [...first.items, ...rest].map((g) => g.name);
      expect(new Set(seen).size).toBe(seen.length);
      for (const n of ["g-01", "g-04", "g-06", "g-07", "g-08"]) expect(seen).toContain(n);
      expect(seen).not.toContain("g-05");
    });

    it("rejects a token reused with different filters, a token of another list and a garbage token", async () => {
      for (let i = 0; i < 3; i++) {
        await store.protectionGroups.create(explicitGroup({ name: `pg ${i}` }));
        await store.recoveryPlans.create(recoveryPlan([randomUUID()], { name: `tier plan ${i}` }));
      }
      const groups = await store.protectionGroups.list({ accountId: ACCOUNT_A }, { limit: 1 });
      expect(groups.nextToken).toBeDefined();
      const token = groups.nextToken!;
      await expectAppError(
        store.protectionGroups.list({}, { nextToken: token }),
        ValidationError,
        "INVALID_NEXT_TOKEN",
      );
      await expectAppError(
        store.protectionGroups.list({ accountId: ACCOUNT_B }, { nextToken: token }),
        ValidationError,
        "INVALID_NEXT_TOKEN",
      );
      await expectAppError(
        store.recoveryPlans.list({}, { nextToken: token }),
        ValidationError,
        "INVALID_NEXT_TOKEN",
      );
      const plans = await store.recoveryPlans.list({ nameContains: "tier" }, { limit: 1 });
      await expectAppError(
        store.recoveryPlans.list({ nameContains: "web" }, { nextToken: plans.nextToken! }),
        ValidationError,
        "INVALID_NEXT_TOKEN",
      );
      const forged = Buffer.from(JSON.stringify({ h: "x", k: [1] })).toString("base64url");
      for (const garbage of ["not a token", "%%%", "", "eyJ", forged, "A".repeat(5000)]) {
        const error = await expectAppError(
          store.protectionGroups.list({}, { nextToken: garbage }),
          ValidationError,
          "INVALID_NEXT_TOKEN",
        );
        expect(error.status).toBe(400);
      }
      // The same filters accept the token.
      const next = await store.protectionGroups.list(
        { accountId: ACCOUNT_A },
        { limit: 1, nextToken: token },
      );
      expect(next.items).toHaveLength(1);
    });

    it("clamps the limit to 1..100 and defaults to 50", async () => {
      for (let i = 0; i < 101; i++) {
        await store.protectionGroups.create(explicitGroup({ name: `bulk ${String(i).padStart(3, "0")}` }));
      }
      const check = async (page: PageRequest, expected: number) => {
        const result = await store.protectionGroups.list({}, page);
        expect(result.items).toHaveLength(expected);
        expect(result.nextToken).toBeDefined();
      };
      await check({}, 50);
      await check({ limit: 0 }, 1);
      await check({ limit: -5 }, 1);
      await check({ limit: 1000 }, 100);
      const all = await walk((page) => store.protectionGroups.list({}, page), 100);
      expect(all).toHaveLength(101);
    });
  });
}
