import type { SpeechGrammar } from '../speech-grammar.js';
import type { ProviderError } from '../errors.js';

export interface SttCapabilities {
  /** Emits partial hypotheses. */
  interim: boolean;
  /** Recognition is restricted to the hint phrases (grammar), not free speech. */
  grammarOnly: boolean;
  /** Emits `speech.started` quickly enough to drive barge-in. */
  speechEvents: boolean;
}

export type SttEvent =
  /** Caller speech began (VAD). `atMs` = wall clock (Date.now()) of the audio frame. */
  | { type: 'speech.started'; atMs: number }
  /** Final transcript of one caller turn. Empty text = speech that matched nothing. */
  | { type: 'transcript'; text: string; confidence: number; speechEndMs: number; finalAtMs: number }
  | { type: 'partial'; text: string }
  | { type: 'error'; error: ProviderError }
  /**
   * The stream now runs on another recognizer (`provider` = its id) because the previous one
   * failed (`reason` = that failure's error code). Emitted by the failover decorator only, at most
   * once per switch, before any event of the new recognizer. A switch to a grammar-only or
   * keypad-only recognizer means prompts should favour the keypad. Not an error: the stream
   * stays usable.
   */
  | { type: 'provider.changed'; provider: string; reason: string };

/** How long a pause ends the caller's turn: `short` for yes/no, `long` for an address. */
export type Endpointing = 'short' | 'normal' | 'long';

export interface SttStreamOptions {
  language: string;
  /** Phrases the current dialog state expects (grammar for offline, keyterms for cloud). */
  hints: readonly string[];
  /** Default `normal`. */
  endpointing?: Endpointing;
  /** Structured grammar for the offline recognizer (it then ignores `hints`). */
  grammar?: SpeechGrammar;
}

export interface SttHintOptions {
  /** Omitted = keep the current policy. */
  endpointing?: Endpointing;
  /** Structured grammar (offline); omitted = build one from the phrases. */
  grammar?: SpeechGrammar;
}

export interface SttStream {
  onEvent(listener: (e: SttEvent) => void): void;
  /** µ-law 8 kHz, 20 ms frames, in order. Never blocks; cheap enough to call 50×/s per call. */
  write(ulaw: Buffer): void;
  /** Switch expectations for the next turn (takes effect at the next utterance boundary). */
  setHints(hints: readonly string[], opts?: SttHintOptions): void;
  /**
   * Informational: the bot is talking (`interruptible` = caller speech would barge in). A cloud
   * stream may send keep-alives instead of audio while the bot talks uninterruptibly. Optional.
   */
  setBotSpeaking?(speaking: boolean, interruptible: boolean): void;
  /** Force the end of the current utterance (emit its transcript now). */
  finalize(): void;
  /** Release everything; idempotent; no events after it resolves. */
  close(): Promise<void>;
}

export interface SttProvider {
  readonly id: string;
  readonly capabilities: SttCapabilities;
  /** Rejects with ProviderError; aborting `signal` closes the stream. */
  openStream(opts: SttStreamOptions, signal: AbortSignal): Promise<SttStream>;
}
