import { randomUUID } from "node:crypto";
import {
  type Execution,
  type ExecutionFilter,
  type ExecutionSort,
  type ExecutionSummary,
  type Store,
  summarize,
  ValidationError,
} from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { ALL_SORTS, DESC_START, execution, expectAppError, finished, H, T0, walk } from "./fixtures.js";

/**
 * Store contract: execution listing: filters, sorts and pages of summaries.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describeExecutionListingContract(current: () => Store): void {
  describe("executions", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    describe("listing", () => {
      const P1 = randomUUID();
      const P2 = randomUUID();
      const fixtures = (): Execution[] => [
        finished(execution({ planId: P1, initiatedBy: "alice", startTime: T0 + H }), T0 + 2 * H),
        finished(
          execution({ planId: P1, executionType: "RECOVERY", initiatedBy: "bob", startTime: T0 + 2 * H }),
          T0 + 2.5 * H,
          "FAILED",
        ),
        execution({ planId: P2, initiatedBy: "alice", startTime: T0 + 3 * H }),
        execution({ planId: P2, initiatedBy: "alice", startTime: T0 + 3 * H, status: "PENDING" }),
        execution({
          planId: P2,
          executionType: "FAILBACK",
          initiatedBy: "carol",
          startTime: T0 + 4 * H,
          status: "PAUSED",
        }),
        finished(
          execution({ planId: P1, initiatedBy: "bob", startTime: T0 + 5 * H }),
          T0 + 5.1 * H,
          "CANCELLED",
        ),
        finished(execution({ planId: P1, initiatedBy: "alice", startTime: T0 + 6 * H }), T0 + 6.2 * H),
      ];
      let all: Execution[];
      beforeEach(async () => {
        all = [];
        for (const e of fixtures()) all.push(await store.executions.create(e));
      });
      const ids = (items: readonly { executionId: string }[]) => items.map((e) => e.executionId).sort();
      const expected = (predicate: (e: Execution) => boolean) => ids(all.filter(predicate));
      const list = async (filter: ExecutionFilter, sort: ExecutionSort = DESC_START) =>
        (await store.executions.list(filter, sort, { limit: 100 })).items;

      it("returns summaries and filters by plan, status, type, initiator and inclusive start range", async () => {
        const everything = await list({});
        expect(everything).toHaveLength(all.length);
        for (const summary of everything) {
          const source = all.find((e) => e.executionId === summary.executionId)!;
          expect(summary).toEqual(summarize(source));
        }
        expect(ids(await list({ planId: P1 }))).toEqual(expected((e) => e.planId === P1));
        expect(ids(await list({ status: ["RUNNING", "PAUSED"] }))).toEqual(
          expected((e) => e.status === "RUNNING" || e.status === "PAUSED"),
        );
        expect(ids(await list({ status: ["COMPLETED"] }))).toEqual(expected((e) => e.status === "COMPLETED"));
        expect(ids(await list({ executionType: "RECOVERY" }))).toEqual(
          expected((e) => e.executionType === "RECOVERY"),
        );
        expect(ids(await list({ initiatedBy: "alice" }))).toEqual(expected((e) => e.initiatedBy === "alice"));
        expect(ids(await list({ startFrom: T0 + 3 * H, startTo: T0 + 5 * H }))).toEqual(
          expected((e) => e.startTime >= T0 + 3 * H && e.startTime <= T0 + 5 * H),
        );
        expect(ids(await list({ startFrom: T0 + 6 * H }))).toEqual(
          expected((e) => e.startTime >= T0 + 6 * H),
        );
        expect(ids(await list({ startTo: T0 + H }))).toEqual(expected((e) => e.startTime <= T0 + H));
        expect(
          ids(
            await list({ planId: P1, initiatedBy: "alice", executionType: "DRILL", status: ["COMPLETED"] }),
          ),
        ).toEqual(
          expected(
            (e) =>
              e.planId === P1 &&
              e.initiatedBy === "alice" &&
              e.executionType === "DRILL" &&
              e.status === "COMPLETED",
          ),
        );
        expect(await list({ planId: randomUUID() })).toEqual([]);
      });

      it("sorts by startTime, endTime and status in both orders; unfinished executions last by endTime", async () => {
        const byId = new Map(all.map((e) => [e.executionId, e]));
        const sortValue = (s: ExecutionSummary, by: ExecutionSort["by"]) => {
          const e = byId.get(s.executionId)!;
          return by === "startTime" ? e.startTime : by === "endTime" ? e.endTime : e.status;
        };
        for (const sort of ALL_SORTS) {
          const items = await list({}, sort);
          expect(items).toHaveLength(all.length);
          const values = items.map((s) => sortValue(s, sort.by));
          const defined = values.filter((v) => v !== undefined);
          if (sort.by === "endTime") {
            const firstUndefined = values.indexOf(undefined);
            expect(firstUndefined).toBe(defined.length);
          }
          const ordered = [...defined].sort((a, b) => (a! < b! ? -1 : a! > b! ? 1 : 0));
          if (sort.order === "desc") ordered.reverse();
          expect(defined).toEqual(ordered);
        }
      });

      it("pages through every sort and filter without gaps or duplicates", async () => {
        for (const sort of ALL_SORTS) {
          for (const filter of [
            {},
            { planId: P2 },
            { status: ["COMPLETED", "RUNNING", "PENDING"] },
          ] as ExecutionFilter[]) {
            const whole = (await store.executions.list(filter, sort, { limit: 100 })).items.map(
              (s) => s.executionId,
            );
            for (const limit of [1, 2, 3]) {
              const walked = await walk((page) => store.executions.list(filter, sort, page), limit);
              expect(walked.map((s) => s.executionId)).toEqual(whole);
            }
          }
        }
      });

      it("rejects a token used with another sort or filter", async () => {
        const first = await store.executions.list({}, DESC_START, { limit: 2 });
        const token = first.nextToken!;
        expect(token).toBeDefined();
        const other = [
          store.executions.list({}, { by: "startTime", order: "asc" }, { nextToken: token }),
          store.executions.list({}, { by: "status", order: "desc" }, { nextToken: token }),
          store.executions.list({ planId: P1 }, DESC_START, { nextToken: token }),
          store.executions.list({ status: ["RUNNING"] }, DESC_START, { nextToken: token }),
        ];
        for (const call of other) await expectAppError(call, ValidationError, "INVALID_NEXT_TOKEN");
        expect(
          (await store.executions.list({}, DESC_START, { limit: 2, nextToken: token })).items,
        ).toHaveLength(2);
      });
    });
  });
}
