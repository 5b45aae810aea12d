/** Upper bounds (ms) of the histogram's buckets; the last bucket holds everything slower. */
export const latencyBuckets = [1, 5, 20, 100, 500, 2000] as const;

/**
 * Commit → learned-of-it latencies: p50/p99 over the last 256 remote changes, and a histogram of all of them (counts
 * per bucket of `latencyBuckets`, then one for slower), for `getMetrics()`.
 */
export class FeedLatency {
  private readonly samples: number[] = [];
  private readonly counts: number[] = new Array<number>(latencyBuckets.length + 1).fill(0);
  private next = 0;
  private static readonly size = 256;

  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const bucket = latencyBuckets.findIndex((bound) => ms <= bound);
    const i = bucket === -1 ? latencyBuckets.length : bucket;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    if (this.samples.length < FeedLatency.size) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % FeedLatency.size;
  }

  summary(): { p50: number; p99: number; count: number } {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { p50: at(0.5), p99: at(0.99), count: sorted.length };
  }

  histogram(): { upToMs: number | null; count: number }[] {
    return this.counts.map((count, i) => ({ upToMs: latencyBuckets[i] ?? null, count }));
  }
}
