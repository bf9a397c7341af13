/** Token buckets per key (user or client address), in memory: one process serves a local deployment. */
export function createRateLimiter(options: {
  ratePerSecond: number;
  burst: number;
  now: () => number;
  maxKeys?: number;
}) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const maxKeys = options.maxKeys ?? 10_000;
  return {
    /** Takes one token; returns 0 when allowed, else the seconds until one is available. */
    take(key: string): number {
      const now = options.now();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxKeys) {
          const oldest = buckets.keys().next().value;
          if (oldest !== undefined) buckets.delete(oldest);
        }
        bucket = { tokens: options.burst, at: now };
        buckets.set(key, bucket);
      }
      bucket.tokens = Math.min(
        options.burst,
        bucket.tokens + ((now - bucket.at) / 1000) * options.ratePerSecond,
      );
      bucket.at = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return (1 - bucket.tokens) / options.ratePerSecond;
    },
  };
}
