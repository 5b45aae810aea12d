/** Commit → learned-of-it latencies over the last 256 remote changes, for `getMetrics().feedLatencyMs`. */
export class FeedLatency {
  private readonly samples: number[] = [];
  private next = 0;
  private static readonly size = 256;

  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    if (this.samples.length < FeedLatency.size) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % FeedLatency.size;
  }

  summary(): { p50: number; p99: number; count: number } {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { p50: at(0.5), p99: at(0.99), count: sorted.length };
  }
}
