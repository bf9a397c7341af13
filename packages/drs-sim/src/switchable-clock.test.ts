import { afterEach, describe, expect, it } from "vitest";
import { SwitchableClock } from "./switchable-clock.js";

describe("SwitchableClock", () => {
  const clocks: SwitchableClock[] = [];
  const make = (options: ConstructorParameters<typeof SwitchableClock>[0]) => {
    const clock = new SwitchableClock(options);
    clocks.push(clock);
    return clock;
  };
  afterEach(() => {
    for (const c of clocks.splice(0)) c.dispose();
  });

  it("in manual mode, fires timers in order only when advanced", () => {
    const clock = make({ mode: "manual", startMs: 1_000 });
    const seen: [string, number][] = [];
    clock.schedule(1_500, () => seen.push(["b", clock.now()]));
    clock.schedule(1_200, () => seen.push(["a", clock.now()]));
    clock.schedule(1_500, () => seen.push(["c", clock.now()]));
    expect(clock.now()).toBe(1_000);
    clock.advance(400);
    expect(seen).toEqual([["a", 1_200]]);
    expect(clock.runNext()).toBe(true);
    expect(seen).toEqual([
      ["a", 1_200],
      ["b", 1_500],
      ["c", 1_500],
    ]);
    expect(clock.pending()).toBe(0);
  });

  it("switches modes without jumping and runs on wall time in real mode", async () => {
    const clock = make({ mode: "manual", startMs: 5_000 });
    clock.setMode("real");
    expect(clock.now()).toBeGreaterThanOrEqual(5_000);
    expect(clock.now()).toBeLessThan(5_100);
    await clock.sleep(20);
    expect(clock.now()).toBeGreaterThanOrEqual(5_019);
    clock.setMode("manual");
    const frozen = clock.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(clock.now()).toBe(frozen);
  });

  it("advance also works in real mode, and cancel removes a timer", () => {
    const clock = make({ mode: "real" });
    let fired = 0;
    const cancel = clock.schedule(clock.now() + 60_000, () => fired++);
    clock.schedule(clock.now() + 30_000, () => fired++);
    cancel();
    const before = clock.now();
    clock.advance(120_000);
    expect(fired).toBe(1);
    expect(clock.now() - before).toBeGreaterThanOrEqual(120_000);
  });
});
