import { describe, expect, it } from "vitest";
import { Harness } from "../testing/harness.js";
import { SeededStream } from "./seeded-stream.js";
import { isoDuration, sampleDuration } from "./timing.js";

describe("timing distributions (spec §10.2)", () => {
  it("lognormal draws have roughly the configured median and p95", () => {
    const stream = new SeededStream(7, "t");
    const dist = { dist: "lognormal" as const, medianMs: 180_000, p95Ms: 420_000 };
    const draws = Array.from({ length: 4000 }, () => sampleDuration(dist, stream, 1)).sort((a, b) => a - b);
    const median = draws[2000] as number;
    const p95 = draws[3800] as number;
    expect(median).toBeGreaterThan(165_000);
    expect(median).toBeLessThan(195_000);
    expect(p95).toBeGreaterThan(370_000);
    expect(p95).toBeLessThan(470_000);
  });

  it("fixed and uniform distributions, scaled by timeScale", () => {
    const stream = new SeededStream(1, "t");
    expect(sampleDuration({ dist: "fixed", ms: 1_000 }, stream, 0.05)).toBe(50);
    const u = sampleDuration({ dist: "uniform", minMs: 100, maxMs: 200 }, stream, 1);
    expect(u).toBeGreaterThanOrEqual(100);
    expect(u).toBeLessThanOrEqual(200);
  });

  it("timeScale multiplies a whole drill's duration", async () => {
    const durations: number[] = [];
    for (const timeScale of [1, 0.01]) {
      const h = new Harness({ timeScale });
      const ids = h.seed(3);
      const jobId = h.drill(ids);
      h.settle();
      const job = h.job(jobId);
      durations.push((job.endMs as number) - job.createdMs);
      await h.close();
    }
    const [full, scaled] = durations as [number, number];
    expect(full).toBeGreaterThan(60_000);
    expect(scaled / full).toBeGreaterThan(0.0095);
    expect(scaled / full).toBeLessThan(0.0105);
  });

  it("formats ISO 8601 durations", () => {
    expect(isoDuration(0)).toBe("PT0S");
    expect(isoDuration(150_000)).toBe("PT2M30S");
    expect(isoDuration(3_600_000)).toBe("PT1H");
    expect(isoDuration(90_061_000)).toBe("P1DT1H1M1S");
  });
});
