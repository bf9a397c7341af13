import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { arch, cpus, loadavg, totalmem } from "node:os";
import { simBench } from "../packages/drs-sim/bench/sim-bench.js";
import { webBench } from "../packages/web/bench/web-bench.js";
import { apiBench } from "./api-bench.js";
import { discoveryBench } from "./discovery-bench.js";
import { engineBench } from "./engine-bench.js";
import { sfnBench } from "./sfn-bench.js";
import { storeBench } from "./store-bench.js";
import type { BenchFigure, BenchSuite } from "./types.js";

const suites: BenchSuite[] = [
  simBench,
  engineBench,
  sfnBench,
  storeBench,
  apiBench,
  discoveryBench,
  webBench,
];

function pad(text: string, width: number) {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

async function main() {
  const only = process.argv.slice(2);
  const figures: BenchFigure[] = [];
  const started = Date.now();
  for (const suite of suites) {
    if (only.length > 0 && !only.includes(suite.name)) continue;
    process.stderr.write(`bench: running ${suite.name}\n`);
    figures.push(...(await suite.run()));
  }
  const header = ["suite", "metric", "value", "unit", "target", "ok"];
  const rows = figures.map((f) => [
    f.suite,
    f.metric,
    Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(3),
    f.unit,
    f.target ?? "",
    f.pass === undefined ? "" : f.pass ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i] ?? 0)).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
  const machine = {
    node: process.version,
    arch: arch(),
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    cpuModel: cpus()[0]?.model ?? "unknown",
    // Shared machines: the load at the end of the run says how much else was competing for the cores.
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
  // `npm run bench -- web` re-measures one suite: the other suites' figures stay as the last full run wrote them.
  const file = new URL("./results.json", import.meta.url);
  const kept =
    only.length > 0 && existsSync(file)
      ? (JSON.parse(readFileSync(file, "utf8")) as { figures: BenchFigure[] }).figures.filter(
          (f) => !only.includes(f.suite),
        )
      : [];
  const ran = [...new Set(figures.map((f) => f.suite))];
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine,
        seconds: (Date.now() - started) / 1000,
        ...(only.length > 0
          ? { partial: `this run measured ${ran.join(", ")}; the rest is from the run before` }
          : {}),
        figures: [...kept, ...figures],
      },
      null,
      2,
    )}\n`,
  );
  if (figures.some((f) => f.pass === false)) process.exitCode = 1;
}

await main();
