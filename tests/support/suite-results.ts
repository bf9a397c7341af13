import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach } from "vitest";
import { ROOT } from "./processes.js";

/**
 * One guarded property of a reliability suite (abuse, chaos, data safety) and how its last full run went.
 * Suites write `tests/results/<suite>.json` (an array of these) when DRSO_WRITE_RESULTS=1, which the full
 * runs (`npm run test:abuse`, `npm run test:chaos`) set; `npm run bench:report` turns them into
 * docs/reliability.md. The fast runs in `npm test` write nothing, so CI leaves the tree clean.
 */
export interface SuiteResult {
  suite: string;
  property: string;
  /** How many cases (requests, kills, restores…) the property was checked on. */
  runs: number;
  result: "pass" | "fail";
  /** ISO date of the run. */
  date: string;
  note?: string;
}

export const RESULTS_DIR = join(ROOT, "tests", "results");

export function writingResults(): boolean {
  return process.env.DRSO_WRITE_RESULTS === "1";
}

/** Records (replaces) one property's outcome in tests/results/<suite>.json; a no-op unless writing. */
export function recordResult(result: Omit<SuiteResult, "date"> & { date?: string }): void {
  if (!writingResults()) return;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${result.suite}.json`);
  let existing: SuiteResult[] = [];
  try {
    existing = JSON.parse(readFileSync(file, "utf8")) as SuiteResult[];
  } catch {
    // first result of this suite
  }
  const entry: SuiteResult = { ...result, date: result.date ?? new Date().toISOString() };
  const next = [...existing.filter((r) => r.property !== entry.property), entry].sort((a, b) =>
    a.property.localeCompare(b.property),
  );
  writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
}

/** Counts the enclosing describe block's tests and failures, so a recorded result says what really happened. */
export function trackOutcome(): { tests(): number; failures(): number; result(): "pass" | "fail" } {
  let tests = 0;
  let failures = 0;
  afterEach(({ task }) => {
    tests += 1;
    if (task.result?.state === "fail") failures += 1;
  });
  return {
    tests: () => tests,
    failures: () => failures,
    result: () => (failures === 0 && tests > 0 ? "pass" : "fail"),
  };
}
