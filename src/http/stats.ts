import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { LatencySamples } from '../call/latency-stats.js';

/**
 * Process-wide runtime statistics for health, benchmarks and operators: event-loop lag, CPU,
 * memory, and per-turn latency samples fed by call sessions.
 */
export class RuntimeStats {
  readonly replyOverhead = new LatencySamples();
  readonly bargeIn = new LatencySamples();
  private loop: IntervalHistogram;
  private cpuMark = process.cpuUsage();
  private wallMark = performance.now();

  constructor() {
    this.loop = monitorEventLoopDelay({ resolution: 5 });
    this.loop.enable();
  }

  /** Start a fresh measurement window (benchmarks call this after warm-up). */
  reset(): void {
    this.loop.reset();
    this.replyOverhead.reset();
    this.bargeIn.reset();
    this.cpuMark = process.cpuUsage();
    this.wallMark = performance.now();
  }

  snapshot(): Record<string, unknown> {
    const cpu = process.cpuUsage(this.cpuMark);
    const wallMs = performance.now() - this.wallMark;
    const mem = process.memoryUsage();
    return {
      eventLoopLagMs: {
        p50: this.loop.percentile(50) / 1e6,
        p99: this.loop.percentile(99) / 1e6,
        max: this.loop.max / 1e6,
      },
      cpuPercent: wallMs > 0 ? ((cpu.user + cpu.system) / 1000 / wallMs) * 100 : 0,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      replyOverheadMs: this.replyOverhead.summary(),
      bargeInMs: this.bargeIn.summary(),
    };
  }

  close(): void {
    this.loop.disable();
  }
}
