import { describe, expect, it } from "vitest";
import { dueAt, dueIds, earliestWake, isActiveExecution, maybeDue, type ScheduleRow } from "./schedule.js";

const row = (overrides: Partial<ScheduleRow>): ScheduleRow => ({
  executionId: "e",
  status: "RUNNING",
  lastCommandSeq: 0,
  appliedCommandSeq: 0,
  ...overrides,
});

describe("schedule rules", () => {
  it("is due at its wakeAt once passed, at min(wakeAt, now) with a command waiting, never under a live lease", () => {
    expect(dueAt(row({ wakeAt: 100 }), 99)).toBeUndefined();
    expect(dueAt(row({ wakeAt: 100 }), 100)).toBe(100);
    expect(dueAt(row({ wakeAt: 500, lastCommandSeq: 2, appliedCommandSeq: 1 }), 200)).toBe(200);
    expect(dueAt(row({ lastCommandSeq: 1 }), 200)).toBe(200);
    expect(dueAt(row({ wakeAt: 100, lease: { until: 201 } }), 200)).toBeUndefined();
    expect(dueAt(row({ wakeAt: 100, lease: { until: 200 } }), 200)).toBe(100);
  });

  it("lists the due oldest first, then by id, up to the limit", () => {
    const rows = [
      row({ executionId: "c", wakeAt: 50 }),
      row({ executionId: "b", wakeAt: 10 }),
      row({ executionId: "a", wakeAt: 50 }),
      row({ executionId: "d", wakeAt: 500 }),
    ];
    expect(dueIds(rows, 100, 10)).toEqual(["b", "a", "c"]);
    expect(dueIds(rows, 100, 2)).toEqual(["b", "a"]);
  });

  it("wakes no earlier than a lease's expiry", () => {
    expect(earliestWake([{ wakeAt: 300 }, { wakeAt: 100, lease: { until: 400 } }, {}])).toBe(300);
    expect(earliestWake([{}])).toBeUndefined();
  });

  it("an ended execution stays active while it has a wake-up, and may be due while a command waits", () => {
    expect(isActiveExecution({ status: "COMPLETED" })).toBe(false);
    expect(isActiveExecution({ status: "COMPLETED", wakeAt: 1 })).toBe(true);
    expect(isActiveExecution({ status: "PAUSED" })).toBe(true);
    expect(maybeDue({ status: "CANCELLED", lastCommandSeq: 3, appliedCommandSeq: 2 })).toBe(true);
    expect(maybeDue({ status: "CANCELLED", lastCommandSeq: 3, appliedCommandSeq: 3 })).toBe(false);
  });
});
