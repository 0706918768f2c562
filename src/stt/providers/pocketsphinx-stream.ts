import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { ProviderError, type ErrorCode } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { decodeUlaw } from '../../media/mulaw.js';
import { Upsampler8to16 } from '../../media/upsample.js';
import type { SpeechGrammar } from '../../speech-grammar.js';
import type { SttEvent, SttHintOptions, SttStream } from '../types.js';
import type { Grammar } from './pocketsphinx-grammar.js';
import {
  AudioClock,
  encodeAudio,
  encodeMessage,
  type FrontendEvent,
  LineSplitter,
  MessageType,
  parseFrontendLine,
} from './pocketsphinx-protocol.js';

const PROVIDER = 'pocketsphinx';
/** Audio queued in the pipe beyond this is dropped (≈2 s of 16 kHz s16): never buffer unboundedly. */
const MAX_BUFFERED_BYTES = 64 * 1024;
/** After close() sends 'Q', the child gets this long to exit before SIGKILL. */
const QUIT_GRACE_MS = 250;
/** Events kept until the first listener subscribes. */
const BACKLOG_LIMIT = 100;
const GRAMMARS_KEPT = 4;

export interface PocketsphinxStreamDeps {
  logger: Logger;
  /** The grammar for a turn: `grammar` when given (hints then unused), else one from `hints`. */
  grammarFor(hints: readonly string[], grammar?: SpeechGrammar): Grammar;
  /** Dictionary lines ('D' message) for `words`. */
  pronunciations(words: readonly string[]): string;
}

/**
 * One call's recognizer: owns one ps-frontend child. Events come in stream order:
 * `speech.started` precedes the `transcript` of the same utterance (a finalize() without any
 * speech yields a transcript with empty text and no `speech.started`). Child failures surface as
 * `error` events (never exceptions); after close() is called no event is delivered.
 */
