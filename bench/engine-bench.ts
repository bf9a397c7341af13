import { buildPlanGraph, criticalPath, type Execution } from "@drso/core";
import { createSqliteStore } from "@drso/store";
import type { FleetSpec } from "drs-sim";
import { createEngineHarness, type EngineHarness } from "../tests/support/engine-harness.js";
import { tempDir } from "../tests/support/processes.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/**
 * Engine figures (DESIGN §10): orchestration overhead against the DRS critical path, a 3,000-server /
 * 50-wave / 10-account plan within quotas, and 20 concurrent executions. DRS time is the simulator's
 * virtual time (default job timings, seeded); engine latency is wall-clock time spent in each step.
 */
const SUITE = "engine";
const ACCOUNT = (i: number) => String(111100000000 + i * 1111);

function fleet(accounts: number, perAccount: number): FleetSpec {
  return {
    accounts: Array.from({ length: accounts }, (_, a) => ({
      accountId: ACCOUNT(a),
      regions: [
        {
          region: "us-east-1",
          servers: Array.from({ length: perAccount }, (_, i) => ({
            hostname: `a${a}-srv-${String(i).padStart(4, "0")}`,
            os: "linux" as const,
            snapshotsHistoryHours: 1,
          })),
        },
      ],
    })),
  };
}

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.NaN);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** Wraps the harness's step handler to record wall-clock time per engine step. */
function instrument(h: EngineHarness) {
  const samples: number[] = [];
  const step = h.stepExecution;
  const timed = async (id: string) => {
    const t0 = performance.now();
    try {
      return await step(id);
    } finally {
      samples.push(performance.now() - t0);
    }
  };
  (h.driver as unknown as { runDue: () => Promise<number> }).runDue = async () => {
    let n = 0;
    for (const id of await h.store.executions.listDue(h.clock.now(), 100)) {
      await timed(id);
      n += 1;
    }
    return n;
  };
  return samples;
}

/** DRS time of each wave (first job created → last job ended) and the critical path through the wave DAG. */
function overhead(e: Execution) {
  const graph = buildPlanGraph(e.waves.map((w) => ({ waveId: w.waveId, dependsOn: w.dependsOn })));
  const drsTime = new Map(
    e.waves.map((w) => {
      const starts = w.batches.map((b) => ms(b.jobCreatedAt)).filter(Number.isFinite);
      const ends = w.batches.map((b) => ms(b.jobEndedAt)).filter(Number.isFinite);
      return [w.waveId, starts.length && ends.length ? Math.max(...ends) - Math.min(...starts) : 0];
    }),
  );
  const critical = criticalPath(
    { ...graph, dependencies: new Map(e.waves.map((w) => [w.waveId, w.dependsOn])) },
    (id) => drsTime.get(id) ?? 0,
  );
  const makespan = (e.endTime ?? 0) - e.startTime;
  return {
    critical,
    makespan,
    ratio: makespan / critical,
    perWaveDelayMs: (makespan - critical) / e.waves.length,
  };
}

/** Peak concurrent jobs and servers per account, from the simulator's own job records. */
function peakUsage(h: EngineHarness) {
  const peaks = new Map<string, { jobs: number; servers: number }>();
  for (const region of h.sim.control.state().regions) {
    const points: Array<[number, number, number]> = [];
    for (const job of region.jobs as Array<{
      creationDateTime?: string;
      endDateTime?: string;
      participatingServers?: unknown[];
    }>) {
      const n = job.participatingServers?.length ?? 0;
      points.push(
        [ms(job.creationDateTime), 1, n],
        [ms(job.endDateTime ?? new Date(8.64e15).toISOString()), -1, -n],
      );
    }
    points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let jobs = 0;
    let servers = 0;
    const peak = { jobs: 0, servers: 0 };
    for (const [, dj, ds] of points) {
      jobs += dj;
      servers += ds;
      peak.jobs = Math.max(peak.jobs, jobs);
      peak.servers = Math.max(peak.servers, servers);
    }
    peaks.set(region.accountId, peak);
  }
  return peaks;
}

