import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildPlanGraph,
  criticalPath,
  findCycle,
  planMode,
  reverseGraph,
  validateWaveGraph,
} from "./plan-graph.js";

const w = (waveId: string, dependsOn: string[] = []) => ({ waveId, dependsOn });

/** Random DAGs: each wave may depend only on earlier waves, so the input is acyclic by construction. */
const dagArb = fc
  .integer({ min: 1, max: 30 })
  .chain((n) =>
    fc
      .array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: n, maxLength: n })
      .map((picks) =>
        picks.map((p, i) => w(`w${i}`, i === 0 ? [] : [...new Set(p.map((x) => `w${x % i}`))])),
      ),
  );

describe("plan graph", () => {
  it("runs waves in list order when no wave declares dependencies", () => {
    const graph = buildPlanGraph([w("a"), w("b"), w("c")]);
    expect(graph.mode).toBe("sequential");
    expect(graph.order).toEqual(["a", "b", "c"]);
    expect(graph.dependencies.get("c")).toEqual(["b"]);
    expect(graph.dependencies.get("a")).toEqual([]);
  });

  it("treats any dependsOn as an explicit DAG where independent waves have no implicit order", () => {
    const waves = [w("db"), w("app", ["db"]), w("web", ["app"]), w("batch")];
    const graph = buildPlanGraph(waves);
    expect(graph.mode).toBe("dag");
    expect(graph.dependencies.get("batch")).toEqual([]);
    expect(graph.order.indexOf("db")).toBeLessThan(graph.order.indexOf("app"));
  });

  it("names the cycle", () => {
    const issues = validateWaveGraph([w("a", ["c"]), w("b", ["a"]), w("c", ["b"])]);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toBe("dependency cycle: a -> c -> b -> a");
    expect(issues[0]?.path).toBe("waves.0.dependsOn");
  });

  it("reports unknown, self and duplicate references with their paths", () => {
    expect(validateWaveGraph([w("a", ["a"])])).toEqual([
      { path: "waves.0.dependsOn.0", message: "wave 'a' cannot depend on itself" },
    ]);
    expect(validateWaveGraph([w("a"), w("b", ["zz"])])).toEqual([
      { path: "waves.1.dependsOn.0", message: "unknown wave 'zz'" },
    ]);
    expect(validateWaveGraph([w("a"), w("a")])).toEqual([
      { path: "waves.1.waveId", message: "duplicate wave ID 'a'" },
    ]);
  });

  it("orders every random DAG topologically (property)", () => {
    fc.assert(
      fc.property(dagArb, (waves) => {
        expect(validateWaveGraph(waves)).toEqual([]);
        const graph = buildPlanGraph(waves);
        expect(new Set(graph.order).size).toBe(waves.length);
        const position = new Map(graph.order.map((id, i) => [id, i]));
        for (const [id, deps] of graph.dependencies)
          for (const d of deps) expect(position.get(d)!).toBeLessThan(position.get(id)!);
      }),
    );
  });

  it("detects a cycle whenever a back edge is added to a DAG (property)", () => {
    fc.assert(
      fc.property(
        dagArb.filter((ws) => ws.some((x) => x.dependsOn.length > 0)),
        fc.nat(),
        (waves, pick) => {
          const withDeps = waves.filter((x) => x.dependsOn.length > 0);
          const victim = withDeps[pick % withDeps.length]!;
          const target = waves.find((x) => x.waveId === victim.dependsOn[0])!;
          const cyclic = waves.map((x) =>
            x === target ? { ...x, dependsOn: [...x.dependsOn, victim.waveId] } : x,
          );
          const cycle = findCycle(cyclic);
          expect(cycle).toBeDefined();
          expect(cycle![0]).toBe(cycle![cycle!.length - 1]);
          expect(validateWaveGraph(cyclic).some((i) => i.message.startsWith("dependency cycle"))).toBe(true);
        },
      ),
    );
  });

  it("computes the critical path as the longest chain", () => {
    const graph = buildPlanGraph([w("a"), w("b", ["a"]), w("c", ["a"]), w("d", ["b", "c"])]);
    const durations: Record<string, number> = { a: 10, b: 5, c: 20, d: 1 };
    expect(criticalPath(graph, (id) => durations[id]!)).toBe(31);
    expect(planMode([w("x")])).toBe("sequential");
  });

  it("reverses dependencies for failback in reverse order", () => {
    const reversed = reverseGraph(buildPlanGraph([w("a"), w("b"), w("c")]));
    expect(reversed.order).toEqual(["c", "b", "a"]);
    expect(reversed.dependencies.get("a")).toEqual(["b"]);
    expect(reversed.dependencies.get("c")).toEqual([]);
  });
});
