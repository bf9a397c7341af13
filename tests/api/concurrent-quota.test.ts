import { type ExecutionUsage, type Store, TAG_EXECUTION } from "@drso/core";
import { afterEach, describe, expect, it } from "vitest";
import { type ApiHarness, createApiHarness } from "../support/api-harness.js";
import { createPlan, detailOf, PROD, startExecution, tierGroup } from "../support/scenario.js";
import { testStores } from "../support/test-stores.js";

/**
 * Issue 13 item 7: quota accounting across executions is enforced by the store. With room for one concurrent DRS
 * job, two drills over different servers of one account/region are started at the same moment through the HTTP
 * API and stepped by two engines side by side (as on AWS, where each execution steps in Lambdas of its own), so
 * each may read the other's usage before either has launched (made certain here by a usage read that answers what
 * it saw up to a minute earlier): the engine's own check before a launch then misses the other's job. The store
 * refuses the second launch at save time; that drill waits for capacity and launches once the first job ended.
 * At no moment does DRS (the simulator, over the SDK) run two of their jobs, on every store.
 */
const stores = testStores("concurrent quota (tests/api/concurrent-quota.test.ts)", "quota");

/**
 * The store, its `usageIn` answering what it saw up to `lagMs` earlier (refreshed once older than that on the
 * clock `now` reads): each engine's read of the usage comes before the other's save, as it may when two Lambdas
 * step at the same moment, made certain here.
 */
function laggingUsage(store: Store, now: () => number, lagMs: number): Store {
  const cache = new Map<string, { at: number; answer: ExecutionUsage }>();
  const executions = Object.create(store.executions) as Store["executions"];
  executions.usageIn = async (keys) => {
    const id = keys.join(",");
    const cached = cache.get(id);
    if (cached && now() - cached.at < lagMs) return cached.answer;
    const answer = await store.executions.usageIn(keys);
    cache.set(id, { at: now(), answer });
    return answer;
  };
  return Object.assign(Object.create(store) as Store, { executions });
}

interface Detail {
  status: string;
  waves: Array<{ status: string; servers: Array<{ launchStatus: string }> }>;
}

/** The most LAUNCH jobs DRS ran at one moment, from the jobs' own creation and end times. */
function peakConcurrent(jobs: Array<{ createdAt?: string; endedAt?: string }>): number {
  const edges = jobs.flatMap((j) => [
    { at: Date.parse(j.createdAt ?? ""), d: 1 },
    { at: j.endedAt ? Date.parse(j.endedAt) : Number.POSITIVE_INFINITY, d: -1 },
  ]);
  // An end and a start at the same instant do not overlap: ends first.
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let peak = 0;
  for (const e of edges) {
    now += e.d;
    peak = Math.max(peak, now);
  }
  return peak;
}

describe.each(stores)("DRS quotas across executions on the %s store", (_name, open, available) => {
  let h: ApiHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it.skipIf(!available)(
    "two drills started at once with room for one job never run two jobs at a time",
    {
      timeout: 180_000,
    },
    async () => {
      h = await createApiHarness({
        fleet: "demo",
        store: laggingUsage(await open(), () => h?.clock.now() ?? 0, 60_000),
        settings: {
          drillTtlHours: 0,
          quotas: { serversPerJob: 100, concurrentJobs: 1, serversInAllJobs: 500 },
        },
      });
      const api = await h.api();
      const plans = [
        await createPlan(api, {
          name: "Orders db",
          waves: [{ name: "db", protectionGroupIds: [await tierGroup(api, "db")] }],
        }),
        await createPlan(api, {
          name: "Orders web",
          waves: [{ name: "web", protectionGroupIds: [await tierGroup(api, "web")] }],
        }),
      ];
      const ids = await Promise.all(plans.map((planId) => startExecution(api, planId)));
      await h.drive(async () => (await h!.terminal(ids[0]!)()) && (await h!.terminal(ids[1]!)()));

      for (const id of ids) {
        const d = await detailOf<Detail>(api, id);
        expect(d.status, JSON.stringify(d)).toBe("COMPLETED");
        expect(d.waves[0]!.servers.every((s) => s.launchStatus === "LAUNCHED")).toBe(true);
      }
      const jobs = (await h.drs.forTarget(PROD).describeJobs({ fromDate: "2026-01-01T00:00:00Z" })).filter(
        (j) => j.type === "LAUNCH" && ids.includes(j.tags[TAG_EXECUTION] ?? ""),
      );
      expect(jobs).toHaveLength(2);
      expect(peakConcurrent(jobs), JSON.stringify(jobs.map((j) => [j.createdAt, j.endedAt]))).toBe(1);
    },
  );
});
