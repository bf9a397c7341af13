import { describe, expect, it } from "vitest";
import type { SourceServerRecord } from "./records.js";
import { closePitInterval, listSnapshots, openPitInterval } from "./snapshots.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 0, 10, 12, 34, 56);

function server(intervals: [number, number | null][]): SourceServerRecord {
  return {
    id: "s-0123456789abcdef0",
    disks: [
      { deviceName: "/dev/sda", bytes: 1 },
      { deviceName: "/dev/sdb", bytes: 2 },
    ],
    pitIntervals: intervals,
  } as unknown as SourceServerRecord;
}

const options = { seed: 1, dailyRetentionDays: 7 };

describe("point-in-time snapshot cadence (spec §4.4)", () => {
  it("keeps every 10 minutes for an hour, every hour for a day, every day for 7 days", () => {
    const snaps = listSnapshots(server([[NOW - 30 * DAY, null]]), NOW, options);
    const ages = snaps.map((s) => NOW - s.expectedMs);
    const tenMinute = ages.filter((a) => a < HOUR);
    const hourly = ages.filter((a) => a >= HOUR && a < DAY);
    const daily = ages.filter((a) => a >= DAY);
    expect(tenMinute).toHaveLength(6);
    expect(hourly).toHaveLength(23);
    expect(daily).toHaveLength(6);
    expect(snaps.every((s) => s.expectedMs % (10 * MIN) === 0)).toBe(true);
    expect(snaps.filter((s) => NOW - s.expectedMs >= HOUR).every((s) => s.expectedMs % HOUR === 0)).toBe(
      true,
    );
    expect(snaps.filter((s) => NOW - s.expectedMs >= DAY).every((s) => s.expectedMs % DAY === 0)).toBe(true);
    // Ascending, each taken a few seconds after its slot, one EBS snapshot per disk.
    expect(snaps.map((s) => s.expectedMs)).toEqual([...snaps.map((s) => s.expectedMs)].sort((a, b) => a - b));
    for (const s of snaps) {
      expect(s.takenMs - s.expectedMs).toBeGreaterThanOrEqual(0);
      expect(s.takenMs - s.expectedMs).toBeLessThan(3_000);
      expect(s.snapshotID).toMatch(/^pit-[0-9a-f]{17}$/);
      expect(s.ebsSnapshots).toHaveLength(2);
      expect(s.ebsSnapshots[0]).toMatch(/^snap-[0-9a-f]{17}$/);
    }
  });

  it("is stable: the same server and slot always give the same IDs", () => {
    const a = listSnapshots(server([[NOW - 2 * DAY, null]]), NOW, options);
    const b = listSnapshots(server([[NOW - 2 * DAY, null]]), NOW + 5 * MIN, options);
    const common = a.filter((s) => b.some((t) => t.expectedMs === s.expectedMs));
    expect(common.length).toBeGreaterThan(10);
    for (const s of common)
      expect(b.find((t) => t.expectedMs === s.expectedMs)?.snapshotID).toBe(s.snapshotID);
    expect(new Set(a.map((s) => s.snapshotID)).size).toBe(a.length);
  });

  it("only has snapshots while replication was healthy", () => {
    const s = server([[NOW - 3 * HOUR, null]]);
    closePitInterval(s, NOW - 40 * MIN);
    const snaps = listSnapshots(s, NOW, options);
    expect(snaps.every((x) => x.expectedMs >= NOW - 3 * HOUR && x.expectedMs <= NOW - 40 * MIN)).toBe(true);
    expect(snaps.length).toBe(4); // two hourly slots plus the 10-minute slots between 60 and 40 minutes ago
    openPitInterval(s, NOW - 10 * MIN);
    expect(listSnapshots(s, NOW, options).length).toBe(snaps.length + 1);
  });

  it("honours snapshotsAvailable and noSnapshots", () => {
    const s = server([[NOW - 30 * DAY, null]]);
    expect(listSnapshots(s, NOW, { ...options, available: 3 })).toHaveLength(3);
    expect(listSnapshots(s, NOW, { ...options, none: true })).toHaveLength(0);
    expect(listSnapshots(server([]), NOW, options)).toHaveLength(0);
  });

  it("extends the daily retention when configured", () => {
    const snaps = listSnapshots(server([[NOW - 60 * DAY, null]]), NOW, { seed: 1, dailyRetentionDays: 30 });
    expect(snaps.filter((x) => NOW - x.expectedMs >= DAY)).toHaveLength(29);
  });
});
