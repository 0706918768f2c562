import type { Logger } from '../logger.js';
import { errorSummary, isAbortError, ProviderError } from '../errors.js';
import { nowMs } from '../clock.js';
import type { TtsProvider } from './types.js';

/** Where speech goes: a call leg, structurally (tts/ does not import telephony/). */
export interface AudioSink {
  playAudio(ulaw: Buffer): void;
  sendMark(name: string): void;
  clearAudio(): void;
}

export interface UtteranceTiming {
  requestedAtMs: number;
  firstAudioAtMs?: number;
  doneAtMs?: number;
}

export interface SpeakerEvents {
  /** The utterance was heard to its end (mark echoed) or cut off by `interrupt()`. */
  done(id: string, interrupted: boolean, timing: UtteranceTiming): void;
  /** The first audio of the utterance was handed to the sink. */
  started(id: string, timing: UtteranceTiming): void;
  /** Synthesis failed; no mark will come for this utterance. */
  failed(id: string, err: ProviderError, timing: UtteranceTiming): void;
}

interface Utterance {
  id: string;
  text: string;
  bargeIn: boolean;
  mark: string;
  ctrl: AbortController;
  timing: UtteranceTiming;
  synthesized: boolean;
  /** Pre-rendered audio (no synthesis), e.g. the apology played when synthesis fails. */
  audio?: readonly Buffer[];
}

/**
 * Plays utterances in order through one sink. Synthesis of the next utterance starts as soon as
 * the previous one is fully queued (its audio then simply follows). Completion is the mark echo:
 * Twilio echoes a mark only after all earlier media has played. `interrupt()` aborts synthesis,
 * clears queued audio and reports every pending utterance as interrupted.
 */
export class Speaker {
  private readonly pending: Utterance[] = [];
  private synthesizing: Utterance | undefined;
  private seq = 0;

  constructor(
    private readonly tts: TtsProvider,
    private readonly sink: AudioSink,
    private readonly voice: { voice: string; language: string },
    private readonly events: SpeakerEvents,
    private readonly logger: Logger,
  ) {}

  /** True while any utterance is queued, synthesizing or playing. */
  get speaking(): boolean {
    return this.pending.length > 0;
  }

  /** True when every pending utterance allows barge-in. */
  get interruptible(): boolean {
    return this.pending.length > 0 && this.pending.every((u) => u.bargeIn);
  }

  speak(id: string, text: string, bargeIn: boolean, now = nowMs()): void {
    this.enqueue({ id, text, bargeIn, timing: { requestedAtMs: now } });
  }

  /** Plays pre-rendered 20 ms µ-law frames as an utterance (same ordering, marks and barge-in). */
  playFrames(id: string, audio: readonly Buffer[], bargeIn: boolean): void {
    this.enqueue({ id, text: '', bargeIn, audio, timing: { requestedAtMs: nowMs() } });
  }

  private enqueue(u: Omit<Utterance, 'mark' | 'ctrl' | 'synthesized'>): void {
    this.pending.push({
      ...u,
      mark: `${u.id}#${++this.seq}`,
      ctrl: new AbortController(),
      synthesized: false,
    });
    this.next();
  }

  /** Cut everything off. Returns the ids that were interrupted, in order. */
  interrupt(): string[] {
    const cut = this.pending.splice(0);
    if (cut.length === 0) return [];
    this.synthesizing = undefined;
    for (const u of cut) u.ctrl.abort();
    this.sink.clearAudio();
    const now = nowMs();
    for (const u of cut) this.events.done(u.id, true, { ...u.timing, doneAtMs: now });
    return cut.map((u) => u.id);
  }

  /** Feed every mark echoed by the far end. Marks of interrupted utterances are ignored. */
  handleMark(name: string): void {
    const i = this.pending.findIndex((u) => u.mark === name);
    if (i < 0) return;
    // Marks echo in order: anything before it has finished too.
    const finished = this.pending.splice(0, i + 1);
    const now = nowMs();
    for (const u of finished) this.events.done(u.id, false, { ...u.timing, doneAtMs: now });
  }

  /** Stop without clearing the line (call ended). No further events. */
  close(): void {
    for (const u of this.pending.splice(0)) u.ctrl.abort();
    this.synthesizing = undefined;
  }

  private next(): void {
    if (this.synthesizing) return;
    const u = this.pending.find((p) => !p.synthesized);
    if (!u) return;
    this.synthesizing = u;
    this.run(u).then(
      () => this.afterRun(u),
      (err: unknown) => this.fail(u, err),
    );
  }

  private async run(u: Utterance): Promise<void> {
    const req = { text: u.text, voice: this.voice.voice, language: this.voice.language };
    const frames = u.audio ?? this.tts.synthesize(req, u.ctrl.signal);
    for await (const frame of frames) {
      if (u.ctrl.signal.aborted) return;
      if (u.timing.firstAudioAtMs === undefined) {
        u.timing.firstAudioAtMs = nowMs();
        this.sink.playAudio(frame);
        this.events.started(u.id, u.timing);
      } else {
        this.sink.playAudio(frame);
      }
    }
  }

  private afterRun(u: Utterance): void {
    u.synthesized = true;
    if (this.synthesizing === u) this.synthesizing = undefined;
    if (!u.ctrl.signal.aborted) this.sink.sendMark(u.mark);
    this.next();
  }

  private fail(u: Utterance, err: unknown): void {
    if (this.synthesizing === u) this.synthesizing = undefined;
    const idx = this.pending.indexOf(u);
    if (idx < 0 || isAbortError(err) || u.ctrl.signal.aborted) return this.next();
    this.pending.splice(idx, 1);
    const perr =
      err instanceof ProviderError
        ? err
        : new ProviderError(this.tts.id, false, 'synthesis failed', { cause: err });
    this.logger.warn({ err: errorSummary(perr), utterance: u.id }, 'tts failed');
    this.events.failed(u.id, perr, u.timing);
    this.next();
  }
}
