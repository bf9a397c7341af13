import { formatDuration } from "./format.js";
import { statusColor } from "./status.js";

/** Time a wave waited for a person: paused (before the wave, by a user) or for an approval. */
export interface GanttSegment {
  kind: "pause" | "approval";
  start: string;
  /** Unset while it lasts (runs to now). */
  end?: string | undefined;
  label: string;
}

export interface GanttRow {
  id: string;
  label: string;
  status: string;
  start?: string | undefined;
  end?: string | undefined;
  segments?: GanttSegment[] | undefined;
  /** A row of segments only (pauses that belong to no wave). */
  noBar?: boolean | undefined;
}

/** A pause of the execution, as the API lists it. */
export interface PauseLike {
  reason: "pauseBefore" | "user" | "approval" | "failure";
  waveId?: string | undefined;
  by?: string | undefined;
  from: string;
  to?: string | undefined;
}

/**
 * The timeline's rows: one per wave, with its pauses and approvals as segments; pauses of the whole execution
 * (a user's) on a row of their own.
 */
export function timelineRows(
  waves: ReadonlyArray<{
    waveId: string;
    name: string;
    status: string;
    startTime?: string;
    endTime?: string;
  }>,
  pauses: readonly PauseLike[] = [],
): GanttRow[] {
  const segment = (p: PauseLike): GanttSegment => ({
    kind: p.reason === "approval" ? "approval" : "pause",
    start: p.from,
    end: p.to,
    label:
      p.reason === "approval"
        ? "Waiting for an approval"
        : p.reason === "pauseBefore"
          ? "Paused before the wave"
          : p.reason === "failure"
            ? "Failed: waiting for a decision"
            : `Paused by ${p.by ?? "a user"}`,
  });
  const known = new Set(waves.map((w) => w.waveId));
  const rows: GanttRow[] = waves.map((w) => ({
    id: w.waveId,
    label: w.name,
    status: w.status,
    start: w.startTime,
    end: w.endTime,
    segments: pauses.filter((p) => p.waveId === w.waveId).map(segment),
  }));
  const loose = pauses.filter((p) => !p.waveId || !known.has(p.waveId));
  if (loose.length > 0)
    rows.push({
      id: "execution-pauses",
      label: "Execution paused",
      status: "PAUSED",
      noBar: true,
      segments: loose.map(segment),
    });
  return rows;
}

export interface GanttChartProps {
  rows: GanttRow[];
  /** Start of the time axis (the execution's start). */
  origin: string;
  /** Where open bars end (now, or the execution's end). */
  now: number;
  targetSeconds?: number | undefined;
  ariaLabel: string;
}

const LABEL_WIDTH = 170;
const WIDTH = 920;
const ROW = 34;
const AXIS = 28;
/** A band under the rows for the RTO target's label, so that it never covers a bar. */
const FOOTER = 22;
const SEGMENT_FILL = { pause: "#8d6605", approval: "#7d33d6" } as const;

function formatTick(seconds: number): string {
  if (seconds === 0) return "0";
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h${Math.round((seconds % 3600) / 60)}m`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  if (seconds > 60) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${seconds}s`;
}

function niceStep(totalSeconds: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400];
  return steps.find((s) => totalSeconds / s <= 8) ?? 86400;
}

/**
 * The wave timeline as a Gantt chart in plain SVG: one bar per wave from its start to its end (or now), the
 * RTO target as a dashed line. Every bar is focusable and titled; the execution view also offers a table.
 */
