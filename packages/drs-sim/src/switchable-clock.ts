import type { Clock } from "@drso/clock";

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

export type ClockMode = "real" | "manual";

/**
 * A clock that runs on wall time ("real") or only when told to ("manual"), and can switch between the two
 * without jumping: it is what the simulator owns when no clock is passed in, so `POST /__sim/clock` can freeze
 * time, step it, or let it run again. `advance` works in both modes (in real mode it moves time ahead).
 */
export class SwitchableClock implements Clock {
  private modeValue: ClockMode;
  /** Real mode: now = Date.now() + offset. */
  private offset = 0;
  /** Manual mode: the frozen time. */
  private frozen: number;
  private timers: Timer[] = [];
  private seq = 0;
  private handle: ReturnType<typeof setTimeout> | undefined;
  private handleAt: number | undefined;
  private firing = false;

  constructor(options: { mode?: ClockMode; startMs?: number } = {}) {
    this.modeValue = options.mode ?? "real";
    const start = options.startMs ?? Date.now();
    this.frozen = start;
    this.offset = start - Date.now();
  }

  get mode(): ClockMode {
    return this.modeValue;
  }

  now(): number {
    return this.modeValue === "manual" ? this.frozen : Date.now() + this.offset;
  }

  schedule(atMs: number, fn: () => void): () => void {
    const timer: Timer = { at: atMs, seq: this.seq++, fn };
    this.insert(timer);
    this.arm();
    return () => {
      const index = this.timers.indexOf(timer);
      if (index >= 0) this.timers.splice(index, 1);
      this.arm();
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = this.schedule(this.now() + ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  setMode(mode: ClockMode): void {
    if (mode === this.modeValue) return;
    const now = this.now();
    this.modeValue = mode;
    if (mode === "manual") this.frozen = now;
    else this.offset = now - Date.now();
    this.arm();
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance expects a non-negative number of ms, got ${ms}`);
    this.advanceTo(this.now() + ms);
  }

  advanceTo(targetMs: number): void {
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > targetMs) break;
      this.timers.shift();
      this.setNow(Math.max(this.now(), next.at));
      this.run(next);
    }
    this.setNow(Math.max(this.now(), targetMs));
    this.arm();
  }

  /** Jumps to the earliest timer and fires what is due then. Returns false if there is none. */
  runNext(): boolean {
    const next = this.timers[0];
    if (!next) return false;
    this.advanceTo(Math.max(next.at, this.now()));
    return true;
  }

  nextTimerAt(): number | undefined {
    return this.timers[0]?.at;
  }

  pending(): number {
    return this.timers.length;
  }

  /** Stops the wall-clock timer (pending timers stay queued). */
  dispose(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.handleAt = undefined;
  }

  private setNow(ms: number): void {
    if (this.modeValue === "manual") this.frozen = ms;
    else this.offset = ms - Date.now();
  }

  private insert(timer: Timer): void {
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = this.timers[mid] as Timer;
      if (other.at < timer.at || (other.at === timer.at && other.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
  }

  private run(timer: Timer): void {
    try {
      timer.fn();
    } catch (error) {
      console.error("drs-sim: clock timer failed", error);
    }
  }

  private arm(): void {
    if (this.firing) return;
    const next = this.timers[0];
    if (this.modeValue === "manual" || !next) {
      this.dispose();
      return;
    }
    if (this.handle && this.handleAt === next.at) return;
    this.dispose();
    this.handleAt = next.at;
    const delay = Math.min(Math.max(0, next.at - this.now()), 2_000_000_000);
    this.handle = setTimeout(() => this.fireDue(), delay);
    this.handle.unref?.();
  }

  private fireDue(): void {
    this.handle = undefined;
    this.handleAt = undefined;
    this.firing = true;
    try {
      const now = this.now();
      for (;;) {
        const next = this.timers[0];
        if (!next || next.at > now || this.modeValue === "manual") break;
        this.timers.shift();
        this.run(next);
      }
    } finally {
      this.firing = false;
    }
    this.arm();
  }
}
