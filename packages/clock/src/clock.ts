/**
 * Time as a port. The engine and the DRS simulator both read time and wait through a Clock, so a test can
 * run minutes of DRS time in milliseconds by sharing one ManualClock between them.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once the clock reaches `atMs` (immediately on the next turn if it already has). */
  schedule(atMs: number, fn: () => void): () => void;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason if aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortable(signal: AbortSignal | undefined, register: (resolve: () => void) => () => void) {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const cancel = register(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    function onAbort() {
      cancel();
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Wall-clock time. Timers longer than setTimeout's limit are chained. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  schedule(atMs: number, fn: () => void): () => void {
    let handle: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    const arm = () => {
      const delay = Math.max(0, atMs - Date.now());
      handle = setTimeout(
        () => {
          if (cancelled) return;
          if (Date.now() < atMs) arm();
          else fn();
        },
        Math.min(delay, 2_000_000_000),
      );
    };
    arm();
    return () => {
      cancelled = true;
      if (handle) clearTimeout(handle);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return abortable(signal, (resolve) => this.schedule(Date.now() + ms, resolve));
  }
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to. Timers fire in due-time order (then in scheduling order), and each
 * callback sees `now()` equal to its own due time, so runs are deterministic.
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(startMs: number = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  schedule(atMs: number, fn: () => void): () => void {
    const timer: Timer = { at: Math.max(atMs, this.current), seq: this.seq++, fn };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return abortable(signal, (resolve) => this.schedule(this.current + ms, resolve));
  }

  /** Due time of the earliest pending timer, if any. */
  nextTimerAt(): number | undefined {
    return this.timers[0]?.at;
  }

  /** Number of pending timers. */
  pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance expects a non-negative number of ms, got ${ms}`);
    this.advanceTo(this.current + ms);
  }

  /** Moves time to `targetMs` (never backwards), firing due timers in order. */
  advanceTo(targetMs: number): void {
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > targetMs) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = Math.max(this.current, targetMs);
  }

  /** Jumps to the earliest pending timer and fires every timer due at that instant. Returns false if none. */
  runNext(): boolean {
    const at = this.nextTimerAt();
    if (at === undefined) return false;
    this.advanceTo(at);
    return true;
  }
}