export function GanttChart({ rows, origin, now, targetSeconds, ariaLabel }: GanttChartProps) {
  const t0 = Date.parse(origin);
  const offsets = rows.map((r) => {
    const start = r.start ? (Date.parse(r.start) - t0) / 1000 : undefined;
    const end = r.start ? ((r.end ? Date.parse(r.end) : now) - t0) / 1000 : undefined;
    return { start, end: end === undefined || start === undefined ? undefined : Math.max(end, start) };
  });
  const seg = (g: GanttSegment) => {
    const start = (Date.parse(g.start) - t0) / 1000;
    return { start, end: Math.max(start, ((g.end ? Date.parse(g.end) : now) - t0) / 1000) };
  };
  const segmentEnds = rows.flatMap((r) => (r.segments ?? []).map((g) => seg(g).end));
  const actual = Math.max(10, ...offsets.map((o) => o.end ?? 0), ...segmentEnds, (now - t0) / 1000);
  // The RTO target is drawn in scale only when it does not squash the bars; otherwise it is named at the edge.
  const targetInScale = targetSeconds !== undefined && targetSeconds <= actual * 3;
  const span = targetInScale ? Math.max(actual, targetSeconds * 1.05) : actual * 1.05;
  const plot = WIDTH - LABEL_WIDTH - 16;
  const x = (seconds: number) => LABEL_WIDTH + (seconds / span) * plot;
  const step = niceStep(span);
  const ticks: number[] = [];
  for (let t = 0; t <= span; t += step) ticks.push(t);
  const rowsBottom = AXIS + rows.length * ROW;
  const height = rowsBottom + (targetSeconds !== undefined ? FOOTER : 8);
  const targetX = targetSeconds !== undefined ? x(targetSeconds) : 0;
  // The label sits in the footer band: left of the line when there is room, else right of it.
  const labelLeft = targetX - LABEL_WIDTH > 180;

  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG drawing, not a form <fieldset>
    <svg
      viewBox={`0 0 ${WIDTH} ${height}`}
      width="100%"
      role="group"
      aria-label={`${ariaLabel}${targetSeconds !== undefined ? `, RTO target ${formatDuration(targetSeconds)}` : ""}`}
      data-testid="gantt-chart"
      style={{ maxWidth: WIDTH, fontFamily: "inherit", fontSize: 12 }}
    >
      <title>{ariaLabel}</title>
      {ticks.map((t) => (
        // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a decorative axis group, not focusable
        <g key={t} aria-hidden="true">
          <line
            x1={x(t)}
            x2={x(t)}
            y1={AXIS - 6}
            y2={height - 4}
            stroke="currentColor"
            strokeOpacity={0.15}
          />
          <text x={x(t)} y={AXIS - 10} textAnchor="middle" fill="currentColor" fillOpacity={0.7}>
            {formatTick(t)}
          </text>
        </g>
      ))}
      {targetSeconds !== undefined && !targetInScale ? (
        // biome-ignore lint/a11y/noAriaHiddenOnFocusable: decorative text; the chart's label carries the target
        <text
          x={WIDTH - 8}
          y={height - 6}
          textAnchor="end"
          fill="currentColor"
          fillOpacity={0.7}
          aria-hidden="true"
        >
          {`RTO target ${formatDuration(targetSeconds)} (beyond this scale)`}
        </text>
      ) : null}
      {targetSeconds !== undefined && targetInScale ? (
        // biome-ignore lint/a11y/noAriaHiddenOnFocusable: decorative line; the chart's label carries the target
        <g aria-hidden="true">
          <line
            x1={x(targetSeconds)}
            x2={x(targetSeconds)}
            y1={AXIS - 4}
            y2={height - 4}
            stroke="#d13212"
            strokeDasharray="5 4"
            strokeWidth={1.5}
          />
          <text
            x={labelLeft ? targetX - 4 : targetX + 4}
            y={height - 6}
            textAnchor={labelLeft ? "end" : "start"}
            fill="#d13212"
          >
            RTO target {formatDuration(targetSeconds)}
          </text>
        </g>
      ) : null}
      {rows.map((row, i) => {
        const o = offsets[i]!;
        const y = AXIS + i * ROW;
        const segments = (row.segments ?? []).map((g) => ({ ...g, ...seg(g), open: !g.end }));
        const human = segments
          .map((g) => `${g.kind === "pause" ? "paused" : "approval"} ${formatDuration(g.end - g.start)}`)
          .join(", ");
        const description = `${
          row.noBar
            ? `${row.label}`
            : o.start === undefined
              ? `${row.label}: ${row.status.toLowerCase()}, not started`
              : `${row.label}: ${row.status.toLowerCase()}, started at +${formatDuration(o.start)}, ${row.end ? "took" : "running for"} ${formatDuration((o.end ?? o.start) - o.start)}`
        }${human ? `; waited for people: ${human}` : ""}`;
        return (
          // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: bars are focusable so keyboard users can read each one
          <g
            key={row.id}
            tabIndex={0}
            role="img"
            aria-label={description}
            data-wave={row.noBar ? undefined : row.id}
            data-row={row.id}
          >
            <title>{description}</title>
            <text x={8} y={y + ROW / 2 + 4} fill="currentColor">
              {row.label.length > 22 ? `${row.label.slice(0, 21)}…` : row.label}
            </text>
            {row.noBar ? null : o.start !== undefined && o.end !== undefined ? (
              <rect
                x={x(o.start)}
                y={y + 7}
                width={Math.max(3, x(o.end) - x(o.start))}
                height={ROW - 14}
                rx={3}
                fill={statusColor(row.status)}
                opacity={row.end ? 1 : 0.75}
              />
            ) : (
              <text x={LABEL_WIDTH + 4} y={y + ROW / 2 + 4} fill="currentColor" fillOpacity={0.55}>
                {row.status === "SKIPPED" || row.status === "CANCELLED"
                  ? row.status.toLowerCase()
                  : "waiting"}
              </text>
            )}
            {segments.map((g) => {
              const x1 = x(g.start);
              const w = Math.max(3, x(g.end) - x1);
              const text = g.kind === "pause" ? "paused" : "approval";
              const label = `${g.label}: +${formatDuration(g.start)} to ${g.open ? "now" : `+${formatDuration(g.end)}`} (${formatDuration(g.end - g.start)})`;
              return (
                <g key={`${g.kind}-${g.start}`} data-segment={g.kind}>
                  <title>{label}</title>
                  <rect
                    x={x1}
                    y={y + 4}
                    width={w}
                    height={ROW - 8}
                    rx={2}
                    fill={SEGMENT_FILL[g.kind]}
                    fillOpacity={0.22}
                    stroke={SEGMENT_FILL[g.kind]}
                    strokeDasharray="3 2"
                  />
                  <text
                    x={x1 + 3}
                    y={y + ROW / 2 + 4}
                    fill="currentColor"
                    fontSize={10}
                    style={{ display: w >= text.length * 6 + 4 ? undefined : "none" }}
                  >
                    {text}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}
