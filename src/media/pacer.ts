import { FRAME_BYTES, FRAME_MS } from './framing.js';

/** Where paced output goes (one per call leg). Called synchronously, in queue order. */
export interface PacedSink {
  sendFrame(frame: Buffer): void;
  sendMark(name: string): void;
}

export interface PacerStats {
  framesSent: number;
  /** Frames sent after the far end's buffer had already run dry mid-utterance (an audible gap). */
  lateFrames: number;
}

type Item = Buffer | { mark: string };

/**
 * One paced outbound stream. The model: the far end plays 20 ms per frame; `playEndMs` is when it
 * will have played everything sent so far. Frames are released while `playEndMs - now < leadMs`,
 * so output runs at most `leadMs` ahead of the listener and never bursts seconds of audio.
 * Marks are released as soon as every frame before them has been released.
 */
export class PacedStream {
  private readonly queue: Item[] = [];
  private head = 0;
  private playEndMs = 0;
  private closed = false;
  /** The queue ran empty: the next frame starts a new utterance, which can't be late. */
  private drained = true;
  readonly stats: PacerStats = { framesSent: 0, lateFrames: 0 };

  constructor(
    private readonly pacer: Pacer,
    private readonly sink: PacedSink,
  ) {}

  /** Queue exactly-160-byte µ-law frames. Releases what the lead allows right away. */
  enqueueFrame(frame: Buffer): void {
    if (this.closed) return;
    if (frame.length !== FRAME_BYTES) throw new RangeError('PacedStream: frames must be 160 bytes');
    this.queue.push(frame);
    this.pump(this.pacer.now());
  }

  enqueueMark(name: string): void {
    if (this.closed) return;
    this.queue.push({ mark: name });
    this.pump(this.pacer.now());
  }

  /** Drop everything not yet released. Returns the marks that were dropped, in order. */
  clear(): string[] {
    const dropped: string[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const it = this.queue[i]!;
      if (!Buffer.isBuffer(it)) dropped.push(it.mark);
    }
    this.queue.length = 0;
    this.head = 0;
    this.playEndMs = 0;
    this.drained = true;
    return dropped;
  }

  /** Milliseconds of audio released but (by the model) not yet played. */
  bufferedMs(now = this.pacer.now()): number {
    return Math.max(0, this.playEndMs - now);
  }

  get pendingItems(): number {
    return this.queue.length - this.head;
  }

  close(): void {
    this.closed = true;
    this.clear();
    this.pacer.remove(this);
  }

  /** @internal called by the pacer's clock and by enqueue. */
  pump(now: number): void {
    const lead = this.pacer.leadMs;
    if (this.drained && this.head < this.queue.length) {
      this.drained = false;
      if (now >= this.playEndMs) this.playEndMs = 0;
    }
    while (this.head < this.queue.length) {
      const it = this.queue[this.head]!;
      if (Buffer.isBuffer(it)) {
        if (this.playEndMs - now >= lead) break;
        if (this.playEndMs !== 0 && now > this.playEndMs + FRAME_MS) this.stats.lateFrames++;
        this.playEndMs = Math.max(this.playEndMs, now) + FRAME_MS;
        this.head++;
        this.stats.framesSent++;
        this.sink.sendFrame(it);
      } else {
        this.head++;
        this.sink.sendMark(it.mark);
      }
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      this.drained = true;
      this.pacer.idle(this);
    } else {
      this.pacer.busy(this);
    }
  }
}

/**
 * One real-time clock shared by every outbound stream in the process: a single timer, touching
 * only streams that have queued audio. Stop it with `close()` (tests, shutdown).
 */
export class Pacer {
  private readonly active = new Set<PacedStream>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly leadMs = 80,
    private readonly tickMs = 10,
    readonly now: () => number = () => performance.now(),
  ) {}

  open(sink: PacedSink): PacedStream {
    return new PacedStream(this, sink);
  }

  /** @internal */
  busy(s: PacedStream): void {
    this.active.add(s);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.tickMs);
      this.timer.unref();
    }
  }

  /** @internal */
  idle(s: PacedStream): void {
    this.active.delete(s);
    if (this.active.size === 0) this.stopTimer();
  }

  /** @internal */
  remove(s: PacedStream): void {
    this.idle(s);
  }

  /** Advance every busy stream (exposed for deterministic tests with a fake `now`). */
  tick(): void {
    const now = this.now();
    for (const s of this.active) s.pump(now);
  }

  close(): void {
    this.active.clear();
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
