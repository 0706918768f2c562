/**
 * One request's cancellation: `signal` aborts when the caller's signal aborts or when the timer
 * runs out, and `timedOut` tells the two apart. The timer can be restarted (an idle timeout
 * between stream chunks) and paused (while the consumer holds a yielded value).
 * Always `dispose()` in a finally: it clears the timer, detaches from the caller's signal and
 * aborts `signal`, which closes any request still open.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private expired = false;
  private readonly onOuterAbort = () => this.controller.abort(this.outer.reason);

  constructor(
    private readonly outer: AbortSignal,
    private readonly timeoutMs: number,
  ) {
    if (outer.aborted) this.controller.abort(outer.reason);
    else outer.addEventListener('abort', this.onOuterAbort, { once: true });
    this.restart();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The timer fired (before the caller's signal aborted). */
  get timedOut(): boolean {
    return this.expired;
  }

  /** The caller's signal aborted. */
  get cancelled(): boolean {
    return this.outer.aborted && !this.expired;
  }

  /** Start the full timeout again from now. */
  restart(): void {
    this.pause();
    if (this.controller.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error('deadline'));
    }, this.timeoutMs);
  }

  pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.pause();
    this.outer.removeEventListener('abort', this.onOuterAbort);
    if (!this.controller.signal.aborted) this.controller.abort(new Error('done'));
  }
}