async function withHarness<T>(
  options: Parameters<typeof createEngineHarness>[0],
  fn: (h: EngineHarness) => Promise<T>,
): Promise<T> {
  const dir = tempDir("drso-bench-");
  const store = createSqliteStore({ path: `${dir.path}/bench.sqlite` });
  const h = await createEngineHarness({ ...options, store });
  try {
    return await fn(h);
  } finally {
    await h.close();
    dir.remove();
  }
}

async function explicitGroups(h: EngineHarness, accountId: string, ids: string[][], prefix: string) {
  const out: string[] = [];
  for (const [i, chunk] of ids.entries())
    out.push(
      (await h.group({ name: `${prefix}-${i}`, accountId, region: "us-east-1", sourceServerIds: chunk }))
        .groupId,
    );
  return out;
}

async function overheadScenario(kind: "sequential" | "dag"): Promise<BenchFigure[]> {
  return withHarness({ fleet: fleet(1, 50), seed: 11 }, async (h) => {
    const samples = instrument(h);
    const ids = (
      await h.drs.forTarget({ accountId: ACCOUNT(0), region: "us-east-1" }).describeSourceServers()
    ).map((s) => s.sourceServerId);
    const groups = await explicitGroups(
      h,
      ACCOUNT(0),
      Array.from({ length: 10 }, (_, w) => ids.slice(w * 5, w * 5 + 5)),
      `${kind}`,
    );
    const deps: Record<number, number[]> = {
      1: [0],
      2: [0],
      3: [0],
      4: [1, 2],
      5: [3],
      6: [4, 5],
      7: [6],
      8: [6],
      9: [7, 8],
    };
    const plan = await h.plan({
      name: `overhead-${kind}`,
      waves: groups.map((g, w) => ({
        waveId: `w${w}`,
        name: `Wave ${w}`,
        protectionGroupIds: [g],
        ...(kind === "dag" && deps[w] ? { dependsOn: deps[w]!.map((d) => `w${d}`) } : {}),
      })),
    });
    const started = await h.services.executions.start(plan.planId, { executionType: "DRILL" }, "bench");
    await h.drive(h.terminal(started.executionId), 100_000);
    const e = await h.execution(started.executionId);
    const o = overhead(e);
    const label = kind === "dag" ? "10-wave DAG" : "10-wave sequential";
    return [
      { suite: SUITE, metric: `${label}: DRS critical path`, value: o.critical / 1000, unit: "s (DRS time)" },
      { suite: SUITE, metric: `${label}: makespan`, value: o.makespan / 1000, unit: "s (DRS time)" },
      {
        suite: SUITE,
        metric: `${label}: makespan / critical path`,
        value: o.ratio,
        unit: "ratio",
        target: "<= 1.02",
        pass: o.ratio <= 1.02 && e.status === "COMPLETED",
      },
      {
        suite: SUITE,
        metric: `${label}: orchestration delay per wave`,
        value: o.perWaveDelayMs / 1000,
        unit: "s (DRS time)",
        target: "< 1 s",
        pass: o.perWaveDelayMs < 1000,
        note: "makespan minus critical path, per wave: polling lag and engine latency",
      },
      {
        suite: SUITE,
        metric: `${label}: overhead vs DESIGN §10 budget (2 % + 1 s/wave)`,
        value: (o.makespan - o.critical) / (0.02 * o.critical + 1000 * e.waves.length),
        unit: "fraction of budget",
        target: "< 1",
        pass: o.makespan - o.critical < 0.02 * o.critical + 1000 * e.waves.length,
      },
      {
        suite: SUITE,
        metric: `${label}: engine step p99`,
        value: percentile(samples, 99),
        unit: "ms (wall)",
        target: "< 1000 ms",
        pass: percentile(samples, 99) < 1000,
      },
      {
        suite: SUITE,
        metric: `${label}: RSS at end`,
        value: Math.round(process.memoryUsage().rss / 2 ** 20),
        unit: "MiB",
      },
    ];
  });
}

