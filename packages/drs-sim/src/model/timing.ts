import type { SeededStream } from "./seeded-stream.js";

/** A duration distribution (spec §10.2, §11). Values are milliseconds of DRS time before `timeScale`. */
export type Distribution =
  | { dist: "fixed"; ms: number }
  | { dist: "uniform"; minMs: number; maxMs: number }
  | { dist: "lognormal"; medianMs: number; p95Ms: number; minMs?: number; maxMs?: number };

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

function lognormal(medianMs: number, p95Ms: number): Distribution {
  return { dist: "lognormal", medianMs, p95Ms };
}

/** Simulator defaults of spec §10.2 (median / p95), plus a few phases the table does not name. */
export const DEFAULT_TIMINGS = {
  pendingDelay: lognormal(20 * SECOND, 120 * SECOND),
  cleanupDelay: lognormal(30 * SECOND, 90 * SECOND),
  snapshotDelay: lognormal(2 * SECOND, 30 * SECOND),
  usingPreviousDelay: lognormal(1 * SECOND, 5 * SECOND),
  conversionDelay: lognormal(180 * SECOND, 420 * SECOND),
  /** How long a conversion server takes to fail to launch (F2) [INFERRED]. */
  conversionServerFailureDelay: lognormal(20 * SECOND, 60 * SECOND),
  launchDelay: lognormal(45 * SECOND, 120 * SECOND),
  jobEndDelay: lognormal(5 * SECOND, 15 * SECOND),
  bootDelayLinux: lognormal(3 * MINUTE, 5 * MINUTE),
  bootDelayWindows: lognormal(10 * MINUTE, 20 * MINUTE),
  terminateDelay: lognormal(60 * SECOND, 180 * SECOND),
  failbackLaunchDelay: lognormal(5 * MINUTE, 15 * MINUTE),
  /** Replication initiation steps (INITIATING) [INFERRED]. */
  initiationDelay: lognormal(4 * MINUTE, 10 * MINUTE),
  /** Failback client pairing with the recovery instance [INFERRED]. */
  failbackPairingDelay: lognormal(2 * MINUTE, 5 * MINUTE),
  /** Spread of per-server start times inside one job [INFERRED]. */
  serverStagger: { dist: "uniform", minMs: 0, maxMs: 2 * SECOND } as Distribution,
} satisfies Record<string, Distribution>;

export type TimingName = keyof typeof DEFAULT_TIMINGS;
export const TIMING_NAMES = Object.keys(DEFAULT_TIMINGS) as TimingName[];

/** z of the 95th percentile of the standard normal distribution. */
const Z95 = 1.6448536269514722;

/** Draws one duration in ms of simulator-clock time (already multiplied by `timeScale`). */
export function sampleDuration(dist: Distribution, stream: SeededStream, timeScale: number): number {
  return Math.max(0, Math.round(sampleRaw(dist, stream) * timeScale));
}

function sampleRaw(dist: Distribution, stream: SeededStream): number {
  switch (dist.dist) {
    case "fixed":
      return dist.ms;
    case "uniform":
      return dist.minMs + stream.next() * Math.max(0, dist.maxMs - dist.minMs);
    case "lognormal": {
      const median = Math.max(dist.medianMs, 0);
      if (median === 0) return 0;
      const sigma = Math.log(Math.max(dist.p95Ms, median) / median) / Z95;
      const u1 = 1 - stream.next();
      const u2 = stream.next();
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      const value = median * Math.exp(sigma * z);
      const min = dist.minMs ?? median / 10;
      const max = dist.maxMs ?? Math.max(dist.p95Ms, median) * 3;
      return Math.min(max, Math.max(min, value));
    }
  }
}

/** Checks a distribution read from JSON; returns an error message or undefined. */
export function distributionProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "must be an object with a 'dist' field";
  const d = value as Record<string, unknown>;
  const num = (key: string) =>
    typeof d[key] === "number" && Number.isFinite(d[key]) && (d[key] as number) >= 0;
  switch (d.dist) {
    case "fixed":
      return num("ms") ? undefined : "fixed needs ms >= 0";
    case "uniform":
      return num("minMs") && num("maxMs") ? undefined : "uniform needs minMs and maxMs >= 0";
    case "lognormal":
      return num("medianMs") && num("p95Ms") ? undefined : "lognormal needs medianMs and p95Ms >= 0";
    default:
      return "dist must be fixed, uniform or lognormal";
  }
}

/** ISO-8601 duration such as PT0S or PT2M30S. */
export function isoDuration(ms: number): string {
  let seconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3_600);
  seconds -= hours * 3_600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  let out = "P";
  if (days) out += `${days}D`;
  out += "T";
  if (hours) out += `${hours}H`;
  if (minutes) out += `${minutes}M`;
  if (seconds || (!hours && !minutes)) out += `${seconds}S`;
  if (out.endsWith("T")) out = out.slice(0, -1);
  return out;
}
