import { randomUUID } from "node:crypto";
import { ConflictError, NotFoundError, PreconditionFailedError, type Store } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { expectAppError, recoveryPlan, walk, wave } from "./fixtures.js";

/**
 * Store contract: recovery plans.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describeRecoveryPlanContract(current: () => Store): void {
  describe("recovery plans", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    it("create stores version 1; get, findByName (case-insensitive), update and delete follow versions", async () => {
      const input = recoveryPlan([randomUUID()], { name: "Tier-1 Apps", version: 4 });
      const created = await store.recoveryPlans.create(input);
      expect(created).toEqual({ ...input, version: 1 });
      expect(await store.recoveryPlans.get(input.planId)).toEqual(created);
      expect(await store.recoveryPlans.findByName("tier-1 apps")).toEqual(created);
      expect(await store.recoveryPlans.findByName("tier-2 apps")).toBeUndefined();
      const updated = await store.recoveryPlans.update({ ...created, rtoSeconds: 1800 }, 1);
      expect(updated).toEqual({ ...created, rtoSeconds: 1800, version: 2 });
      await expectAppError(
        store.recoveryPlans.update({ ...created, rtoSeconds: 60 }, 1),
        PreconditionFailedError,
        "VERSION_MISMATCH",
      );
      expect(await store.recoveryPlans.get(input.planId)).toEqual(updated);
      await expectAppError(
        store.recoveryPlans.delete(input.planId, 1),
        PreconditionFailedError,
        "VERSION_MISMATCH",
      );
      await store.recoveryPlans.delete(input.planId, 2);
      expect(await store.recoveryPlans.get(input.planId)).toBeUndefined();
    });

    it("update and delete of a missing plan fail with NotFoundError", async () => {
      await expectAppError(
        store.recoveryPlans.update(recoveryPlan([randomUUID()]), 1),
        NotFoundError,
        "RECOVERY_PLAN_NOT_FOUND",
      );
      await expectAppError(
        store.recoveryPlans.delete(randomUUID()),
        NotFoundError,
        "RECOVERY_PLAN_NOT_FOUND",
      );
    });

    it("names are unique case-insensitively, on create and on update; duplicate IDs are refused", async () => {
      const a = await store.recoveryPlans.create(recoveryPlan([randomUUID()], { name: "Payments" }));
      const b = await store.recoveryPlans.create(recoveryPlan([randomUUID()], { name: "Ledger" }));
      const error = await expectAppError(
        store.recoveryPlans.create(recoveryPlan([randomUUID()], { name: "PAYMENTS" })),
        ConflictError,
        "NAME_ALREADY_EXISTS",
      );
      expect(error.extra.conflictingId).toBe(a.planId);
      await expectAppError(
        store.recoveryPlans.update({ ...b, name: "payments" }, 1),
        ConflictError,
        "NAME_ALREADY_EXISTS",
      );
      expect(await store.recoveryPlans.get(b.planId)).toEqual(b);
      await store.recoveryPlans.update({ ...a, name: "PAYMENTS" }, 1);
      await expectAppError(
        store.recoveryPlans.create(recoveryPlan([randomUUID()], { planId: b.planId, name: "Other" })),
        ConflictError,
        "ALREADY_EXISTS",
      );
      expect(await store.recoveryPlans.listAll()).toHaveLength(2);
    });

    it("list filters by name substring, exact name and referenced protection group, and pages", async () => {
      const [g1, g2, g3] = [randomUUID(), randomUUID(), randomUUID()];
      const web = await store.recoveryPlans.create(recoveryPlan([g1, g2], { name: "Web Tier DR" }));
      const db = await store.recoveryPlans.create(recoveryPlan([g2], { name: "DB tier dr" }));
      const batch = await store.recoveryPlans.create(recoveryPlan([g3], { name: "Batch jobs" }));
      const names = async (filter: Parameters<Store["recoveryPlans"]["list"]>[0]) =>
        (await store.recoveryPlans.list(filter, {})).items.map((p) => p.name);
      expect(await names({})).toEqual([batch.name, db.name, web.name]);
      expect(await names({ nameContains: "TIER" })).toEqual([db.name, web.name]);
      expect(await names({ nameExact: "web tier dr" })).toEqual([web.name]);
      expect(await names({ nameExact: "web tier" })).toEqual([]);
      expect(await names({ protectionGroupId: g2 })).toEqual([db.name, web.name]);
      expect(await names({ protectionGroupId: g1, nameContains: "web" })).toEqual([web.name]);
      expect(await names({ protectionGroupId: randomUUID() })).toEqual([]);
      const walked = await walk((page) => store.recoveryPlans.list({}, page), 1);
      expect(walked.map((p) => p.planId)).toEqual([batch.planId, db.planId, web.planId]);
    });

    it("the protection-group filter follows updates and deletes", async () => {
      const [g1, g2] = [randomUUID(), randomUUID()];
      const plan = await store.recoveryPlans.create(recoveryPlan([g1]));
      await store.recoveryPlans.update({ ...plan, waves: [wave("wave-1", [g2])] }, 1);
      expect((await store.recoveryPlans.list({ protectionGroupId: g1 }, {})).items).toEqual([]);
      expect((await store.recoveryPlans.list({ protectionGroupId: g2 }, {})).items).toHaveLength(1);
      await store.recoveryPlans.delete(plan.planId);
      expect((await store.recoveryPlans.list({ protectionGroupId: g2 }, {})).items).toEqual([]);
    });
  });
}
