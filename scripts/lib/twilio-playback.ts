/**
 * Twilio's playback buffer for one bidirectional stream, as the fake Twilio models it:
 * a FIFO of received outbound audio and marks, played at real time (8 bytes of µ-law per ms).
 * A mark is echoed when playback reaches it (at once if nothing is queued before it); `clear`
 * drops queued audio and echoes every pending mark, in order.
 *
 * Measurements (all in audio time, derived from the model, not from wall-clock assertions):
 * - buffered audio on each arrival (`maxBufferedMs`): how far ahead of the listener the server runs;
 * - underruns: the buffer ran dry after audio (not after a mark or a clear) and audio resumed
 *   within `quietMs`, i.e. an audible gap inside an utterance (a late frame);
 * - inter-arrival jitter: for consecutive frames of one utterance, arrival interval minus the
 *   duration of the earlier frame;
 * - utterances: the bot "speaks" from the first audio after silence until the buffer has been
 *   empty, with no new audio, for `quietMs` ("bot finished speaking").
 */

export const BYTES_PER_MS = 8;

export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface Utterance {
  index: number;
  /** Arrival of its first audio. */
  startedAtMs: number;
  /** When playback of its last audio ended (the buffer ran dry for good). */
  playedUntilMs: number;
  /** When "finished" was detected: `playedUntilMs + quietMs`. */
  endedAtMs: number;
  bytes: number;
  /** Audio duration received, ms. */
  audioMs: number;
  /** A `clear` arrived while it was speaking. */
  interrupted: boolean;
  underruns: number;
  /** Marks echoed while it was speaking (played or cleared), in order. */
  marks: string[];
  /** Its audio, when the client keeps audio. */
  audio?: Buffer;
}

export interface PlaybackOptions {
  /** Silence after the buffer empties before the bot counts as finished (default 300 ms). */
  quietMs?: number;
  /** Keep received audio per utterance (default true). */
  keepAudio?: boolean;
}

export interface PlaybackHooks {
  /** Echo this mark to the server now. */
  markReached(name: string): void;
  utteranceEnded(u: Utterance): void;
}

type Item = { bytes: number } | { mark: string };

export class PlaybackBuffer {
  private readonly fifo: Item[] = [];
  private queuedBytes = 0;
  /** Playback has been simulated up to this time. */
  private clockMs: number;
  /** When the buffer last ran dry; undefined while audio is playing. */
  private dryAtMs: number | undefined;
  private lastPlayedAudio = false;
  private lastArrival: { atMs: number; ms: number } | undefined;
  private current: (Utterance & { chunks: Buffer[] }) | undefined;
  private timer: { handle: unknown; atMs: number } | undefined;
  private readonly quietMs: number;
  private readonly keepAudio: boolean;

  readonly utterances: Utterance[] = [];
  readonly jitterMs: number[] = [];
  readonly arrivalsMs: number[] = [];
  underruns = 0;
  underrunMs = 0;
  maxBufferedMs = 0;

  constructor(
    private readonly hooks: PlaybackHooks,
    opts: PlaybackOptions = {},
    private readonly clock: Scheduler = realScheduler,
  ) {
    this.quietMs = opts.quietMs ?? 300;
    this.keepAudio = opts.keepAudio ?? true;
    this.clockMs = clock.now();
  }

  /** Audio is playing right now. */
  get playing(): boolean {
    return this.queuedBytes > 0;
  }

  /** An utterance is in progress (playing, or silent for less than `quietMs`). */
  get speaking(): boolean {
    return this.current !== undefined;
  }

  bufferedMs(): number {
    this.advance(this.clock.now());
    return this.queuedBytes / BYTES_PER_MS;
  }

  pushAudio(audio: Buffer): void {
    const now = this.clock.now();
    this.advance(now);
    this.arrivalsMs.push(now);
    if (this.queuedBytes === 0) this.onResume(now);
    const u = this.current ?? this.startUtterance(now);
    u.bytes += audio.length;
    if (this.keepAudio) u.chunks.push(audio);
    const ms = audio.length / BYTES_PER_MS;
    if (this.lastArrival) this.jitterMs.push(now - this.lastArrival.atMs - this.lastArrival.ms);
    this.lastArrival = { atMs: now, ms };
    this.fifo.push({ bytes: audio.length });
    this.queuedBytes += audio.length;
    this.dryAtMs = undefined;
    this.maxBufferedMs = Math.max(this.maxBufferedMs, this.queuedBytes / BYTES_PER_MS);
    this.schedule();
  }

