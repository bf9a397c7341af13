import type { BatchRun, Execution, QuotaLimits, Store } from "@drso/core";
import { ConflictError } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT_A, execution, expectAppError, finished, T0 } from "./fixtures.js";

/**
 * Store contract: quota accounting across executions, enforced inside `save` (`quotas`), so executions stepped at
 * the same moment cannot together hold more DRS jobs or servers than the limits allow (issue 13 item 7).
 */
export function describeQuotaClaimContract(current: () => Store): void {
  describe("executions: DRS quotas across executions", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    const limits = (concurrentJobs: number, serversInAllJobs = 500): QuotaLimits => ({
      concurrentJobs,
      serversInAllJobs,
    });
    /** Every batch of `e` replaced by `to(fields every status has)`. */
    type Core = Pick<
      BatchRun,
      "batchId" | "kind" | "accountId" | "region" | "sourceServerIds" | "attempt" | "logCount" | "errorCount"
    >;
    const withBatches = (e: Execution, to: (core: Core) => BatchRun): Execution => ({
      ...e,
      waves: e.waves.map((w) => ({
        ...w,
        batches: w.batches.map(({ batchId, kind, accountId, region, sourceServerIds, attempt }) =>
          to({
            batchId,
            kind,
            accountId,
            region,
            sourceServerIds,
            attempt,
            logCount: 0,
            errorCount: 0,
          }),
        ),
      })),
    });
    /** The fixture execution (one job of 3 servers in ACCOUNT_A/us-east-1) with its batch not launched yet. */
    const waiting = (): Execution => withBatches(execution(), (b) => ({ ...b, status: "PLANNED" }));
    /** The same execution with its batch's job submitted. */
    const launched = (e: Execution): Execution =>
      withBatches(e, (b) => ({
        ...b,
        status: "ACTIVE",
        jobId: `drsjob-${b.batchId.replace(/\W/g, "")}`,
        intentAt: T0 + 1000,
        submittedAt: T0 + 1500,
      }));

    it("refuses a save that would run more concurrent jobs than allowed, changes nothing, and allows it once the other ended", async () => {
      const holder = await store.executions.create(launched(waiting()));
      const other = await store.executions.create(waiting());
      const refused = await expectAppError(
        store.executions.save(launched(other), other.version, { quotas: limits(1) }),
        ConflictError,
        "QUOTA_EXCEEDED",
      );
      expect(refused.extra).toMatchObject({ accountId: ACCOUNT_A, region: "us-east-1", jobs: 2, servers: 6 });
      expect(refused.message).toContain("the limits are 1 concurrent jobs");
      const stored = await store.executions.get(other.executionId);
      expect(stored?.version).toBe(other.version);
      expect(stored?.waves[0]?.batches[0]?.status).toBe("PLANNED");

      await store.executions.save(finished(holder, T0 + 60_000), holder.version, { quotas: limits(1) });
      const saved = await store.executions.save(launched(other), other.version, { quotas: limits(1) });
      expect(saved.waves[0]?.batches[0]?.status).toBe("ACTIVE");
    });

    it("counts servers in all jobs as well as jobs", async () => {
      await store.executions.create(launched(waiting()));
      const other = await store.executions.create(waiting());
      await expectAppError(
        store.executions.save(launched(other), other.version, { quotas: limits(20, 5) }),
        ConflictError,
        "QUOTA_EXCEEDED",
      );
      await store.executions.save(launched(other), other.version, { quotas: limits(20, 6) });
    });

    it("always lets a save pass that does not grow the usage, even over lowered limits", async () => {
      await store.executions.create(launched(waiting()));
      const second = await store.executions.create(launched(waiting()));
      const saved = await store.executions.save(second, second.version, { quotas: limits(1) });
      const ended = await store.executions.save(finished(saved, T0 + 60_000), saved.version, {
        quotas: limits(1),
      });
      expect(ended.status).toBe("COMPLETED");
    });

    it("usageIn sums what every execution holds in the given account/regions, right after each save", async () => {
      const key = `${ACCOUNT_A}/us-east-1`;
      expect(await store.executions.usageIn([key])).toEqual({});
      const first = await store.executions.create(launched(waiting()));
      const second = await store.executions.create(waiting());
      expect(await store.executions.usageIn([key])).toEqual({ [key]: { jobs: 1, servers: 3 } });
      const both = await store.executions.save(launched(second), second.version, { quotas: limits(5) });
      expect(await store.executions.usageIn([key, "999999999999/eu-west-1"])).toEqual({
        [key]: { jobs: 2, servers: 6 },
      });
      expect(await store.executions.usageIn(["999999999999/eu-west-1"])).toEqual({});
      await store.executions.save(finished(first, T0 + 60_000), first.version);
      await store.executions.save(finished(both, T0 + 60_000), both.version);
      expect(await store.executions.usageIn([key])).toEqual({});
    });

    it("20 executions launching at once with room for 5 jobs: exactly 5 launch", async () => {
      const racers = await Promise.all(Array.from({ length: 20 }, () => store.executions.create(waiting())));
      const results = await Promise.allSettled(
        racers.map((e) => store.executions.save(launched(e), e.version, { quotas: limits(5) })),
      );
      const won = results.filter((r) => r.status === "fulfilled");
      for (const r of results)
        if (r.status === "rejected")
          expect((r.reason as ConflictError).code, String(r.reason)).toBe("QUOTA_EXCEEDED");
      expect(won).toHaveLength(5);
      const jobs = (await store.executions.listActive()).reduce(
        (n, a) => n + (a.usage[`${ACCOUNT_A}/us-east-1`]?.jobs ?? 0),
        0,
      );
      expect(jobs).toBe(5);
    });
  });
}
