import type { FieldIssue } from "../errors.js";
import type { Wave } from "./recovery-plan.js";

/**
 * The wave graph of a plan (DESIGN §3). If no wave has `dependsOn`, waves run strictly in list order: each
 * wave implicitly depends on the one before it. If any wave has `dependsOn`, the plan is an explicit DAG and
 * waves without dependencies start immediately.
 */
export interface PlanGraph {
  mode: "sequential" | "dag";
  order: string[];
  /** Effective dependencies of every wave (implicit ones included in sequential mode). */
  dependencies: ReadonlyMap<string, readonly string[]>;
}

type WaveShape = Pick<Wave, "waveId" | "dependsOn">;

export function planMode(waves: readonly WaveShape[]): "sequential" | "dag" {
  return waves.some((w) => (w.dependsOn?.length ?? 0) > 0) ? "dag" : "sequential";
}

/** Structural problems: duplicate IDs, unknown or self references, cycles (named). */
export function validateWaveGraph(waves: readonly WaveShape[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const index = new Map<string, number>();
  waves.forEach((w, i) => {
    if (index.has(w.waveId)) {
      issues.push({ path: `waves.${i}.waveId`, message: `duplicate wave ID '${w.waveId}'` });
    } else {
      index.set(w.waveId, i);
    }
  });
  waves.forEach((w, i) => {
    (w.dependsOn ?? []).forEach((dep, j) => {
      if (dep === w.waveId) {
        issues.push({
          path: `waves.${i}.dependsOn.${j}`,
          message: `wave '${w.waveId}' cannot depend on itself`,
        });
      } else if (!index.has(dep)) {
        issues.push({ path: `waves.${i}.dependsOn.${j}`, message: `unknown wave '${dep}'` });
      }
    });
  });
  if (issues.length > 0) return issues;
  const cycle = findCycle(waves);
  if (cycle) {
    const at = index.get(cycle[0]!) ?? 0;
    issues.push({ path: `waves.${at}.dependsOn`, message: `dependency cycle: ${cycle.join(" -> ")}` });
  }
  return issues;
}

/** A cycle as a list of wave IDs that starts and ends with the same ID, or undefined. */
export function findCycle(waves: readonly WaveShape[]): string[] | undefined {
  const deps = new Map(waves.map((w) => [w.waveId, w.dependsOn ?? []]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const s = state.get(id);
    if (s === "done") return undefined;
    if (s === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const w of waves) {
    const found = visit(w.waveId);
    if (found) return found;
  }
  return undefined;
}

/** Builds the graph of a structurally valid plan (see validateWaveGraph). Order is a stable topological order. */
export function buildPlanGraph(waves: readonly WaveShape[]): PlanGraph {
  const mode = planMode(waves);
  const dependencies = new Map<string, readonly string[]>();
  waves.forEach((w, i) => {
    if (mode === "sequential") dependencies.set(w.waveId, i === 0 ? [] : [waves[i - 1]!.waveId]);
    else dependencies.set(w.waveId, [...(w.dependsOn ?? [])]);
  });
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < waves.length) {
    const ready = waves.find(
      (w) => !placed.has(w.waveId) && (dependencies.get(w.waveId) ?? []).every((d) => placed.has(d)),
    );
    if (!ready) throw new Error(`plan graph has a cycle: ${findCycle(waves)?.join(" -> ") ?? "unknown"}`);
    placed.add(ready.waveId);
    order.push(ready.waveId);
  }
  return { mode, order, dependencies };
}

/** Reverses every edge: used by failback when waves run in reverse plan order. */
export function reverseGraph(graph: PlanGraph): PlanGraph {
  const reversed = new Map<string, string[]>(graph.order.map((id) => [id, []]));
  for (const [id, deps] of graph.dependencies) for (const d of deps) reversed.get(d)?.push(id);
  return { mode: graph.mode, order: [...graph.order].reverse(), dependencies: reversed };
}

/** Length of the longest path through the graph, with a duration per wave (e.g. the critical path in ms). */
export function criticalPath(graph: PlanGraph, duration: (waveId: string) => number): number {
  const finish = new Map<string, number>();
  for (const id of graph.order) {
    const start = Math.max(0, ...(graph.dependencies.get(id) ?? []).map((d) => finish.get(d) ?? 0));
    finish.set(id, start + duration(id));
  }
  return Math.max(0, ...finish.values());
}
