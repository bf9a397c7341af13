import { type ApiClient, ApiError, unwrap } from "@drso/client";
import { plural } from "@drso/core";
import { CliError, EXIT } from "../errors.js";
import type { CliIo, OutputStream } from "../io.js";
import { formatDuration, formatTime } from "../output.js";
import {
  approvalLines,
  type ExecutionDetail,
  type ExecutionEvent,
  eventLine,
  isTerminal,
  renderFrame,
  summaryLines,
} from "./view.js";

export interface WatchOptions {
  /** Seconds between polls. */
  intervalSeconds: number;
  /** Where the progress goes: a redrawn frame on a terminal, append-only lines elsewhere. */
  progress: OutputStream;
  /** Redraw in place (only on a TTY, never with --output json). */
  live: boolean;
  /** Consecutive transient API failures tolerated before giving up. */
  maxFailures?: number;
}

export type WatchResult =
  | { kind: "finished"; detail: ExecutionDetail; exitCode: number }
  | { kind: "detached"; executionId: string };

/**
 * Follows an execution until it ends: polls `GET /executions/{id}` and the event timeline (`afterSeq`), and
 * shows either a live frame (terminal) or append-only lines (pipes, CI logs: no control codes). Exit code 0
 * for COMPLETED, 3 for FAILED or CANCELLED. Ctrl-C detaches; the execution goes on.
 */
export async function watchExecution(
  api: ApiClient,
  io: CliIo,
  executionId: string,
  options: WatchOptions,
): Promise<WatchResult> {
  let afterSeq = 0;
  const events: ExecutionEvent[] = [];
  let failures = 0;
  let drawn = 0;
  let detached = false;
  let wake: (() => void) | undefined;
  const stop = io.onInterrupt(() => {
    detached = true;
    wake?.();
  });
  const printedApprovals = new Set<string>();
  let lastStatus = "";
  let startMs: number | undefined;

  const redraw = (lines: string[]) => {
    const out = options.progress;
    let text = drawn > 0 ? `\x1b[${drawn}F` : "";
    for (const line of lines) text += `\x1b[2K${line}\n`;
    for (let i = lines.length; i < drawn; i++) text += "\x1b[2K\n";
    if (drawn > lines.length) text += `\x1b[${drawn - lines.length}F`;
    out.write(text);
    drawn = lines.length;
  };

  try {
    for (;;) {
      let detail: ExecutionDetail;
      let fresh: ExecutionEvent[];
      try {
        detail = await unwrap(api.GET("/executions/{id}", { params: { path: { id: executionId } } }));
        fresh = (
          await unwrap(
            api.GET("/executions/{id}/events", {
              params: { path: { id: executionId }, query: { afterSeq, limit: 1000 } },
            }),
          )
        ).items;
        failures = 0;
      } catch (error) {
        if (error instanceof ApiError && error.transient && failures < (options.maxFailures ?? 10)) {
          failures++;
          io.stderr.write(`warning: ${error.message}; retrying (${failures})\n`);
          await pause(io, options.intervalSeconds, (w) => {
            wake = w;
          });
          if (detached) break;
          continue;
        }
        throw error;
      }
      startMs ??= Date.parse(detail.startTime);
      events.push(...fresh);
      if (fresh.length > 0) afterSeq = fresh[fresh.length - 1]!.seq;

      if (options.live) {
        const width = options.progress.columns ?? 100;
        redraw(renderFrame(detail, events, io.now(), width));
      } else {
        if (lastStatus === "") {
          options.progress.write(
            `Watching ${detail.executionType} ${detail.executionId} of "${detail.planName}" (${plural(
              (detail.counts as Record<string, number>).waves ?? 0,
              "wave",
            )}, ${plural((detail.counts as Record<string, number>).servers ?? 0, "server")}, started ${formatTime(detail.startTime)}${
              detail.rto.targetSeconds !== undefined
                ? `, target RTO ${formatDuration(detail.rto.targetSeconds)}`
                : ""
            })\n`,
          );
        }
        for (const e of fresh) options.progress.write(`${eventLine(e, startMs)}\n`);
        for (const line of approvalLines(detail)) {
          if (!printedApprovals.has(line)) {
            printedApprovals.add(line);
            options.progress.write(`${line}\n`);
          }
        }
      }
      lastStatus = detail.status;
      if (isTerminal(detail.status)) {
        for (const line of summaryLines(detail, io.now())) options.progress.write(`${line}\n`);
        return {
          kind: "finished",
          detail,
          exitCode: detail.status === "COMPLETED" ? EXIT.OK : EXIT.EXECUTION_FAILED,
        };
      }
      await pause(io, options.intervalSeconds, (w) => {
        wake = w;
      });
      if (detached) break;
    }
  } finally {
    stop();
  }
  return { kind: "detached", executionId };
}

/** Sleeps for the poll interval; a Ctrl-C wakes it early. */
async function pause(io: CliIo, seconds: number, setWake: (wake: () => void) => void): Promise<void> {
  await Promise.race([
    io.sleep(seconds * 1000),
    new Promise<void>((resolve) => {
      setWake(resolve);
    }),
  ]);
}

export function validateInterval(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.05 || n > 300)
    throw new CliError("--interval must be 0.05-300 seconds", EXIT.USAGE);
  return n;
}
