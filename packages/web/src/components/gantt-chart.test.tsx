import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { GanttChart, type GanttRow } from "./gantt-chart.js";

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function chart(rows: GanttRow[], targetSeconds: number | undefined, now = T0 + 600_000) {
  const { container } = render(
    <GanttChart rows={rows} origin={at(0)} now={now} targetSeconds={targetSeconds} ariaLabel="Timeline" />,
  );
  return container.querySelector('[data-testid="gantt-chart"]')!;
}

const FONT = 12;

describe("Gantt chart", () => {
  it("puts the RTO target label below every bar, never over one", () => {
    for (const target of [30, 300, 590, 5000]) {
      const svg = chart(
        [
          { id: "db", label: "Databases", status: "COMPLETED", start: at(0), end: at(200) },
          { id: "app", label: "Applications", status: "COMPLETED", start: at(200), end: at(600) },
        ],
        target,
      );
      const label = [...svg.querySelectorAll("text")].find((t) => t.textContent?.includes("RTO target"));
      expect(label, `label for target ${target}`).toBeDefined();
      const top = Number(label!.getAttribute("y")) - FONT;
      const bottoms = [...svg.querySelectorAll("rect")].map(
        (r) => Number(r.getAttribute("y")) + Number(r.getAttribute("height")),
      );
      expect(top, `target ${target}: label top against the lowest bar`).toBeGreaterThanOrEqual(
        Math.max(...bottoms),
      );
      const [, , , height] = svg.getAttribute("viewBox")!.split(" ").map(Number) as number[];
      expect(Number(label!.getAttribute("y"))).toBeLessThanOrEqual(height!);
    }
  });

  it("draws pauses and approvals as labelled segments on their wave's row", () => {
    const svg = chart(
      [
        { id: "db", label: "Databases", status: "COMPLETED", start: at(0), end: at(100) },
        {
          id: "app",
          label: "Applications",
          status: "COMPLETED",
          start: at(160),
          end: at(400),
          segments: [
            { kind: "pause", start: at(100), end: at(160), label: "Paused before the wave" },
            { kind: "approval", start: at(300), end: at(380), label: "Approval: smoke test" },
          ],
        },
      ],
      3600,
    );
    const segments = [...svg.querySelectorAll("[data-segment]")];
    expect(segments.map((s) => s.getAttribute("data-segment"))).toEqual(["pause", "approval"]);
    expect(segments[0]!.querySelector("title")?.textContent).toBe(
      "Paused before the wave: +1m 40s to +2m 40s (1m 0s)",
    );
    expect(segments[1]!.querySelector("title")?.textContent).toContain("Approval: smoke test");
    const texts = segments.map((s) => s.querySelector("text")?.textContent);
    expect(texts).toEqual(["paused", "approval"]);
    const app = svg.querySelector('[data-wave="app"]')!;
    expect(app.getAttribute("aria-label")).toContain("paused 1m 0s");
    expect(app.getAttribute("aria-label")).toContain("approval 1m 20s");
  });

  it("an open pause runs to now", () => {
    const svg = chart(
      [
        {
          id: "app",
          label: "Applications",
          status: "WAITING",
          segments: [{ kind: "pause", start: at(100), label: "Paused before the wave" }],
        },
      ],
      undefined,
      T0 + 250_000,
    );
    expect(svg.querySelector("[data-segment] title")?.textContent).toBe(
      "Paused before the wave: +1m 40s to now (2m 30s)",
    );
  });
});
