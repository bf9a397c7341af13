import { describe, expect, it } from "vitest";
import { ManualClock, SystemClock } from "./clock.js";
import { createRng } from "./rng.js";

describe("ManualClock", () => {
  it("fires timers in due order, each seeing its own due time", () => {
    const clock = new ManualClock(1_000);
    const seen: Array<[string, number]> = [];
    clock.schedule(1_500, () => seen.push(["b", clock.now()]));
    clock.schedule(1_200, () => seen.push(["a", clock.now()]));
    clock.schedule(1_500, () => seen.push(["c", clock.now()]));
    clock.advance(400);
    expect(seen).toEqual([["a", 1_200]]);
    expect(clock.now()).toBe(1_400);
    clock.advance(100);
    expect(seen).toEqual([
      ["a", 1_200],
      ["b", 1_500],
      ["c", 1_500],
    ]);
  });

  it("fires timers scheduled by callbacks when they fall inside the advance", () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.schedule(10, () => {
      seen.push(clock.now());
      clock.schedule(clock.now() + 10, () => seen.push(clock.now()));
    });
    clock.advance(25);
    expect(seen).toEqual([10, 20]);
  });

  it("cancels timers and sleeps resolve on advance", async () => {
    const clock = new ManualClock(0);
    const cancel = clock.schedule(5, () => {
      throw new Error("cancelled timer fired");
    });
    cancel();
    let woke = false;
    const sleeping = clock.sleep(50).then(() => {
      woke = true;
    });
    expect(clock.nextTimerAt()).toBe(50);
    expect(clock.runNext()).toBe(true);
    await sleeping;
    expect(woke).toBe(true);
    expect(clock.runNext()).toBe(false);
  });

  it("rejects a sleep when its signal aborts", async () => {
    const clock = new ManualClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    expect(clock.pending()).toBe(0);
  });
});

describe("SystemClock", () => {
  it("sleeps roughly the requested time", async () => {
    const clock = new SystemClock();
    const start = clock.now();
    await clock.sleep(20);
    expect(clock.now() - start).toBeGreaterThanOrEqual(19);
  });
});

describe("createRng", () => {
  it("is reproducible from its seed", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = [a.next(), a.int(1, 6), a.hex(17)];
    expect([b.next(), b.int(1, 6), b.hex(17)]).toEqual(seqA);
    expect(c.next()).not.toBe(seqA[0]);
    expect(seqA[2]).toMatch(/^[0-9a-f]{17}$/);
  });
});
