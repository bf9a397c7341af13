import type { components } from "@drso/client";
import { plural } from "@drso/core";
import { formatDuration, formatTime } from "../output.js";

export type ExecutionDetail = components["schemas"]["ExecutionDetail"];
export type ExecutionEvent = components["schemas"]["ExecutionEvent"];

/** The parts of ExecutionDetail.waves the view reads (the OpenAPI document leaves waves loosely typed). */
export interface WaveView {
  waveId: string;
  name: string;
  status: string;
  phase?: string;
  onFailure?: string;
  startTime?: string;
  endTime?: string;
  durationSeconds?: number;
  error?: string;
  servers: Array<{
    sourceServerId: string;
    hostname: string;
    launchStatus: string;
    ec2InstanceId?: string;
    error?: string;
  }>;
  actions: Array<{
    actionId: string;
    phase: string;
    type: string;
    name?: string;
    status: string;
    message?: string;
  }>;
}

export const TERMINAL_STATUSES = ["COMPLETED", "FAILED", "CANCELLED"] as const;
export function isTerminal(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export function wavesOf(detail: ExecutionDetail): WaveView[] {
  return (detail.waves as unknown as WaveView[]).map((w) => ({
    ...w,
    servers: w.servers ?? [],
    actions: w.actions ?? [],
  }));
}

export function elapsedSeconds(detail: ExecutionDetail, now: number): number {
  const start = Date.parse(detail.startTime);
  const end = detail.endTime ? Date.parse(detail.endTime) : now;
  return Math.max(0, (end - start) / 1000);
}

function rtoText(detail: ExecutionDetail, now: number): string {
  const target = detail.rto.targetSeconds;
  const elapsed = elapsedSeconds(detail, now);
  if (target === undefined) return `elapsed ${formatDuration(elapsed)} (no target RTO)`;
  const over = elapsed > target ? " — OVER TARGET" : "";
  return `elapsed ${formatDuration(elapsed)} / target RTO ${formatDuration(target)}${over}`;
}

export function progressBar(
  done: number,
  failed: number,
  total: number,
  width: number,
  unicode: boolean,
): string {
  if (total <= 0) return `[${(unicode ? "·" : "-").repeat(width)}]`;
  const okCells = Math.round((done / total) * width);
  const failCells = Math.min(width - okCells, Math.round((failed / total) * width));
  const [full, bad, empty] = unicode ? ["█", "▓", "░"] : ["#", "x", "-"];
  return `[${full.repeat(okCells)}${bad.repeat(failCells)}${empty.repeat(width - okCells - failCells)}]`;
}

const WAVE_SYMBOL: Record<string, string> = {
  COMPLETED: "✓",
  FAILED: "✗",
  RUNNING: "▶",
  WAITING: "⏸",
  PENDING: "·",
  CANCELLED: "⊘",
  SKIPPED: "↷",
};

/** Waiting approvals, as one line each with the command that answers them. */
export function approvalLines(detail: ExecutionDetail): string[] {
  const lines: string[] = [];
  for (const wave of wavesOf(detail)) {
    for (const action of wave.actions) {
      if (action.status !== "WAITING_APPROVAL") continue;
      lines.push(
        `waiting for approval: wave "${wave.name}", ${action.phase}-action ${action.name ? `"${action.name}" ` : ""}(${action.actionId})${
          action.message ? `: ${action.message}` : ""
        } — drsctl approve ${detail.executionId} --action ${action.actionId}`,
      );
    }
  }
  return lines;
}

/**
 * The live view for a terminal: one frame, redrawn in place. Waves with progress bars, the servers of running
 * waves (and failed servers of the others), elapsed time against the target RTO, waiting approvals, the last
 * events.
 */
export function renderFrame(
  detail: ExecutionDetail,
  events: readonly ExecutionEvent[],
  now: number,
  width = 100,
): string[] {
  const lines: string[] = [];
  lines.push(`${detail.executionType} of "${detail.planName}" — ${detail.status} — ${rtoText(detail, now)}`);
  lines.push(
    `execution ${detail.executionId} · started ${formatTime(detail.startTime)}${
      detail.endTime ? ` · ended ${formatTime(detail.endTime)}` : ""
    }`,
  );
  lines.push("");
  const waves = wavesOf(detail);
  const nameWidth = Math.min(24, Math.max(4, ...waves.map((w) => w.name.length)));
  for (const wave of waves) {
    const total = wave.servers.length;
    const launched = wave.servers.filter((s) => s.launchStatus === "LAUNCHED").length;
    const failed = wave.servers.filter((s) => s.launchStatus === "FAILED").length;
    const running = wave.servers.filter(
      (s) => s.launchStatus === "PENDING" || s.launchStatus === "IN_PROGRESS",
    ).length;
    const counts = `${launched}/${total} launched${failed ? `, ${failed} failed` : ""}${running ? `, ${running} in progress` : ""}`;
    const timing = wave.durationSeconds !== undefined ? ` ${formatDuration(wave.durationSeconds)}` : "";
    const phase = wave.status === "RUNNING" && wave.phase ? ` (${wave.phase})` : "";
    lines.push(
      `  ${WAVE_SYMBOL[wave.status] ?? "?"} ${truncate(wave.name, nameWidth).padEnd(nameWidth)} ${progressBar(
        launched,
        failed,
        total,
        20,
        true,
      )} ${counts.padEnd(40)} ${wave.status}${phase}${timing}`,
    );
    const shown =
      wave.status === "RUNNING" || wave.status === "WAITING"
        ? wave.servers
        : wave.servers.filter((s) => s.launchStatus === "FAILED");
    for (const server of shown.slice(0, 12)) {
      lines.push(
        `      ${truncate(server.hostname, 28).padEnd(28)} ${server.launchStatus.padEnd(12)} ${
          server.ec2InstanceId ?? (server.error ? truncate(server.error, 60) : "")
        }`.trimEnd(),
      );
    }
    if (shown.length > 12) lines.push(`      … ${plural(shown.length - 12, "more server", "more servers")}`);
  }
  const approvals = approvalLines(detail);
  if (approvals.length > 0) lines.push("", ...approvals.map((a) => `  ⏸ ${a}`));
  const pause = (detail as { pause?: { reason: string; waveId?: string } }).pause;
  if (detail.status === "PAUSED" && pause?.reason === "failure") {
    const id = detail.executionId;
    const wave = pause.waveId ?? "?";
    lines.push(
      "",
      `  ⏸ wave ${wave} failed and waits for a decision — drsctl retry-wave ${id} ${wave} | skip-wave ${id} ${wave} | abort-wave ${id} ${wave}`,
    );
  } else if (detail.status === "PAUSED" && pause && approvals.length === 0) {
    lines.push(
      "",
      `  ⏸ paused (${pause.reason}${pause.waveId ? `, before wave ${pause.waveId}` : ""}) — drsctl resume ${detail.executionId}`,
    );
  }
  if (events.length > 0) {
    lines.push("", "recent events:");
    const start = Date.parse(detail.startTime);
    for (const e of events.slice(-5)) lines.push(`  ${eventLine(e, start)}`);
  }
  return lines.map((l) => truncate(l, Math.max(20, width - 1)));
}

/** One event as an append-only line: offset from the start of the execution, then the engine's message. */
export function eventLine(event: ExecutionEvent, startMs: number): string {
  const offset = formatDuration(Math.max(0, (event.at - startMs) / 1000));
  return `[+${offset}] ${event.message}`;
}

/** The closing line of a watched execution. */
export function summaryLines(detail: ExecutionDetail, now: number): string[] {
  const c = detail.counts as Record<string, number | undefined>;
  const lines = [
    `${detail.status}: ${detail.executionType} of "${detail.planName}" after ${formatDuration(
      elapsedSeconds(detail, now),
    )} — waves ${c.wavesCompleted ?? 0}/${c.waves ?? 0} completed${
      c.wavesFailed ? `, ${c.wavesFailed} failed` : ""
    }; servers ${c.launched ?? 0}/${c.servers ?? 0} launched${c.failed ? `, ${c.failed} failed` : ""}`,
  ];
  const { targetSeconds, achievedSeconds, met } = detail.rto;
  if (targetSeconds !== undefined) {
    lines.push(
      `RTO: ${achievedSeconds !== undefined ? formatDuration(achievedSeconds) : "not achieved"} against a target of ${formatDuration(
        targetSeconds,
      )}${met === true ? " (met)" : met === false ? " (MISSED)" : ""}`,
    );
  }
  if (detail.status === "COMPLETED" && ((c.wavesFailed ?? 0) > 0 || (c.failed ?? 0) > 0)) {
    const continued = wavesOf(detail)
      .filter((w) => w.status === "FAILED" || w.servers.some((s) => s.launchStatus === "FAILED"))
      .map((w) => `"${w.name}"`);
    lines.push(
      `warning: completed with failures under onFailure: continue (${continued.length === 1 ? "wave" : "waves"} ${continued.join(", ")}); see drsctl report ${detail.executionId}`,
    );
  }
  const error = (detail as { error?: { code?: string; message?: string } }).error;
  if (error?.message) lines.push(`error: ${error.code ? `${error.code}: ` : ""}${error.message}`);
  return lines;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`;
}
