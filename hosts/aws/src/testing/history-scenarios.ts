import type { FleetSpec } from "drs-sim";
import { createSfnDrillHarness, type SfnDrillHarness } from "./sfn-drill-harness.js";

/**
 * Long executions through the generated state machine (local ASL interpreter, real Step / pause-token
 * handlers, DRS simulator): what the history budget and the hand-over (continue-as-new) are for. Used by the
 * test suite (history-budget.test.ts) and `npm run bench` (bench/sfn-bench.ts).
 */
export interface HistoryFigures {
  scenario: string;
  status: string;
  servers: number;
  launched: number;
  /** Virtual duration of the execution. */
  hours: number;
  workflows: number;
  handOvers: number;
  /** Most history events of one workflow (Step Functions fails a workflow past 25,000). */
  maxEvents: number;
  /** All workflows together: what a single workflow would have had to hold. */
  totalEvents: number;
  failedWorkflows: number;
  /** Longest time between two Step invocations across a hand-over (virtual ms). */
  handOverGapMs: number;
  /** Quota refusals by the simulator (402), for the quota-bound run. */
  quotaRefusals: number;
  maxLaunchesPerServer: number;
  wallSeconds: number;
}

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

async function idsOf(h: SfnDrillHarness, accountId: string): Promise<string[]> {
  return (await h.drs.forTarget({ accountId, region: "us-east-1" }).describeSourceServers()).map(
    (s) => s.sourceServerId,
  );
}

async function figures(
  h: SfnDrillHarness,
  scenario: string,
  executionId: string,
  started: number,
  wall0: number,
): Promise<HistoryFigures> {
  const e = await h.execution(executionId);
  const history = h.history(executionId);
  const servers = e.waves.flatMap((w) => w.servers);
  // Gap across a hand-over: from the last Step of a workflow to the first Step of its successor.
  let gap = 0;
  const runs = h.machine.runsOf(executionId);
  for (const r of runs) {
    if (r.history.at(-1) !== "HandedOver" || r.stoppedAt === undefined) continue;
    const next = runs.find(
      (n) => n.startedAt >= (r.stoppedAt ?? 0) && n !== r && n.startedAt - r.stoppedAt! < 60_000,
    );
    gap = Math.max(gap, next ? next.startedAt - r.stoppedAt : Number.POSITIVE_INFINITY);
  }
  const launches = [...h.launchesByServer().values()];
  return {
    scenario,
    status: e.status,
    servers: servers.length,
    launched: servers.filter((s) => s.status === "LAUNCHED").length,
    hours: (h.clock.now() - started) / 3_600_000,
    workflows: history.workflows.length,
    handOvers: history.handOvers,
    maxEvents: history.maxEvents,
    totalEvents: history.totalEvents,
    failedWorkflows: history.failed,
    handOverGapMs: gap,
    quotaRefusals: h.sim.control.requests({ op: "StartRecovery", status: 402 }).length,
    maxLaunchesPerServer: Math.max(0, ...launches),
    wallSeconds: (performance.now() - wall0) / 1000,
  };
}

/** Until the execution has settled (terminal, no wake-up left) and no workflow runs any more. */
const settledAndIdle = (h: SfnDrillHarness, id: string) => async () => {
  const e = await h.execution(id);
  return (
    ["COMPLETED", "FAILED", "CANCELLED"].includes(e.status) &&
    e.wakeAt === undefined &&
    h.machine.runsOf(id).every((r) => r.status !== "RUNNING")
  );
};

/**
 * A 50-wave drill of 100 servers (2 per wave, waves in sequence) at DRS job timings ×1.5 (large volumes): about eight hours.
 * The drill's instances are terminated afterwards (the execution's cleanup), so the whole run is driven.
 */
export async function fiftyWaveDrill(options: { handOverEvents?: number } = {}): Promise<HistoryFigures> {
  const h = await createSfnDrillHarness({ fleet: fleet(1, 100), timeScale: 1.5, seed: 3, ...options });
  try {
    const wall0 = performance.now();
    const ids = await idsOf(h, ACCOUNT(0));
    const waves = [];
    for (let w = 0; w < 50; w++) {
      const group = await h.group({
        name: `drill-w${w}`,
        accountId: ACCOUNT(0),
        region: "us-east-1",
        sourceServerIds: ids.slice(w * 2, w * 2 + 2),
      });
      waves.push({ waveId: `w${w}`, name: `Wave ${w}`, protectionGroupIds: [group.groupId] });
    }
    const plan = await h.plan({ name: "fifty-waves", waves });
    const t0 = h.clock.now();
    const started = await h.services.executions.start(
      plan.planId,
      { executionType: "DRILL" },
      "tester@example.com",
    );
    await h.drive(async () => (await h.execution(started.executionId)).status === "COMPLETED", 500_000);
    const done = await figures(h, "50-wave drill, 100 servers", started.executionId, t0, wall0);
    return done;
  } finally {
    await h.close();
  }
}

/**
 * A recovery of 3,000 servers in 10 accounts, 50 waves of 60 (10 chains of 5: wave w waits for wave w-10),
 * bound by DRS's quotas (concurrent jobs, servers in jobs): launches wait for room, for hours.
 */
export async function quotaBoundRecovery(options: { handOverEvents?: number } = {}): Promise<HistoryFigures> {
  const accounts = 10;
  const h = await createSfnDrillHarness({
    fleet: fleet(accounts, 300),
    timeScale: 1,
    seed: 12,
    settings: { fastPollSeconds: 2 },
    ...options,
  });
  try {
    const wall0 = performance.now();
    const byAccount = await Promise.all(Array.from({ length: accounts }, (_, a) => idsOf(h, ACCOUNT(a))));
    const waves = [];
    const taken = new Array<number>(accounts).fill(0);
    for (let w = 0; w < 50; w++) {
      const groupIds: string[] = [];
      for (const a of [w % accounts, (w + 1) % accounts]) {
        const chunk = byAccount[a]!.slice(taken[a]!, taken[a]! + 30);
        taken[a]! += 30;
        groupIds.push(
          (
            await h.group({
              name: `rec-w${w}-a${a}`,
              accountId: ACCOUNT(a),
              region: "us-east-1",
              sourceServerIds: chunk,
            })
          ).groupId,
        );
      }
      waves.push({
        waveId: `w${w}`,
        name: `Wave ${w}`,
        protectionGroupIds: groupIds,
        dependsOn: w >= 10 ? [`w${w - 10}`] : [],
      });
    }
    const plan = await h.plan({ name: "recovery-3000", waves });
    const t0 = h.clock.now();
    const started = await h.services.executions.start(
      plan.planId,
      { executionType: "RECOVERY", confirm: "recovery-3000" },
      "tester@example.com",
    );
    await h.drive(settledAndIdle(h, started.executionId), 1_000_000);
    return await figures(
      h,
      "3,000-server recovery, 10 accounts, quota-bound",
      started.executionId,
      t0,
      wall0,
    );
  } finally {
    await h.close();
  }
}
