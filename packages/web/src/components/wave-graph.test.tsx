import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { type GraphWave, WaveGraph } from "./wave-graph.js";

/** Every node and every edge point of the rendered graph, against the SVG's viewBox. */
function geometry(container: HTMLElement) {
  const svg = container.querySelector('[data-testid="wave-graph"]')!;
  const [, , width, height] = svg.getAttribute("viewBox")!.split(" ").map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const nodes = [...svg.querySelectorAll("g[data-wave]")].map((g) => {
    const m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(g.getAttribute("transform") ?? "")!;
    const rect = g.querySelector("rect")!;
    return {
      id: g.getAttribute("data-wave"),
      x: Number(m[1]),
      y: Number(m[2]),
      w: Number(rect.getAttribute("width")),
      h: Number(rect.getAttribute("height")),
    };
  });
  const points = [...svg.querySelectorAll("path[marker-end]")].flatMap((p) =>
    [...(p.getAttribute("d") ?? "").matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
    })),
  );
  return { width, height, nodes, points };
}

function expectInside(waves: GraphWave[]) {
  const { container } = render(<WaveGraph waves={waves} />);
  const g = geometry(container);
  expect(g.nodes).toHaveLength(waves.length);
  for (const n of g.nodes) {
    expect(n.x, `${n.id} left`).toBeGreaterThanOrEqual(0);
    expect(n.y, `${n.id} top`).toBeGreaterThanOrEqual(0);
    expect(n.x + n.w, `${n.id} right edge within ${g.width}`).toBeLessThanOrEqual(g.width);
    expect(n.y + n.h, `${n.id} bottom edge within ${g.height}`).toBeLessThanOrEqual(g.height);
  }
  for (const p of g.points) {
    expect(p.x).toBeGreaterThanOrEqual(0);
    expect(p.y, "edge above the frame").toBeGreaterThanOrEqual(0);
    expect(p.x).toBeLessThanOrEqual(g.width);
    expect(p.y, "edge below the frame").toBeLessThanOrEqual(g.height);
  }
  return g;
}

describe("wave graph layout", () => {
  it("draws every wave and edge of a two-wave cycle inside the frame", () => {
    expectInside([
      { waveId: "db", name: "Databases", dependsOn: ["app"] },
      { waveId: "app", name: "Applications", dependsOn: ["db"] },
    ]);
  });

  it("draws every wave of a three-wave cycle with a root and a tail inside the frame", () => {
    const g = expectInside([
      { waveId: "net", name: "Network", dependsOn: [] },
      { waveId: "db", name: "Databases", dependsOn: ["net", "web"] },
      { waveId: "app", name: "Applications", dependsOn: ["db"] },
      { waveId: "web", name: "Web", dependsOn: ["app"] },
      { waveId: "mon", name: "Monitoring", dependsOn: ["web"] },
    ]);
    // No two nodes on the same spot.
    const spots = new Set(g.nodes.map((n) => `${n.x},${n.y}`));
    expect(spots.size).toBe(g.nodes.length);
  });

  it("draws a sequential plan and a DAG inside the frame", () => {
    expectInside([
      { waveId: "a", name: "A", dependsOn: [] },
      { waveId: "b", name: "B", dependsOn: [] },
      { waveId: "c", name: "C", dependsOn: [] },
    ]);
    expectInside([
      { waveId: "a", name: "A", dependsOn: [] },
      { waveId: "b", name: "B", dependsOn: ["a"] },
      { waveId: "c", name: "C", dependsOn: ["a"] },
      { waveId: "d", name: "D", dependsOn: ["b", "c"] },
    ]);
  });
});
