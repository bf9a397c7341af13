import { describe, expect, it } from "vitest";
import { humanTime } from "./report.js";

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const s = (seconds: number) => T0 + seconds * 1000;

describe("human time", () => {
  it("sums the pauses, counting overlaps once", () => {
    const h = humanTime(
      {
        endTime: s(1000),
        pauses: [
          { reason: "pauseBefore", waveId: "app", from: s(100), to: s(160) },
          { reason: "approval", waveId: "app", actionId: "a1", from: s(150), to: s(200) },
          { reason: "user", by: "ops@example.com", from: s(500), to: s(530) },
        ],
      },
      s(2000),
    );
    expect(h.seconds).toBe(100 + 30);
    expect(h.pauses.map((p) => p.reason)).toEqual(["pauseBefore", "approval", "user"]);
    expect(h.pauses[2]).toMatchObject({ by: "ops@example.com", to: new Date(s(530)).toISOString() });
  });

  it("an open pause counts up to now while running, up to the end once ended", () => {
    const pauses = [{ reason: "pauseBefore" as const, waveId: "app", from: s(100) }];
    expect(humanTime({ pauses }, s(145)).seconds).toBe(45);
    expect(humanTime({ pauses, endTime: s(120) }, s(145)).seconds).toBe(20);
    expect(humanTime({}, s(145))).toEqual({ seconds: 0, pauses: [] });
  });
});