async function scaleScenario(): Promise<BenchFigure[]> {
  const accounts = 10;
  return withHarness(
    { fleet: fleet(accounts, 300), seed: 12, settings: { fastPollSeconds: 5 } },
    async (h) => {
      const samples = instrument(h);
      const t0 = performance.now();
      const byAccount = await Promise.all(
        Array.from({ length: accounts }, async (_, a) =>
          (await h.drs.forTarget({ accountId: ACCOUNT(a), region: "us-east-1" }).describeSourceServers()).map(
            (s) => s.sourceServerId,
          ),
        ),
      );
      // 50 waves of 60 servers in 10 chains of 5 (wave w waits for wave w-10), so 10 waves run at once.
      // Wave w takes 30 servers from account w mod 10 and 30 from the next account: 100 protection groups,
      // every account has two waves in flight at any time, and each account's 300 servers are all launched.
      const waves = [];
      const taken = new Array<number>(accounts).fill(0);
      for (let w = 0; w < 50; w++) {
        const groupIds: string[] = [];
        for (const a of [w % accounts, (w + 1) % accounts]) {
          const chunk = byAccount[a]!.slice(taken[a]!, taken[a]! + 30);
          taken[a]! += 30;
          groupIds.push(...(await explicitGroups(h, ACCOUNT(a), [chunk], `scale-w${w}-a${a}`)));
        }
        waves.push({
          waveId: `w${w}`,
          name: `Wave ${w}`,
          protectionGroupIds: groupIds,
          ...(w >= 10 ? { dependsOn: [`w${w - 10}`] } : { dependsOn: [] }),
        });
      }
      const plan = await h.plan({ name: "scale-3000", waves });
      const setupSeconds = (performance.now() - t0) / 1000;
      if (process.env.DRSO_BENCH_VERBOSE) console.error(`scale: setup ${setupSeconds.toFixed(1)} s`);
      const t1 = performance.now();
      const started = await h.services.executions.start(plan.planId, { executionType: "DRILL" }, "bench");
      await h.drive(h.terminal(started.executionId), 200_000);
      const runSeconds = (performance.now() - t1) / 1000;
      const e = await h.execution(started.executionId);
      const servers = e.waves.flatMap((w) => w.servers);
      const quotaErrors = h.sim.control.requests({ op: "StartRecovery", status: 402 }).length;
      const peaks = [...peakUsage(h).values()];
      const launches = [...h.launchesByServer().values()];
      const o = overhead(e);
      return [
        {
          suite: SUITE,
          metric: "3,000 servers / 50 waves / 10 accounts: servers launched",
          value: servers.filter((s) => s.status === "LAUNCHED").length,
          unit: "servers",
          target: "3000",
          pass:
            e.status === "COMPLETED" &&
            servers.length === 3000 &&
            servers.every((s) => s.status === "LAUNCHED"),
        },
        {
          suite: SUITE,
          metric: "3,000-server plan: launches per server (max)",
          value: Math.max(...launches),
          unit: "launches",
          target: "1",
          pass: Math.max(...launches) === 1,
        },
        {
          suite: SUITE,
          metric: "3,000-server plan: peak concurrent jobs per account",
          value: Math.max(...peaks.map((p) => p.jobs)),
          unit: "jobs",
          target: "<= 20",
          pass: Math.max(...peaks.map((p) => p.jobs)) <= 20,
        },
        {
          suite: SUITE,
          metric: "3,000-server plan: peak servers in active jobs per account",
          value: Math.max(...peaks.map((p) => p.servers)),
          unit: "servers",
          target: "<= 500",
          pass: Math.max(...peaks.map((p) => p.servers)) <= 500,
        },
        {
          suite: SUITE,
          metric: "3,000-server plan: DRS quota errors",
          value: quotaErrors,
          unit: "errors",
          target: "0",
          pass: quotaErrors === 0,
        },
        {
          suite: SUITE,
          metric: "3,000-server plan: makespan / critical path",
          value: o.ratio,
          unit: "ratio",
          target: "<= 1.02",
          pass: o.ratio <= 1.02,
        },
        {
          suite: SUITE,
          metric: "3,000-server plan: engine step p99",
          value: percentile(samples, 99),
          unit: "ms (wall)",
        },
        {
          suite: SUITE,
          metric: "3,000-server plan: wall time (setup / run)",
          value: runSeconds,
          unit: "s",
          note: `setup ${setupSeconds.toFixed(1)} s, ${Math.round(o.makespan / 60000)} min of DRS time`,
        },
        {
          suite: SUITE,
          metric: "3,000-server plan: RSS at end",
          value: Math.round(process.memoryUsage().rss / 2 ** 20),
          unit: "MiB",
        },
      ];
    },
  );
}

