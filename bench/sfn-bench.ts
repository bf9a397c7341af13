import {
  fiftyWaveDrill,
  type HistoryFigures,
  quotaBoundRecovery,
} from "../hosts/aws/src/testing/history-scenarios.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/**
 * The AWS driver's history budget (issue 15): long executions through the generated state machine on the local
 * ASL interpreter, which counts history events per state type as Step Functions does. Goal: fewer than 20,000
 * events per workflow execution (Step Functions' limit is 25,000), handing over (continue-as-new) with no gap.
 * The 3,000-server recovery is long (minutes of wall time): DRSO_BENCH_LONG=1 runs it.
 */
const SUITE = "sfn";

function rows(f: HistoryFigures): BenchFigure[] {
  const label = f.scenario;
  return [
    {
      suite: SUITE,
      metric: `${label}: max history events per workflow execution`,
      value: f.maxEvents,
      unit: "events",
      target: "< 20000",
      pass: f.maxEvents < 20_000 && f.failedWorkflows === 0,
      note: `${f.totalEvents} events in all, ${f.hours.toFixed(1)} h virtual, ${f.status}`,
    },
    {
      suite: SUITE,
      metric: `${label}: hand-overs (continue-as-new)`,
      value: f.handOvers,
      unit: "hand-overs",
      target: `= workflows - 1 (${f.workflows - 1})`,
      pass: f.handOvers === f.workflows - 1,
    },
    {
      suite: SUITE,
      metric: `${label}: stepping gap at a hand-over`,
      value: f.handOverGapMs,
      unit: "ms (virtual)",
      target: "0",
      pass: f.handOverGapMs === 0,
    },
    {
      suite: SUITE,
      metric: `${label}: servers launched`,
      value: f.launched,
      unit: "servers",
      target: String(f.servers),
      pass: f.launched === f.servers && f.maxLaunchesPerServer === 1,
    },
    { suite: SUITE, metric: `${label}: wall time`, value: f.wallSeconds, unit: "s" },
  ];
}

export const sfnBench: BenchSuite = {
  name: SUITE,
  async run() {
    const figures = rows(await fiftyWaveDrill());
    if (process.env.DRSO_BENCH_LONG === "1") figures.push(...rows(await quotaBoundRecovery()));
    return figures;
  },
};
