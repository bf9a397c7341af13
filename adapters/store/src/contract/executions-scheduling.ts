import { randomUUID } from "node:crypto";
import { type Store, serverKeysOf, usageOf } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT_A, execution, finished, H, ids, T0 } from "./fixtures.js";

/**
 * Store contract: execution scheduling: active, due, next wake-up and leases.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describeExecutionSchedulingContract(current: () => Store): void {
  describe("executions", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    it("listActive returns non-terminal executions and terminal ones that still have a wakeAt", async () => {
      const running = await store.executions.create(execution());
      const pending = await store.executions.create(execution({ status: "PENDING", waves: [] }));
      const paused = await store.executions.create(execution({ status: "PAUSED" }));
      const cancelling = await store.executions.create(execution({ status: "CANCELLING" }));
      await store.executions.create(finished(execution(), T0 + H));
      const cleanup = await store.executions.create({
        ...finished(execution(), T0 + H),
        wakeAt: T0 + 24 * H,
        cleanupAt: T0 + 24 * H,
      });
      await store.executions.create(finished(execution(), T0 + H, "FAILED"));
      const active = await store.executions.listActive();
      const expectedActive = [running, pending, paused, cancelling, cleanup];
      expect(active.map((a) => a.executionId).sort()).toEqual(ids(expectedActive));
      for (const e of expectedActive) {
        const entry = active.find((a) => a.executionId === e.executionId)!;
        expect(entry).toEqual({
          executionId: e.executionId,
          executionType: e.executionType,
          status: e.status,
          usage: usageOf(e),
          serverKeys: serverKeysOf(e),
        });
      }
      expect(active.find((a) => a.executionId === running.executionId)?.usage).toEqual({
        [`${ACCOUNT_A}/us-east-1`]: { jobs: 1, servers: 3 },
      });
      // Finishing an execution takes it out; its usage was freed with it.
      await store.executions.save(finished(running, T0 + 2 * H), 1);
      expect((await store.executions.listActive()).map((a) => a.executionId)).not.toContain(
        running.executionId,
      );
    });

    it("listDue returns executions whose wakeAt has come, oldest first, within the limit", async () => {
      const now = T0 + 10 * H;
      const oldest = await store.executions.create(execution({ wakeAt: now - 3000 }));
      const older = await store.executions.create(execution({ wakeAt: now - 2000 }));
      const old = await store.executions.create(execution({ wakeAt: now - 1000 }));
      const exactlyNow = await store.executions.create(execution({ wakeAt: now }));
      await store.executions.create(execution({ wakeAt: now + 5000 }));
      await store.executions.create(execution());
      const due = await store.executions.listDue(now, 10);
      expect(due.slice(0, 3)).toEqual([oldest.executionId, older.executionId, old.executionId]);
      expect(due.sort()).toEqual(ids([oldest, older, old, exactlyNow]));
      expect(await store.executions.listDue(now, 2)).toEqual([oldest.executionId, older.executionId]);
      expect(await store.executions.listDue(now - 10_000, 10)).toEqual([]);
    });

    it("listDue includes executions with a command newer than appliedCommandSeq", async () => {
      const now = T0 + 10 * H;
      const waiting = await store.executions.create(execution({ wakeAt: now + H }));
      const idle = await store.executions.create(execution());
      const applied = await store.executions.create(execution({ wakeAt: now + H }));
      await store.executions.appendCommand(waiting.executionId, { type: "pause", by: "bob", at: now - 5 });
      await store.executions.appendCommand(idle.executionId, { type: "cancel", by: "bob", at: now - 5 });
      await store.executions.appendCommand(applied.executionId, { type: "resume", by: "bob", at: now - 5 });
      await store.executions.save({ ...applied, appliedCommandSeq: 1 }, 1);
      expect((await store.executions.listDue(now, 10)).sort()).toEqual(ids([waiting, idle]));
      await store.executions.save({ ...idle, appliedCommandSeq: 1 }, 1);
      expect(await store.executions.listDue(now, 10)).toEqual([waiting.executionId]);
    });

    it("listDue skips executions under a live lease and takes those whose lease expired", async () => {
      const now = T0 + 10 * H;
      const free = await store.executions.create(execution({ wakeAt: now - 3000 }));
      const held = await store.executions.create(execution({ wakeAt: now - 2000 }));
      const expired = await store.executions.create(execution({ wakeAt: now - 1000 }));
      const heldWithCommand = await store.executions.create(execution({ wakeAt: now + H }));
      await store.executions.appendCommand(heldWithCommand.executionId, {
        type: "cancel",
        by: "bob",
        at: now,
      });
      expect(await store.executions.acquireLease(held.executionId, "driver-b", now - 1000, 30_000)).toBe(
        true,
      );
      expect(await store.executions.acquireLease(heldWithCommand.executionId, "driver-b", now, 30_000)).toBe(
        true,
      );
      expect(await store.executions.acquireLease(expired.executionId, "driver-b", now - 60_000, 30_000)).toBe(
        true,
      );
      expect(await store.executions.listDue(now, 10)).toEqual([free.executionId, expired.executionId]);
      await store.executions.releaseLease(held.executionId, "driver-b");
      expect(await store.executions.listDue(now, 10)).toEqual([
        free.executionId,
        held.executionId,
        expired.executionId,
      ]);
    });

    it("nextWakeAt is the earliest wakeAt, counting a leased execution only from its lease's expiry", async () => {
      expect(await store.executions.nextWakeAt()).toBeUndefined();
      await store.executions.create(execution());
      expect(await store.executions.nextWakeAt()).toBeUndefined();
      await store.executions.create(execution({ wakeAt: T0 + 5000 }));
      const soon = await store.executions.create(execution({ wakeAt: T0 + 2000 }));
      await store.executions.create(finished(execution(), T0 + 1000));
      expect(await store.executions.nextWakeAt()).toBe(T0 + 2000);
      await store.executions.acquireLease(soon.executionId, "driver-a", T0, 10_000);
      expect(await store.executions.nextWakeAt()).toBe(T0 + 5000);
      await store.executions.releaseLease(soon.executionId, "driver-a");
      expect(await store.executions.nextWakeAt()).toBe(T0 + 2000);
      await store.executions.save({ ...soon, wakeAt: T0 + 1500 }, 1);
      expect(await store.executions.nextWakeAt()).toBe(T0 + 1500);
    });

    it("a lease is taken when free, expired or already the owner's, refused otherwise, released only by its owner", async () => {
      const { executionId: id } = await store.executions.create(execution());
      expect(await store.executions.acquireLease(id, "a", T0, 1000)).toBe(true);
      expect(await store.executions.acquireLease(id, "b", T0 + 500, 1000)).toBe(false);
      expect(await store.executions.acquireLease(id, "a", T0 + 900, 1000)).toBe(true);
      expect(await store.executions.acquireLease(id, "b", T0 + 1500, 1000)).toBe(false);
      expect(await store.executions.acquireLease(id, "b", T0 + 2000, 1000)).toBe(true);
      await store.executions.releaseLease(id, "a");
      expect(await store.executions.acquireLease(id, "a", T0 + 2100, 1000)).toBe(false);
      await store.executions.releaseLease(id, "b");
      expect(await store.executions.acquireLease(id, "a", T0 + 2100, 1000)).toBe(true);
      expect(await store.executions.acquireLease(randomUUID(), "a", T0, 1000)).toBe(false);
      await store.executions.releaseLease(randomUUID(), "a");
    });

    it("save leaves the lease in place", async () => {
      const created = await store.executions.create(execution());
      expect(await store.executions.acquireLease(created.executionId, "a", T0, 60_000)).toBe(true);
      await store.executions.save({ ...created, updatedAt: T0 + 1 }, 1);
      expect(await store.executions.acquireLease(created.executionId, "b", T0 + 1000, 60_000)).toBe(false);
    });
  });
}