async function concurrentScenario(): Promise<BenchFigure[]> {
  return withHarness({ fleet: fleet(1, 300), seed: 13 }, async (h) => {
    const samples = instrument(h);
    const ids = (
      await h.drs.forTarget({ accountId: ACCOUNT(0), region: "us-east-1" }).describeSourceServers()
    ).map((s) => s.sourceServerId);
    const executions: string[] = [];
    for (let p = 0; p < 20; p++) {
      const groups = await explicitGroups(
        h,
        ACCOUNT(0),
        [0, 1, 2].map((w) => ids.slice(p * 15 + w * 5, p * 15 + w * 5 + 5)),
        `c${p}`,
      );
      const plan = await h.plan({
        name: `concurrent-${p}`,
        waves: groups.map((g, w) => ({ name: `Wave ${w}`, protectionGroupIds: [g] })),
      });
      executions.push(
        (await h.services.executions.start(plan.planId, { executionType: "DRILL" }, "bench")).executionId,
      );
    }
    const t0 = performance.now();
    const done = async () => (await Promise.all(executions.map((id) => h.terminal(id)()))).every(Boolean);
    await h.drive(done, 200_000);
    const wall = (performance.now() - t0) / 1000;
    const finished = await Promise.all(executions.map((id) => h.execution(id)));
    const quotaErrors = h.sim.control.requests({ op: "StartRecovery", status: 402 }).length;
    const peak = [...peakUsage(h).values()][0]!;
    const makespans = finished.map((e) => (e.endTime ?? 0) - e.startTime);
    return [
      {
        suite: SUITE,
        metric: "20 concurrent executions: completed",
        value: finished.filter((e) => e.status === "COMPLETED").length,
        unit: "executions",
        target: "20",
        pass: finished.every((e) => e.status === "COMPLETED"),
      },
      {
        suite: SUITE,
        metric: "20 concurrent executions: peak concurrent jobs (one account)",
        value: peak.jobs,
        unit: "jobs",
        target: "<= 20",
        pass: peak.jobs <= 20,
      },
      {
        suite: SUITE,
        metric: "20 concurrent executions: DRS quota errors",
        value: quotaErrors,
        unit: "errors",
        target: "0",
        pass: quotaErrors === 0,
      },
      {
        suite: SUITE,
        metric: "20 concurrent executions: longest makespan",
        value: Math.max(...makespans) / 1000,
        unit: "s (DRS time)",
      },
      {
        suite: SUITE,
        metric: "20 concurrent executions: engine step p99",
        value: percentile(samples, 99),
        unit: "ms (wall)",
        target: "< 1000 ms",
        pass: percentile(samples, 99) < 1000,
      },
      { suite: SUITE, metric: "20 concurrent executions: wall time", value: wall, unit: "s" },
      {
        suite: SUITE,
        metric: "20 concurrent executions: RSS at end",
        value: Math.round(process.memoryUsage().rss / 2 ** 20),
        unit: "MiB",
      },
    ];
  });
}

export const engineBench: BenchSuite = {
  name: "engine",
  async run() {
    const only = process.env.DRSO_ENGINE_BENCH?.split(",");
    const figures: BenchFigure[] = [];
    if (!only || only.includes("overhead"))
      figures.push(...(await overheadScenario("sequential")), ...(await overheadScenario("dag")));
    if (!only || only.includes("concurrent")) figures.push(...(await concurrentScenario()));
    if (!only || only.includes("scale")) figures.push(...(await scaleScenario()));
    return figures;
  },
};
