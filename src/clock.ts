/** Wall-clock milliseconds with sub-millisecond resolution (for latency waterfalls). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