export class PocketsphinxStream implements SttStream {
  private readonly listeners: Array<(e: SttEvent) => void> = [];
  private backlog: SttEvent[] = [];
  private readonly splitter = new LineSplitter();
  private readonly clock = new AudioClock();
  private readonly grammars = new Map<number, Grammar>();
  private readonly closeHooks: Array<() => void> = [];
  private grammarCount = 0;
  private lastJsgf: string | undefined;
  /** Words whose pronunciations the child has been sent. */
  private readonly knownWords = new Set<string>();
  private active: Grammar | undefined;
  private readonly upsampler = new Upsampler8to16();
  private sentAudioMs = 0;
  private droppedFrames = 0;
  private isReady = false;
  private closed = false;
  private exited = false;
  private stdinBroken = false;
  private fatalMessage: string | undefined;
  private closing: Promise<void> | undefined;
  private readonly readyPromise: Promise<void>;
  private settleReady!: (err?: ProviderError) => void;
  private readonly exitPromise: Promise<void>;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly deps: PocketsphinxStreamDeps,
  ) {
    this.readyPromise = new Promise<void>((resolve, reject) => {
      this.settleReady = (err) => (err ? reject(err) : resolve());
    });
    this.readyPromise.catch(() => undefined); // observed through ready()
    this.exitPromise = new Promise<void>((resolve) => {
      child.on('close', (code, sig) => {
        this.exited = true;
        resolve();
        this.onExit(code, sig);
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        this.exited = true;
        resolve();
        this.fail(
          'PROVIDER_UNAVAILABLE',
          false,
          `cannot start ps-frontend (${err.code ?? err.message})`,
          err,
        );
      });
    });
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of this.splitter.push(chunk)) this.onLine(line);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      deps.logger.debug({ stderr: chunk.toString('utf8').slice(0, 500) }, 'stt.frontend_stderr');
    });
    child.stdin.on('error', () => {
      this.stdinBroken = true; // EPIPE: the exit handler reports the cause
    });
  }

  /** Resolves on the child's "ready"; rejects with ProviderError (and closes) otherwise. */
  async ready(timeoutMs: number, signal: AbortSignal): Promise<void> {
    const onAbort = (): void =>
      this.settleReady(
        new ProviderError(PROVIDER, false, 'aborted while starting', { code: 'PROVIDER_ABORTED' }),
      );
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    const timer = setTimeout(() => {
      this.settleReady(
        new ProviderError(PROVIDER, true, 'ps-frontend did not become ready', {
          code: 'PROVIDER_UNAVAILABLE',
        }),
      );
    }, timeoutMs);
    try {
      await this.readyPromise;
    } catch (err) {
      await this.close();
      throw err;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  onEvent(listener: (e: SttEvent) => void): void {
    if (this.closed) return;
    this.listeners.push(listener);
    const backlog = this.backlog;
    this.backlog = [];
    for (const e of backlog) this.deliver(listener, e);
  }

  /** µ-law 8 kHz → s16 16 kHz → child stdin. Drops (and counts) audio the child cannot take. */
  write(ulaw: Buffer): void {
    if (this.closed || ulaw.length === 0) return;
    const pcm16 = this.upsampler.process(decodeUlaw(ulaw));
    if (!this.writable() || this.child.stdin.writableLength > MAX_BUFFERED_BYTES) {
      this.droppedFrames++;
      if (this.droppedFrames % 500 === 1) {
        this.deps.logger.warn({ droppedFrames: this.droppedFrames }, 'stt.audio_dropped');
      }
      return;
    }
    this.sentAudioMs += ulaw.length / 8;
    this.clock.mark(this.sentAudioMs, Date.now());
    this.child.stdin.write(encodeAudio(pcm16));
  }

  /** `opts.grammar` replaces the phrase grammar for the next turn; ProviderError when invalid. */
  setHints(hints: readonly string[], opts?: SttHintOptions): void {
    if (this.closed) return;
    const g = this.deps.grammarFor(hints, opts?.grammar);
    if (g.jsgf === this.lastJsgf) return;
    if (g.skipped.length || g.dropped.length) {
      // Hints can carry caller data (a name to confirm): the words go under pii.
      this.deps.logger.warn(
        {
          skippedPhrases: g.skipped.length,
          droppedWords: g.dropped.length,
          pii: { skipped: g.skipped, dropped: g.dropped },
        },
        'stt.hints_out_of_vocabulary',
      );
    }
    this.lastJsgf = g.jsgf;
    this.grammars.set(++this.grammarCount, g);
    this.grammars.delete(this.grammarCount - GRAMMARS_KEPT);
    const missing = g.words.filter((w) => !this.knownWords.has(w));
    if (missing.length) {
      for (const w of missing) this.knownWords.add(w);
      this.send(
        encodeMessage(MessageType.words, Buffer.from(this.deps.pronunciations(missing), 'utf8')),
      );
    }
    this.send(encodeMessage(MessageType.grammar, Buffer.from(g.jsgf, 'utf8')));
  }

  finalize(): void {
    if (!this.closed) this.send(encodeMessage(MessageType.finalize));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Called once when close() starts. */
  onClose(hook: () => void): void {
    this.closeHooks.push(hook);
  }

  /** The child's process id (benchmarks, diagnostics). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Frames dropped because the child was gone or too far behind. */
  get dropped(): number {
    return this.droppedFrames;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.listeners.length = 0;
    this.backlog = [];
    for (const hook of this.closeHooks.splice(0)) hook();
    this.settleReady(
      new ProviderError(PROVIDER, false, 'closed while starting', { code: 'PROVIDER_ABORTED' }),
    );
    if (this.droppedFrames)
      this.deps.logger.warn({ droppedFrames: this.droppedFrames }, 'stt.audio_dropped');
    if (this.exited) return;
    this.send(encodeMessage(MessageType.quit));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), QUIT_GRACE_MS);
    await this.exitPromise;
    clearTimeout(timer);
  }

  private writable(): boolean {
    return !this.exited && !this.stdinBroken && this.child.stdin.writable;
  }

  private send(msg: Buffer): void {
    if (this.writable()) this.child.stdin.write(msg);
  }

  private onLine(line: string): void {
    const ev = parseFrontendLine(line);
    if (!ev) {
      this.deps.logger.warn({ bytes: line.length }, 'stt.frontend_bad_line');
      return;
    }
    this.handle(ev);
  }

  private handle(ev: FrontendEvent): void {
    const now = Date.now();
    switch (ev.type) {
      case 'ready':
        this.isReady = true;
        this.settleReady();
        return;
      case 'grammar':
        this.active = this.grammars.get(ev.id);
        return;
      case 'speech_start':
        return this.emit({ type: 'speech.started', atMs: this.clock.wallAt(ev.audioMs, now) });
      case 'partial':
        return this.emit({ type: 'partial', text: ev.text });
      case 'final':
        return this.onFinal(ev, now);
      case 'error':
        if (ev.fatal) this.fatalMessage = ev.message;
        else this.fail('PROVIDER_FAILED', false, `ps-frontend: ${ev.message}`);
        return;
    }
  }

  private onFinal(ev: Extract<FrontendEvent, { type: 'final' }>, now: number): void {
    // Confidence over the phrase's words: a misheard filler ("uh" for "um") does not count.
    const phraseWords = this.active?.phraseWords;
    const scored = phraseWords ? ev.words.filter((w) => phraseWords.has(w.word)) : [];
    const confidence = scored.length ? Math.min(...scored.map((w) => w.confidence)) : ev.confidence;
    const speechEndMs = this.clock.wallAt(ev.speechEndAudioMs, now);
    this.deps.logger.debug(
      {
        pii: { text: ev.text },
        confidence,
        source: ev.source,
        reason: ev.reason,
        latencyMs: now - speechEndMs,
      },
      'stt.final',
    );
    this.emit({ type: 'transcript', text: ev.text, confidence, speechEndMs, finalAtMs: now });
  }

  private onExit(code: number | null, sig: NodeJS.Signals | null): void {
    if (this.closed) return;
    const why = this.fatalMessage ?? (code !== null ? `exit code ${code}` : `signal ${sig ?? '?'}`);
    if (!this.isReady)
      this.fail('PROVIDER_UNAVAILABLE', false, `ps-frontend failed to start: ${why}`);
    else this.fail('PROVIDER_FAILED', true, `ps-frontend exited: ${why}`);
  }

  /** Before ready: rejects openStream. After: an `error` event. */
  private fail(code: ErrorCode, retryable: boolean, message: string, cause?: unknown): void {
    const error = new ProviderError(PROVIDER, retryable, message, { code, cause });
    if (!this.isReady) return this.settleReady(error);
    this.deps.logger.warn({ code, retryable }, 'stt.provider_error');
    this.emit({ type: 'error', error });
  }

  private emit(e: SttEvent): void {
    if (this.closed) return;
    if (this.listeners.length === 0) {
      if (this.backlog.length < BACKLOG_LIMIT) this.backlog.push(e);
      return;
    }
    for (const l of this.listeners) this.deliver(l, e);
  }

  private deliver(listener: (e: SttEvent) => void, e: SttEvent): void {
    try {
      listener(e);
    } catch (err) {
      this.deps.logger.error({ err }, 'stt.listener_threw');
    }
  }
}
