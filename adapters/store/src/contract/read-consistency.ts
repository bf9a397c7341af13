import type { Store } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { execution } from "./fixtures.js";
import { raceReadsAndSaves } from "./read-race.js";

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
      const race = await raceReadsAndSaves(store, execution(), { saves: 40 });
      expect(race.failures, race.failures.slice(0, 3).join("\n")).toEqual([]);
      expect(race.mixed).toEqual([]);
      expect(race.reads).toBeGreaterThan(0);
      expect(race.saves).toBe(40);
    });
  });
}
