/**
 * Bounded reservoir of latency samples with percentiles, for /api/stats and benchmarks.
 * Keeps the most recent `capacity` samples (ring buffer), O(1) per sample.
 */
export class LatencySamples {
  private readonly buf: Float64Array;
  private n = 0;
  private next = 0;

  constructor(capacity = 10000) {
    this.buf = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.buf[this.next] = ms;
    this.next = (this.next + 1) % this.buf.length;
    if (this.n < this.buf.length) this.n++;
  }

  get count(): number {
    return this.n;
  }

  summary(): { count: number; p50?: number; p99?: number; max?: number } {
    if (this.n === 0) return { count: 0 };
    const sorted = Array.from(this.buf.subarray(0, this.n)).sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { count: this.n, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
  }

  reset(): void {
    this.n = 0;
    this.next = 0;
  }
}
