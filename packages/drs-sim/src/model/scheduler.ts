import type { Clock } from "@drso/clock";

export interface QueuedStep<S> {
  at: number;
  seq: number;
  step: S;
}

export interface SchedulerSnapshot<S> {
  seq: number;
  queue: QueuedStep<S>[];
}

/**
 * One timeline for everything that happens by itself in the simulator (job phases, replication, EC2 state,
 * failback). Steps are plain data in a min-heap ordered by (due time, insertion order); a single clock
 * timer is armed for the earliest one. Under a ManualClock the order of effects is therefore fully
 * deterministic, and the queue can be saved to and restored from a state file.
 */
export class Scheduler<S> {
  private heap: QueuedStep<S>[] = [];
  private seq = 0;
  private cancelTimer: (() => void) | undefined;
  private armedAt: number | undefined;
  private firing = false;
  private disposed = false;
  private currentAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly dispatch: (step: S, at: number) => void,
    private readonly onError: (error: unknown, step: S) => void = () => {},
    private readonly afterBatch: () => void = () => {},
  ) {}

  /** The time of the step being dispatched, or the clock's time outside a dispatch. */
  now(): number {
    return this.currentAt ?? this.clock.now();
  }

  add(at: number, step: S): void {
    this.push({ at, seq: this.seq++, step });
    if (!this.firing) this.arm();
  }

  get size(): number {
    return this.heap.length;
  }

  nextAt(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Removes queued steps matching the predicate (e.g. everything of a deleted job). */
  remove(predicate: (step: S) => boolean): void {
    const kept = this.heap.filter((q) => !predicate(q.step));
    if (kept.length === this.heap.length) return;
    this.heap = [];
    for (const q of kept) this.push(q);
    if (!this.firing) this.arm();
  }

  snapshot(): SchedulerSnapshot<S> {
    const queue = [...this.heap].sort(compare);
    return { seq: this.seq, queue: structuredClone(queue) };
  }

  restore(snapshot: SchedulerSnapshot<S>): void {
    this.heap = [];
    this.seq = snapshot.seq;
    for (const q of snapshot.queue) this.push(q);
    this.arm();
  }

  clear(): void {
    this.heap = [];
    this.disarm();
  }

  dispose(): void {
    this.disposed = true;
    this.clear();
  }

  private arm(): void {
    if (this.disposed) return;
    const next = this.heap[0];
    if (!next) {
      this.disarm();
      return;
    }
    if (this.armedAt === next.at && this.cancelTimer) return;
    this.disarm();
    this.armedAt = next.at;
    this.cancelTimer = this.clock.schedule(next.at, () => {
      this.cancelTimer = undefined;
      this.armedAt = undefined;
      this.fire();
    });
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.armedAt = undefined;
  }

  private fire(): void {
    if (this.disposed) return;
    this.firing = true;
    try {
      const now = this.clock.now();
      for (;;) {
        const next = this.heap[0];
        if (!next || next.at > now) break;
        this.pop();
        this.currentAt = next.at;
        try {
          this.dispatch(next.step, next.at);
        } catch (error) {
          this.onError(error, next.step);
        }
      }
    } finally {
      this.currentAt = undefined;
      this.firing = false;
    }
    this.afterBatch();
    this.arm();
  }

  private push(item: QueuedStep<S>): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as QueuedStep<S>;
      if (compare(p, item) <= 0) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  private pop(): QueuedStep<S> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (!top || !last || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      let best: QueuedStep<S> = last;
      const l = heap[left];
      if (left < n && l && compare(l, best) < 0) {
        smallest = left;
        best = l;
      }
      const r = heap[right];
      if (right < n && r && compare(r, best) < 0) {
        smallest = right;
        best = r;
      }
      if (smallest === i) break;
      heap[i] = best;
      i = smallest;
    }
    heap[i] = last;
    return top;
  }
}

function compare<S>(a: QueuedStep<S>, b: QueuedStep<S>): number {
  return a.at - b.at || a.seq - b.seq;
}
