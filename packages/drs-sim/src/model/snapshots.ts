import type { SourceServerRecord } from "./records.js";
import { stableHex, stableUnit } from "./seeded-stream.js";

const TEN_MINUTES = 10 * 60_000;
const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

export interface SnapshotInfo {
  snapshotID: string;
  /** The cadence slot (expectedTimestamp). */
  expectedMs: number;
  /** When the snapshot was actually taken (timestamp): a few seconds after the slot. */
  takenMs: number;
  ebsSnapshots: string[];
}

export interface SnapshotOptions {
  seed: number;
  dailyRetentionDays: number;
  /** Keep only the newest n (knob `snapshotsAvailable`). */
  available?: number | undefined;
  /** Knob `noSnapshots`. */
  none?: boolean | undefined;
}

/**
 * Point-in-time snapshots that exist at `now` under the default retention (spec §4.4): one every 10 minutes
 * for the last hour, one every hour for the last 24 hours, one a day for the retention period. A slot has a
 * snapshot only if the server was replicating healthily then (its `pitIntervals`). Nothing is stored: IDs
 * and times derive from the seed, the server and the slot, so they are stable across calls and restarts.
 */
export function listSnapshots(
  server: SourceServerRecord,
  now: number,
  options: SnapshotOptions,
): SnapshotInfo[] {
  if (options.none || server.pitIntervals.length === 0) return [];
  const slots = new Set<number>();
  for (let t = Math.floor(now / TEN_MINUTES) * TEN_MINUTES; t > now - HOUR; t -= TEN_MINUTES) slots.add(t);
  for (let t = Math.floor(now / HOUR) * HOUR; t > now - DAY; t -= HOUR) slots.add(t);
  const retention = options.dailyRetentionDays * DAY;
  for (let t = Math.floor(now / DAY) * DAY; t > now - retention; t -= DAY) slots.add(t);
  const out: SnapshotInfo[] = [];
  for (const slot of [...slots].sort((a, b) => a - b)) {
    if (!covered(server.pitIntervals, slot)) continue;
    const takenMs = slot + Math.floor(stableUnit(options.seed, `${server.id}@${slot}`) * 3_000);
    if (takenMs > now) continue;
    out.push({
      snapshotID: `pit-${stableHex(options.seed, `pit:${server.id}:${slot}`, 17)}`,
      expectedMs: slot,
      takenMs,
      ebsSnapshots: server.disks.map(
        (_, i) => `snap-${stableHex(options.seed, `snap:${server.id}:${slot}:${i}`, 17)}`,
      ),
    });
  }
  if (options.available !== undefined) return out.slice(Math.max(0, out.length - options.available));
  return out;
}

function covered(intervals: [number, number | null][], t: number): boolean {
  for (const [start, end] of intervals) if (start <= t && (end === null || t <= end)) return true;
  return false;
}

/** Starts taking snapshots (replication became healthy after initial sync). */
export function openPitInterval(server: SourceServerRecord, at: number): void {
  const last = server.pitIntervals[server.pitIntervals.length - 1];
  if (last && last[1] === null) return;
  server.pitIntervals.push([at, null]);
}

/** Stops taking snapshots (replication unhealthy); existing ones age out by retention. */
export function closePitInterval(server: SourceServerRecord, at: number): void {
  const last = server.pitIntervals[server.pitIntervals.length - 1];
  if (last && last[1] === null) last[1] = at;
}

/** Drops intervals too old to hold any retained snapshot, so long runs do not grow the record. */
export function prunePitIntervals(server: SourceServerRecord, now: number, dailyRetentionDays: number): void {
  const horizon = now - (dailyRetentionDays + 1) * DAY;
  server.pitIntervals = server.pitIntervals.filter(([, end]) => end === null || end >= horizon);
}
