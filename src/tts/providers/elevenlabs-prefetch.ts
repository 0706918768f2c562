/**
 * Reads an async iterable eagerly (starting at construction) into memory so the next request of
 * a pipeline streams while the current one is still being played out. Single consumer: `read()`
 * yields the buffered items in order, then follows the source; it rethrows the source's error at
 * its position. When `signal` aborts, `read()` ends at once without further items or errors (the
 * source itself is expected to stop on the same signal).
 */
export class Prefetched<T> {
  private readonly items: T[] = [];
  private done = false;
  private failed = false;
  private error: unknown;
  private wake: (() => void) | undefined;

  constructor(
    source: AsyncIterable<T>,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => this.notify(), { once: true });
    void this.pump(source);
  }

  private async pump(source: AsyncIterable<T>): Promise<void> {
    try {
      for await (const item of source) {
        this.items.push(item);
        this.notify();
      }
    } catch (err) {
      this.failed = true;
      this.error = err;
    } finally {
      this.done = true;
      this.notify();
    }
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *read(): AsyncGenerator<T> {
    for (;;) {
      if (this.signal.aborted) return;
      if (this.items.length > 0) {
        yield this.items.shift() as T;
        continue;
      }
      if (this.done) {
        if (this.failed) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
