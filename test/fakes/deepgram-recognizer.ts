/**
 * The recognition half of the fake Deepgram server: one instance per live connection. Speech is
 * detected by energy in the received µ-law audio (20 ms frames); on trailing silence of at least
 * the connection's `endpointing` ms a final `Results` (`is_final`, `speech_final`) is produced
 * whose transcript comes from the server's script. Times in messages are seconds of audio
 * received on this connection, as in Listen v1.
 */
import { randomUUID } from 'node:crypto';
import { ulawToLinearSample } from '../../src/media/mulaw.js';

/** A scripted utterance: one string, or segments finalized one per internal pause. */
export type ScriptItem = { segments: string[]; confidence: number };

export interface RecognizerOptions {
  params: URLSearchParams;
  /** Next scripted utterance (consumed at speech onset); undefined = the default transcript. */
  nextScript(): ScriptItem | undefined;
  defaultTranscript: string;
  /** RMS (16-bit linear) above which a frame counts as speech. */
  vadThreshold: number;
  /** Audio ms between interim results while speech goes on. */
  interimEveryMs: number;
  /** When false, finals never carry speech_final (only UtteranceEnd ends a turn). */
  speechFinal(): boolean;
  send(msg: Record<string, unknown>): void;
  /** Called at speech onset (fault injection hooks in here). */
  onSpeechStart(): void;
}

const FRAME = 160;
/** Internal pause that finalizes a segment (speech_final false) when shorter than endpointing. */
const SEGMENT_PAUSE_MS = 300;

export class FakeRecognizer {
  private audioMs = 0;
  private rest = Buffer.alloc(0);
  private inSpeech = false;
  /** The open utterance: from onset until its speech_final (or flush). */
  private utterance: { item: ScriptItem; segStartMs: number; emitted: number } | undefined;
  private lastVoiceMs = 0;
  private lastInterimMs = 0;
  private lastWordEndMs: number | undefined;
  private readonly endpointingMs: number;
  private readonly utteranceEndMs: number | undefined;
  private readonly requestId = randomUUID();

  constructor(private readonly o: RecognizerOptions) {
    const ep = o.params.get('endpointing');
    this.endpointingMs = ep === 'false' ? Infinity : Number(ep ?? 10);
    const ue = o.params.get('utterance_end_ms');
    this.utteranceEndMs = ue ? Number(ue) : undefined;
  }

  get receivedAudioMs(): number {
    return this.audioMs;
  }

  audio(chunk: Buffer): void {
    let buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    while (buf.length >= FRAME) {
      this.frame(buf.subarray(0, FRAME));
      buf = buf.subarray(FRAME);
    }
    this.rest = Buffer.from(buf);
  }

  /** Finalize / CloseStream: finalize whatever audio is pending, marked from_finalize. */
  flush(fromFinalize: boolean): void {
    if (this.utterance) this.final(true, fromFinalize, false);
    else
      this.results(
        { text: '', startMs: this.audioMs, endMs: this.audioMs },
        true,
        false,
        fromFinalize,
      );
    this.inSpeech = false;
  }

  private frame(f: Buffer): void {
    let sum = 0;
    for (const b of f) sum += ulawToLinearSample(b) ** 2;
    const voiced = Math.sqrt(sum / f.length) > this.o.vadThreshold;
    this.audioMs += 20;
    if (voiced) this.voice();
    else this.silence();
  }

  private voice(): void {
    if (!this.inSpeech) {
      this.inSpeech = true;
      if (!this.utterance) {
        const item = this.o.nextScript() ?? {
          segments: [this.o.defaultTranscript],
          confidence: 0.97,
        };
        this.utterance = { item, segStartMs: this.audioMs - 20, emitted: 0 };
      }
      if (this.o.params.get('vad_events') === 'true') {
        this.o.send({
          type: 'SpeechStarted',
          channel: [0, 1],
          timestamp: (this.audioMs - 20) / 1000,
        });
      }
      this.lastInterimMs = this.audioMs;
      this.o.onSpeechStart();
    }
    this.lastVoiceMs = this.audioMs;
    if (
      this.o.params.get('interim_results') === 'true' &&
      this.audioMs - this.lastInterimMs >= this.o.interimEveryMs
    ) {
      this.lastInterimMs = this.audioMs;
      const u = this.utterance!;
      const words = (u.item.segments[u.emitted] ?? '').split(' ');
      const text = words.slice(0, Math.max(1, Math.ceil(words.length / 2))).join(' ');
      this.results({ text, startMs: u.segStartMs, endMs: this.audioMs }, false, false, false);
    }
  }

  private silence(): void {
    const gap = this.audioMs - this.lastVoiceMs;
    if (this.inSpeech && this.utterance) {
      if (gap >= this.endpointingMs) {
        this.final(false, false, this.o.speechFinal());
        this.inSpeech = false;
      } else if (
        gap >= SEGMENT_PAUSE_MS &&
        this.utterance.emitted < this.utterance.item.segments.length - 1
      ) {
        this.final(false, false, false);
        this.inSpeech = false;
      }
    }
    if (this.utteranceEndMs !== undefined && this.lastWordEndMs !== undefined && !this.inSpeech) {
      if (this.audioMs - this.lastWordEndMs >= this.utteranceEndMs) {
        this.o.send({
          type: 'UtteranceEnd',
          channel: [0, 1],
          last_word_end: this.lastWordEndMs / 1000,
        });
        this.lastWordEndMs = undefined;
      }
    }
  }

  /** One is_final result: the next segment, or all remaining ones when the utterance ends. */
  private final(all: boolean, fromFinalize: boolean, speechFinal: boolean): void {
    const u = this.utterance!;
    const ends = all || speechFinal || u.emitted >= u.item.segments.length - 1;
    const segs = ends
      ? u.item.segments.slice(u.emitted)
      : u.item.segments.slice(u.emitted, u.emitted + 1);
    u.emitted += segs.length;
    const endMs = this.inSpeech ? this.lastVoiceMs : this.audioMs;
    this.results(
      { text: segs.join(' '), startMs: u.segStartMs, endMs, confidence: u.item.confidence },
      true,
      speechFinal,
      fromFinalize,
    );
    u.segStartMs = this.audioMs;
    if (ends) this.utterance = undefined;
  }

  private results(
    r: { text: string; startMs: number; endMs: number; confidence?: number },
    isFinal: boolean,
    speechFinal: boolean,
    fromFinalize: boolean,
  ): void {
    const words = r.text ? r.text.split(' ') : [];
    const step = (r.endMs - r.startMs) / Math.max(1, words.length);
    const confidence = words.length ? (r.confidence ?? 0.97) : 0;
    if (isFinal && words.length) this.lastWordEndMs = r.endMs;
    this.o.send({
      type: 'Results',
      channel_index: [0, 1],
      duration: (this.audioMs - r.startMs) / 1000,
      start: r.startMs / 1000,
      is_final: isFinal,
      speech_final: speechFinal,
      from_finalize: fromFinalize,
      channel: {
        alternatives: [
          {
            transcript: r.text,
            confidence,
            words: words.map((w, i) => ({
              word: w.toLowerCase().replace(/[^a-z0-9']/g, ''),
              start: (r.startMs + i * step) / 1000,
              end: (r.startMs + (i + 1) * step) / 1000,
              confidence,
              punctuated_word: w,
            })),
          },
        ],
      },
      metadata: {
        request_id: this.requestId,
        model_info: { name: 'fake-general', version: '2024-01-01', arch: 'fake' },
        model_uuid: '00000000-0000-4000-8000-000000000000',
      },
    });
  }
}
