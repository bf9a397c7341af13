import type { Execution, Store } from "@drso/core";
import { ConflictError } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { execution, expectAppError, finished, T0 } from "./fixtures.js";

/**
 * Store contract: one active execution per server, enforced inside `create` (`exclusiveServers`), so racing
 * starts cannot both win (issue 13 item 7). A RECOVERY may start over a DRILL's servers.
 */
export function describeServerClaimContract(current: () => Store): void {
  describe("executions: one active execution per server", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    /** Another execution over the same servers (same snapshot groups), with its own id and plan. */
    const over = (e: Execution, overrides: Partial<Execution>): Execution => ({
      ...execution(overrides),
      snapshot: e.snapshot,
      waves: e.waves,
    });

    it("refuses an execution whose servers an active one holds, and allows it once that one has ended", async () => {
      const first = await store.executions.create(execution({ executionType: "RECOVERY" }), {
        exclusiveServers: true,
      });
      const second = over(first, { executionType: "DRILL" });
      const refused = await expectAppError(
        store.executions.create(second, { exclusiveServers: true }),
        ConflictError,
        "SERVER_IN_ACTIVE_EXECUTION",
      );
      expect(refused.extra).toMatchObject({ executionId: first.executionId, executionType: "RECOVERY" });
      expect(await store.executions.get(second.executionId)).toBeUndefined();
      await store.executions.save(finished(first, T0 + 60_000), first.version);
      await store.executions.create(second, { exclusiveServers: true });
      expect((await store.executions.get(second.executionId))?.status).toBe("RUNNING");
    });

    it("lets a RECOVERY start over a DRILL's servers, but not a DRILL over a RECOVERY's", async () => {
      const drill = await store.executions.create(execution({ executionType: "DRILL" }), {
        exclusiveServers: true,
      });
      const recovery = await store.executions.create(over(drill, { executionType: "RECOVERY" }), {
        exclusiveServers: true,
      });
      expect(recovery.executionType).toBe("RECOVERY");
      await expectAppError(
        store.executions.create(over(drill, { executionType: "RECOVERY" }), { exclusiveServers: true }),
        ConflictError,
        "SERVER_IN_ACTIVE_EXECUTION",
      );
      expect((await store.executions.listActive()).map((a) => a.executionType).sort()).toEqual([
        "DRILL",
        "RECOVERY",
      ]);
    });

    it("20 racing creates over the same servers: exactly one wins", async () => {
      const base = execution({ executionType: "DRILL" });
      const racers = Array.from({ length: 20 }, () => over(base, { executionType: "DRILL" }));
      const results = await Promise.allSettled(
        racers.map((e) => store.executions.create(e, { exclusiveServers: true })),
      );
      const won = results.filter((r) => r.status === "fulfilled");
      expect(won).toHaveLength(1);
      for (const r of results)
        if (r.status === "rejected")
          expect((r.reason as ConflictError).code, String(r.reason)).toBe("SERVER_IN_ACTIVE_EXECUTION");
      expect(await store.executions.listActive()).toHaveLength(1);
    });
  });
}
