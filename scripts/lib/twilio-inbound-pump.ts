const FRAME_MS = 20;
export const FRAME_BYTES = 160;
const SILENCE_FRAME = Buffer.alloc(FRAME_BYTES, 0xff);

/**
 * The caller's side of a Twilio stream: one 160-byte µ-law frame every 20 ms on a drift-corrected
 * clock (frame n is due at t0 + 20·n; after a stall the due frames go out at once). Queued frames
 * go first; with `silence` on, µ-law silence fills every gap, as real Twilio streams the caller's
 * line for the whole call. With nothing to send the clock stops, and restarts with new audio.
 */
export class InboundPump {
  private readonly queue: Buffer[] = [];
  private queuedTotal = 0;
  private sentFromQueue = 0;
  private waiters: { target: number; resolve: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private nextFrameAtMs = 0;
  private running = false;
  private stopped = false;

  constructor(
    private readonly sendFrame: (frame: Buffer) => void,
    private silence: boolean,
  ) {}

  /** Begin streaming (after `start` was sent). */
  start(): void {
    this.running = true;
    this.ensureRunning();
  }

  /** Resolves when the last of `frames` has been sent (or the pump stopped). */
  enqueue(frames: readonly Buffer[]): Promise<void> {
    for (const f of frames) {
      if (f.length !== FRAME_BYTES) throw new RangeError('streamFrames: frames must be 160 bytes');
    }
    if (this.stopped) return Promise.resolve();
    this.queue.push(...frames);
    this.queuedTotal += frames.length;
    const target = this.queuedTotal;
    const done = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    this.ensureRunning();
    this.settle();
    return done;
  }

  setSilence(on: boolean): void {
    this.silence = on;
    this.ensureRunning();
  }

  /** For good: no more frames; pending `enqueue` promises resolve. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private ensureRunning(): void {
    if (this.timer || !this.running || this.stopped) return;
    if (this.queue.length === 0 && !this.silence) return;
    this.nextFrameAtMs = performance.now();
    this.tick();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const now = performance.now();
    while (this.nextFrameAtMs <= now) {
      if (this.stopped) return;
      const queued = this.queue.shift();
      const frame = queued ?? (this.silence ? SILENCE_FRAME : undefined);
      if (!frame) return; // idle until more audio is queued or silence is turned on
      this.sendFrame(frame);
      if (queued) {
        this.sentFromQueue++;
        this.settle();
      }
      this.nextFrameAtMs += FRAME_MS;
    }
    this.timer = setTimeout(this.tick, this.nextFrameAtMs - now);
  };

  private settle(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.target <= this.sentFromQueue);
    this.waiters = this.waiters.filter((w) => w.target > this.sentFromQueue);
    for (const w of ready) w.resolve();
  }
}
