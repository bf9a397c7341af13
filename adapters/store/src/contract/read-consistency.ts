import type { Execution, Store } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { execution } from "./fixtures.js";

/**
 * Store contract: a read of an execution never fails because the engine is saving it, and always returns one
 * whole version that was saved (issue 14 item 2: the console polls and commands arrive while a drill runs).
 * A saver and a reader run side by side; the long version (60 s, 20 saves/s against 50 reads/s) is in the bench.
 */
export function describeReadConsistencyContract(current: () => Store): void {
  describe("executions: reads during saves", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    it("a reader beside a saver sees only whole saved versions and never fails", async () => {
      let e = await store.executions.create(execution({ planName: "v1" }));
      const saved = new Map<number, string>([[e.version, "v1"]]);
      let saving = true;
      const saver = (async () => {
        try {
          for (let n = 0; n < 40; n++) {
            const next: Execution = { ...e, planName: `v${e.version + 1}` };
            e = await store.executions.save(next, e.version);
            saved.set(e.version, e.planName);
          }
        } finally {
          saving = false;
        }
      })();
      const failures: string[] = [];
      const mismatches: string[] = [];
      let reads = 0;
      const reader = (async () => {
        while (saving) {
          try {
            const got = await store.executions.get(e.executionId);
            reads += 1;
            if (!got) failures.push("not found");
            else if (got.planName !== `v${got.version}`) mismatches.push(`${got.version}: ${got.planName}`);
          } catch (error) {
            failures.push(String(error));
          }
          await new Promise((r) => setImmediate(r));
        }
      })();
      await Promise.all([saver, reader]);
      expect(failures, failures.slice(0, 3).join("\n")).toEqual([]);
      expect(mismatches).toEqual([]);
      expect(reads).toBeGreaterThan(0);
      expect(saved.size).toBe(41);
    });
  });
}
