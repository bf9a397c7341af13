import { statusColor } from "./status.js";

export interface GraphWave {
  waveId: string;
  name: string;
  dependsOn: string[];
  detail?: string;
  status?: string;
}

const NODE_W = 170;
const NODE_H = 50;
const COL = 230;
const ROW = 72;
const PAD = 16;
/** Room above the nodes for edges that run backwards (a cycle). */
const BACK_ARC = 34;

/**
 * Effective dependencies: with no `dependsOn` anywhere the plan is sequential (each wave after the previous
 * one), otherwise an explicit DAG (the engine's rule). Unknown references are dropped here.
 */
export function effectiveDependencies(waves: GraphWave[]): Map<string, string[]> {
  const ids = new Set(waves.map((w) => w.waveId));
  const dag = waves.some((w) => w.dependsOn.length > 0);
  return new Map(
    waves.map((w, i) => [
      w.waveId,
      dag ? w.dependsOn.filter((d) => ids.has(d) && d !== w.waveId) : i > 0 ? [waves[i - 1]!.waveId] : [],
    ]),
  );
}

/** Topological level of each wave (longest path from a root); waves on a cycle get level 0. */
export function layoutLevels(waves: GraphWave[]): Map<string, number> {
  const deps = effectiveDependencies(waves);
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = level.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const l = Math.max(-1, ...(deps.get(id) ?? []).map(visit)) + 1;
    visiting.delete(id);
    level.set(id, l);
    return l;
  };
  for (const w of waves) visit(w.waveId);
  return level;
}

/**
 * The wave DAG in plain SVG, laid out by topological level (left to right). Waves with a validation problem
 * are outlined in red; each node is focusable and titled.
 */
export function WaveGraph({
  waves,
  problems,
  onSelect,
  ariaLabel = "Wave dependency graph",
}: {
  waves: GraphWave[];
  problems?: ReadonlyMap<string, string[]>;
  onSelect?: (waveId: string) => void;
  ariaLabel?: string;
}) {
  const levels = layoutLevels(waves);
  const deps = effectiveDependencies(waves);
  // Columns by level, without empty columns (a cycle can leave a level unused); the frame fits every column.
  const used = [...new Set(waves.map((w) => levels.get(w.waveId) ?? 0))].sort((a, b) => a - b);
  const columnOf = new Map(used.map((l, i) => [l, i]));
  const columns = new Map<number, string[]>();
  for (const w of waves) {
    const c = columnOf.get(levels.get(w.waveId) ?? 0) ?? 0;
    columns.set(c, [...(columns.get(c) ?? []), w.waveId]);
  }
  const backEdges = waves.some((w) =>
    (deps.get(w.waveId) ?? []).some(
      (d) => (columnOf.get(levels.get(d) ?? 0) ?? 0) >= (columnOf.get(levels.get(w.waveId) ?? 0) ?? 0),
    ),
  );
  // Edges that run right to left (a cycle) arc above the nodes: room for them at the top.
  const top = PAD + (backEdges ? BACK_ARC : 0);
  const pos = new Map<string, { x: number; y: number }>();
  for (const [c, ids] of columns)
    ids.forEach((id, r) => {
      pos.set(id, { x: PAD + c * COL, y: top + r * ROW });
    });
  const columnCount = Math.max(1, used.length);
  const width = PAD * 2 + columnCount * COL - (COL - NODE_W);
  const height =
    top + PAD + Math.max(1, ...[...columns.values()].map((c) => c.length)) * ROW - (ROW - NODE_H);
  const clampY = (y: number) => Math.min(height - 2, Math.max(2, y));
  const clampX = (x: number) => Math.min(width - 2, Math.max(2, x));
  const edge = (key: string, d: string) => (
    <path
      key={key}
      d={d}
      fill="none"
      stroke="currentColor"
      strokeOpacity={0.5}
      strokeWidth={1.5}
      markerEnd="url(#drso-arrow)"
    />
  );

  if (waves.length === 0) return null;
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG drawing, not a form <fieldset>
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      style={{ maxWidth: width, fontSize: 12, fontFamily: "inherit" }}
      role="group"
      aria-label={ariaLabel}
      data-testid="wave-graph"
    >
      <title>{ariaLabel}</title>
      <defs>
        <marker
          id="drso-arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" fill="currentColor" fillOpacity={0.6} />
        </marker>
      </defs>
      {waves.flatMap((w) =>
        (deps.get(w.waveId) ?? []).map((d) => {
          const from = pos.get(d);
          const to = pos.get(w.waveId);
          if (!from || !to) return null;
          if (to.x > from.x) {
            const x1 = from.x + NODE_W;
            const y1 = from.y + NODE_H / 2;
            const x2 = to.x - 2;
            const y2 = to.y + NODE_H / 2;
            const path = `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`;
            return edge(`${d}->${w.waveId}`, path);
          }
          // A backward edge (a cycle): from the top of one node to the top of the other, arcing above them.
          const x1 = from.x + NODE_W / 2 + 12;
          const x2 = to.x + NODE_W / 2 - 12;
          const arc = clampY(Math.min(from.y, to.y) - BACK_ARC + 4);
          const path = `M${x1},${from.y} C${clampX(x1)},${arc} ${clampX(x2)},${arc} ${x2},${to.y - 2}`;
          return edge(`${d}->${w.waveId}`, path);
        }),
      )}
      {waves.map((w) => {
        const p = pos.get(w.waveId)!;
        const issues = problems?.get(w.waveId) ?? [];
        const after = deps.get(w.waveId) ?? [];
        const label = `${w.name} (${w.waveId})${after.length ? `, after ${after.join(", ")}` : ", starts first"}${w.status ? `, ${w.status.toLowerCase()}` : ""}${issues.length ? `. Problems: ${issues.join("; ")}` : ""}`;
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG node cannot be a <button>
          <g
            key={w.waveId}
            transform={`translate(${p.x},${p.y})`}
            tabIndex={0}
            role="button"
            aria-label={label}
            data-wave={w.waveId}
            style={{ cursor: onSelect ? "pointer" : "default" }}
            onClick={() => onSelect?.(w.waveId)}
            onKeyDown={(e) => {
              if (e.key === "Enter" || e.key === " ") {
                e.preventDefault();
                onSelect?.(w.waveId);
              }
            }}
          >
            <title>{label}</title>
            <rect
              width={NODE_W}
              height={NODE_H}
              rx={8}
              fill={w.status ? statusColor(w.status) : "#0972d3"}
              fillOpacity={0.12}
              stroke={issues.length ? "#d13212" : w.status ? statusColor(w.status) : "#0972d3"}
              strokeWidth={issues.length ? 2.5 : 1.5}
            />
            <text x={10} y={20} fill="currentColor" fontWeight={700}>
              {issues.length ? "⚠ " : ""}
              {w.name.length > 20 ? `${w.name.slice(0, 19)}…` : w.name}
            </text>
            <text x={10} y={38} fill="currentColor" fillOpacity={0.7}>
              {w.detail ?? w.waveId}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
