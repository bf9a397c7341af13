import { ManualClock } from "@drso/clock";
import { describe, expect, it } from "vitest";
import { Scheduler } from "./scheduler.js";

describe("Scheduler", () => {
  it("runs steps in (due time, insertion) order, each seeing its own due time", () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    const scheduler: Scheduler<string> = new Scheduler<string>(clock, (step, at) => {
      seen.push(`${step}@${at}/${scheduler.now()}`);
      if (step === "a") scheduler.add(at, "a-child");
    });
    for (const [at, name] of [
      [30, "c"],
      [10, "a"],
      [30, "d"],
      [20, "b"],
    ] as const)
      scheduler.add(at, name);
    clock.advance(25);
    expect(seen).toEqual(["a@10/10", "a-child@10/10", "b@20/20"]);
    clock.advance(10);
    expect(seen.slice(3)).toEqual(["c@30/30", "d@30/30"]);
    expect(scheduler.size).toBe(0);
  });

  it("keeps order for many random steps and survives a throwing step", () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    const errors: unknown[] = [];
    const scheduler = new Scheduler<number>(
      clock,
      (step) => {
        if (step === 13) throw new Error("boom");
        seen.push(step);
      },
      (error) => errors.push(error),
    );
    const times = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const [i, t] of times.entries()) scheduler.add(t, i);
    clock.advance(1000);
    const expected = times
      .map((t, i) => [t, i] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map(([, i]) => i)
      .filter((i) => i !== 13);
    expect(seen).toEqual(expected);
    expect(errors).toHaveLength(1);
  });

  it("snapshots and restores its queue", () => {
    const clock = new ManualClock(0);
    const a = new Scheduler<string>(clock, () => {});
    a.add(5, "x");
    a.add(3, "y");
    const saved = a.snapshot();
    a.dispose();
    const seen: string[] = [];
    const b = new Scheduler<string>(clock, (s) => seen.push(s));
    b.restore(saved);
    b.add(4, "z");
    clock.advance(10);
    expect(seen).toEqual(["y", "z", "x"]);
  });

  it("removes steps by predicate", () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    const s = new Scheduler<string>(clock, (step) => seen.push(step));
    s.add(1, "keep");
    s.add(2, "drop");
    s.remove((step) => step === "drop");
    clock.advance(5);
    expect(seen).toEqual(["keep"]);
  });
});
