/** One measured figure. A suite returns many; bench/run.ts prints them as a table and writes bench/results.json. */
export interface BenchFigure {
  suite: string;
  metric: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "< 1000 ms". */
  target?: string;
  /** Whether the figure meets its target (absent when there is no target). */
  pass?: boolean;
  note?: string;
}

export interface BenchSuite {
  name: string;
  run(): Promise<BenchFigure[]>;
}
