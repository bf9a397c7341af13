import {
  DescribeJobsCommand,
  DescribeSourceServersCommand,
  DrsClient,
  paginateDescribeSourceServers,
  ServiceQuotaExceededException,
  StartRecoveryCommand,
} from "@aws-sdk/client-drs";
import { ManualClock } from "@drso/clock";
import type { BenchFigure, BenchSuite } from "../../../bench/types.js";
import { credentialsFor, startSimulator, syntheticFleet } from "../src/index.js";

const SUITE = "drs-sim";

function figure(metric: string, value: number, unit: string, extra: Partial<BenchFigure> = {}): BenchFigure {
  return { suite: SUITE, metric, value, unit, ...extra };
}

/** Full DescribeSourceServers pagination of a 3,000-server fleet through the real SDK over loopback. */
async function paginationFigures(): Promise<BenchFigure[]> {
  const sim = await startSimulator({ clock: new ManualClock(), fleet: syntheticFleet({ count: 3_000 }) });
  try {
    const client = new DrsClient({
      region: "us-east-1",
      endpoint: sim.url,
      credentials: credentialsFor("123456789012"),
    });
    await client.send(new DescribeSourceServersCommand({ maxResults: 10 })); // warm up the connection and the SDK
    const run = async (pageSize?: number) => {
      const started = performance.now();
      let items = 0;
      let pages = 0;
      for await (const page of paginateDescribeSourceServers(
        { client, ...(pageSize ? { pageSize } : {}) },
        {},
      )) {
        items += page.items?.length ?? 0;
        pages++;
      }
      return { ms: performance.now() - started, items, pages };
    };
    // One untimed pass warms up the JIT on both sides; then the median of five runs (machines here are shared).
    const measure = async (pageSize?: number) => {
      await run(pageSize);
      const runs = [];
      for (let i = 0; i < 5; i++) runs.push(await run(pageSize));
      runs.sort((a, b) => a.ms - b.ms);
      const median = runs[2] as { ms: number; items: number; pages: number };
      return { ...median, best: runs[0]?.ms ?? median.ms, worst: runs[4]?.ms ?? median.ms };
    };
    const byDefault = await measure();
    const large = await measure(1_000);
    client.destroy();
    const describe = (m: typeof byDefault) =>
      `median of 5 (best ${m.best.toFixed(0)} ms, worst ${m.worst.toFixed(0)} ms), ${m.items} items in ${m.pages} pages`;
    return [
      figure(
        "DescribeSourceServers 3,000 servers, full pagination (default page size 100)",
        byDefault.ms,
        "ms",
        {
          target: "< 1000 ms",
          pass: byDefault.ms < 1_000 && byDefault.items === 3_000,
          note: describe(byDefault),
        },
      ),
      figure("DescribeSourceServers 3,000 servers, full pagination (pageSize 1000)", large.ms, "ms", {
        target: "< 1000 ms",
        pass: large.ms < 1_000 && large.items === 3_000,
        note: describe(large),
      }),
    ];
  } finally {
    await sim.close();
  }
}

/** A 500-server drill in 5 jobs of 100 under a manual clock, with the per-job and all-jobs quotas checked. */
async function drillFigures(): Promise<BenchFigure[]> {
  const clock = new ManualClock();
  const sim = await startSimulator({ clock, fleet: syntheticFleet({ count: 501 }) });
  try {
    const client = new DrsClient({
      region: "us-east-1",
      endpoint: sim.url,
      credentials: credentialsFor("123456789012"),
      maxAttempts: 1,
    });
    const ids: string[] = [];
    for await (const page of paginateDescribeSourceServers({ client, pageSize: 1_000 }, {})) {
      ids.push(...(page.items ?? []).map((s) => s.sourceServerID as string));
    }
    const wallStart = performance.now();
    const virtualStart = clock.now();
    const jobIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const batch = ids.slice(i * 100, i * 100 + 100).map((sourceServerID) => ({ sourceServerID }));
      const out = await client.send(
        new StartRecoveryCommand({ sourceServers: batch, isDrill: true, tags: { batch: String(i) } }),
      );
      jobIds.push(out.job?.jobID as string);
    }
    let sixth = "accepted";
    try {
      await client.send(
        new StartRecoveryCommand({ sourceServers: [{ sourceServerID: ids[500] as string }], isDrill: true }),
      );
    } catch (error) {
      sixth =
        error instanceof ServiceQuotaExceededException ? (error.quotaCode ?? "no quota code") : String(error);
    }
    sim.control.settle();
    const wallMs = performance.now() - wallStart;
    const jobs = (await client.send(new DescribeJobsCommand({ filters: { jobIDs: jobIds } }))).items ?? [];
    const completed = jobs.filter((j) => j.status === "COMPLETED").length;
    const perJob = jobs.map((j) => j.participatingServers?.length ?? 0);
    const launched = jobs.reduce(
      (n, j) => n + (j.participatingServers ?? []).filter((p) => p.launchStatus === "LAUNCHED").length,
      0,
    );
    const virtualMinutes =
      (Math.max(...jobs.map((j) => Date.parse(j.endDateTime ?? ""))) - virtualStart) / 60_000;
    client.destroy();
    return [
      figure("500-server drill: jobs", jobs.length, "jobs", { target: "= 5", pass: jobs.length === 5 }),
      figure("500-server drill: max servers per job", Math.max(...perJob), "servers", {
        target: "<= 100 (L-B827C881)",
        pass: Math.max(...perJob) <= 100,
      }),
      figure(
        "500-server drill: 6th job while 500 servers are in active jobs",
        sixth === "L-05AFA8C6" ? 1 : 0,
        "rejected",
        {
          target: "rejected with L-05AFA8C6",
          pass: sixth === "L-05AFA8C6",
          note: sixth,
        },
      ),
      figure("500-server drill: jobs COMPLETED", completed, "jobs", { target: "= 5", pass: completed === 5 }),
      figure("500-server drill: servers LAUNCHED", launched, "servers", {
        target: "= 500",
        pass: launched === 500,
      }),
      figure("500-server drill: simulated duration", virtualMinutes, "min", {
        note: "DRS time on the manual clock",
      }),
      figure("500-server drill: wall time to completion", wallMs, "ms", {
        target: "< 10000 ms",
        pass: wallMs < 10_000,
      }),
    ];
  } finally {
    await sim.close();
  }
}

export const simBench: BenchSuite = {
  name: SUITE,
  async run() {
    return [...(await paginationFigures()), ...(await drillFigures())];
  },
};
