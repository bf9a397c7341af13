import type { Settings } from "../domain/settings.js";

/**
 * Adaptive polling: right after a launch poll every `fastPollSeconds`, then every 1.5 % of the time the job
 * has been running, capped at `pollIntervalSeconds`. A job that ends at time T is noticed by T·1.015 at the
 * latest, which keeps the orchestration overhead under the 2 % target of DESIGN §10 without polling a
 * five-minute job every second.
 */
export const POLL_FRACTION = 0.015;

export function nextPollDelayMs(
  runningForMs: number,
  settings: Pick<Settings, "fastPollSeconds" | "pollIntervalSeconds">,
): number {
  const fast = settings.fastPollSeconds * 1000;
  const slow = settings.pollIntervalSeconds * 1000;
  return Math.round(Math.min(slow, Math.max(fast, runningForMs * POLL_FRACTION)));
}

/** FNV-1a: deterministic jitter keeps the step pure and reproducible. */
export function hashUnit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 4294967296;
}

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … capped at 60 s, each scaled by 0.5–1.0. */
export function backoffMs(errorCount: number, seed: string): number {
  const base = Math.min(60_000, 1000 * 2 ** Math.max(0, errorCount - 1));
  return Math.round(base * (0.5 + 0.5 * hashUnit(`${seed}:${errorCount}`)));
}

/** How long an ambiguous launch may stay unresolved before the engine concludes the job was never created. */
export const LOOKUP_SETTLE_MS = 15_000;
/** Consecutive errors after which a batch, action or termination gives up. */
export const MAX_CONSECUTIVE_ERRORS = 8;
/** When nothing else is due, look at a running execution at least this often. */
export const IDLE_WAKE_MS = 60_000;
