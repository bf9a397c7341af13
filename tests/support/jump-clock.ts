import type { Clock } from "@drso/clock";

/**
 * Wall-clock time that a test can move forward (`jump`) to let a long allowance run out without waiting for it.
 * Timers re-check the time at least every 200 ms, so a jump fires whatever it made due within that.
 */
export class JumpClock implements Clock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  jump(ms: number) {
    this.offset += ms;
  }

  schedule(atMs: number, fn: () => void): () => void {
    let cancelled = false;
    let handle: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      handle = setTimeout(
        () => {
          if (cancelled) return;
          if (this.now() < atMs) arm();
          else fn();
        },
        Math.min(Math.max(0, atMs - this.now()), 200),
      );
    };
    arm();
    return () => {
      cancelled = true;
      if (handle) clearTimeout(handle);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const cancel = this.schedule(this.now() + ms, () => {
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
}
