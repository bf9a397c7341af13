/** One DRS request as the simulator saw it (spec §12 `GET /__sim/requests`). */
export interface RequestLogEntry {
  seq: number;
  /** Simulator-clock time of the request, ISO 8601. */
  time: string;
  timeMs: number;
  method: string;
  path: string;
  /** Operation name; null for a request that matched none. */
  operation: string | null;
  accountId: string;
  region: string;
  /** HTTP status sent; 0 when no response was sent (connection reset or hang). */
  status: number;
  errorType?: string;
  /** Injected fault, if any (throttle, internalError, serviceUnavailable, badGateway, malformedJson, …). */
  fault?: string;
  /** `amz-sdk-invocation-id`: the same across the retries of one SDK call. */
  invocationId?: string;
  /** From `amz-sdk-request: attempt=N; max=M`. */
  attempt?: number;
  maxAttempts?: number;
  sourceServerIDs?: string[];
  recoveryInstanceIDs?: string[];
  jobID?: string;
  durationMs: number;
}

export interface RequestLogFilter {
  op?: string;
  account?: string;
  region?: string;
  /** Entries after this sequence number, or at/after this ISO time. */
  since?: number | string;
  status?: number;
  errorType?: string;
  invocationId?: string;
  limit?: number;
}

/** A bounded ring buffer of requests, so long demos do not grow without limit. */
export class RequestLog {
  private entries: (RequestLogEntry | undefined)[];
  private next = 0;
  private count = 0;
  private seq = 0;

  constructor(private capacity: number) {
    this.entries = new Array(capacity);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  add(entry: RequestLogEntry): void {
    this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Oldest first. */
  all(): RequestLogEntry[] {
    const out: RequestLogEntry[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const entry = this.entries[(start + i) % this.capacity];
      if (entry) out.push(entry);
    }
    return out;
  }

  query(filter: RequestLogFilter = {}): RequestLogEntry[] {
    const sinceMs = typeof filter.since === "string" ? Date.parse(filter.since) : undefined;
    const out = this.all().filter(
      (e) =>
        (filter.op === undefined || e.operation === filter.op) &&
        (filter.account === undefined || e.accountId === filter.account) &&
        (filter.region === undefined || e.region === filter.region) &&
        (filter.status === undefined || e.status === filter.status) &&
        (filter.errorType === undefined || e.errorType === filter.errorType) &&
        (filter.invocationId === undefined || e.invocationId === filter.invocationId) &&
        (typeof filter.since !== "number" || e.seq > filter.since) &&
        (sinceMs === undefined || Number.isNaN(sinceMs) || e.timeMs >= sinceMs),
    );
    return filter.limit !== undefined ? out.slice(Math.max(0, out.length - filter.limit)) : out;
  }

  clear(): void {
    this.entries = new Array(this.capacity);
    this.next = 0;
    this.count = 0;
  }

  /** Changes the capacity, keeping the newest entries. */
  resize(capacity: number): void {
    if (capacity === this.capacity) return;
    const kept = this.all().slice(-capacity);
    this.capacity = capacity;
    this.entries = new Array(capacity);
    this.next = 0;
    this.count = 0;
    for (const entry of kept) this.add(entry);
  }
}