  pushMark(name: string): void {
    this.advance(this.clock.now());
    this.fifo.push({ mark: name });
    this.advance(this.clock.now()); // echoes at once when nothing is queued before it
    this.schedule();
  }

  /** Drop queued audio; echo every pending mark in order. */
  clear(): void {
    const now = this.clock.now();
    this.advance(now);
    if (this.current) this.current.interrupted = true;
    const items = this.fifo.splice(0);
    this.queuedBytes = 0;
    if (this.dryAtMs === undefined) this.dryAtMs = now;
    this.lastPlayedAudio = false;
    this.lastArrival = undefined;
    for (const it of items) if ('mark' in it) this.echo(it.mark);
    this.schedule();
  }

  /** Stop timers (the call is over). The current utterance is ended as of now. */
  close(): void {
    this.advance(this.clock.now());
    if (this.timer) this.clock.clearTimeout(this.timer.handle);
    this.timer = undefined;
    if (this.current) this.endUtterance(this.dryAtMs ?? this.clock.now(), this.clock.now());
  }

  private onResume(now: number): void {
    if (!this.current || this.dryAtMs === undefined || !this.lastPlayedAudio) return;
    const gap = now - this.dryAtMs;
    if (gap <= 0) return;
    this.underruns++;
    this.underrunMs += gap;
    this.current.underruns++;
  }

  private startUtterance(now: number): Utterance & { chunks: Buffer[] } {
    this.lastArrival = undefined;
    const u = {
      index: this.utterances.length,
      startedAtMs: now,
      playedUntilMs: now,
      endedAtMs: now,
      bytes: 0,
      audioMs: 0,
      interrupted: false,
      underruns: 0,
      marks: [],
      chunks: [],
    };
    this.current = u;
    return u;
  }

  /** Play everything due by `now`, echoing marks as playback reaches them. */
  private advance(now: number): void {
    let budget = Math.max(0, now - this.clockMs) * BYTES_PER_MS;
    let t = this.clockMs;
    this.clockMs = now;
    while (this.fifo.length > 0) {
      const it = this.fifo[0]!;
      if ('mark' in it) {
        this.fifo.shift();
        this.lastPlayedAudio = false;
        this.echo(it.mark);
        continue;
      }
      if (budget === 0) break;
      const n = Math.min(budget, it.bytes);
      it.bytes -= n;
      budget -= n;
      this.queuedBytes -= n;
      t += n / BYTES_PER_MS;
      this.lastPlayedAudio = true;
      if (it.bytes > 0) break;
      this.fifo.shift();
    }
    if (this.queuedBytes === 0 && this.dryAtMs === undefined) this.dryAtMs = t;
    if (this.current && this.dryAtMs !== undefined && now - this.dryAtMs >= this.quietMs) {
      this.endUtterance(this.dryAtMs, now);
    }
  }

  private echo(name: string): void {
    this.current?.marks.push(name);
    this.hooks.markReached(name);
  }

  private endUtterance(playedUntilMs: number, now: number): void {
    const u = this.current!;
    this.current = undefined;
    this.lastArrival = undefined;
    const { chunks, ...done } = u;
    const out: Utterance = {
      ...done,
      playedUntilMs,
      endedAtMs: now,
      audioMs: u.bytes / BYTES_PER_MS,
    };
    if (this.keepAudio) out.audio = Buffer.concat(chunks);
    this.utterances.push(out);
    this.hooks.utteranceEnded(out);
  }

  /** One timer: the next mark, the buffer running dry, or the end of the current utterance. */
  private schedule(): void {
    const due = this.nextDue();
    if (due === undefined) return;
    if (this.timer && this.timer.atMs <= due) return; // it fires first and reschedules
    if (this.timer) this.clock.clearTimeout(this.timer.handle);
    const handle = this.clock.setTimeout(() => this.onTimer(), due - this.clock.now());
    this.timer = { handle, atMs: due };
  }

  private onTimer(): void {
    this.timer = undefined;
    this.advance(this.clock.now());
    this.schedule();
  }

  private nextDue(): number | undefined {
    let ahead = 0;
    for (const it of this.fifo) {
      if ('mark' in it) return this.clockMs + ahead / BYTES_PER_MS;
      ahead += it.bytes;
    }
    if (ahead > 0) return this.clockMs + ahead / BYTES_PER_MS;
    if (this.current && this.dryAtMs !== undefined) return this.dryAtMs + this.quietMs;
    return undefined;
  }
}
