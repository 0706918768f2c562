import { AppError, errorSummary, isAbortError, ProviderError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ProviderHealth } from '../providers/health.js';
import { withRetry, type RetryPolicy } from '../providers/retry.js';
import type {
  SttEvent,
  SttHintOptions,
  SttProvider,
  SttStream,
  SttStreamOptions,
} from './types.js';

export interface SttFailoverDeps {
  health: ProviderHealth;
  /** Retry of the primary's openStream (retryable errors only). Default: 3 tries within 1.5 s. */
  retry?: RetryPolicy;
  metrics?: Metrics;
  logger: Logger;
  /** Frames (20 ms) kept while switching streams; older ones are dropped. Default 50 (1 s). */
  switchBufferFrames?: number;
}

/**
 * Decorator: a recognizer that falls back to another one.
 *
 * openStream: while the primary is down (see ProviderHealth) the fallback is opened at once;
 * otherwise the primary is tried with bounded retry, then the fallback. Mid-stream, a primary
 * `error` event (the vendor stream has already tried to reconnect itself) switches to a fallback
 * stream opened with the latest hints, endpointing and grammar; the caller's audio written
 * meanwhile is buffered (bounded) and replayed into it. Whenever the live stream is the
 * fallback's, listeners get one `provider.changed` event (for a stream that opened on the
 * fallback: right after the first listener is attached). A failure of the fallback is emitted
 * as `error`. Capabilities and id are the primary's.
 */
export function withSttFailover(
  primary: SttProvider,
  fallback: SttProvider,
  deps: SttFailoverDeps,
): SttProvider {
  deps.health.track(primary.id);
  deps.health.track(fallback.id);
  const failed = (err: unknown): void => {
    deps.health.failure(primary.id, err);
    if (!isAbortError(err)) {
      deps.metrics?.providerError(primary.id, (err as { code?: string }).code ?? 'UNKNOWN');
    }
  };
  const openPrimary = async (opts: SttStreamOptions, signal: AbortSignal): Promise<SttStream> => {
    const s = await withRetry(
      (_n, sig) => primary.openStream(opts, sig),
      deps.retry ?? {},
      signal,
      {
        provider: primary.id,
        onFailure: failed,
        mayRetry: () => deps.health.state(primary.id) === 'up',
      },
    );
    deps.health.success(primary.id);
    return s;
  };
  return {
    id: primary.id,
    capabilities: primary.capabilities,
    async openStream(opts, signal) {
      const stream = new FailoverStream(primary.id, fallback, opts, signal, deps, failed);
      let reason = 'PROVIDER_UNAVAILABLE'; // the primary is down (circuit open)
      if (deps.health.tryAcquire(primary.id)) {
        try {
          stream.attach(await openPrimary(opts, signal));
          return stream;
        } catch (err) {
          if (signal.aborted || isAbortError(err)) throw err;
          reason = err instanceof AppError ? err.code : reason;
          deps.logger.warn({ err: errorSummary(err) }, 'stt primary unavailable, using fallback');
        }
      }
      await stream.startOnFallback(reason);
      return stream;
    },
  };
}

type Phase = 'primary' | 'switching' | 'fallback' | 'closed';

class FailoverStream implements SttStream {
  private live: SttStream | undefined;
  private phase: Phase = 'primary';
  private readonly listeners: ((e: SttEvent) => void)[] = [];
  private readonly pending: SttEvent[] = [];
  private readonly buffered: Buffer[] = [];
  private hints: readonly string[];
  private endpointing: SttStreamOptions['endpointing'];
  private grammar: SttStreamOptions['grammar'];
  private botSpeaking: [boolean, boolean] | undefined;
  private hintsVersion = 0;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly primaryId: string,
    private readonly fallback: SttProvider,
    private readonly opts: SttStreamOptions,
    private readonly signal: AbortSignal,
    private readonly deps: SttFailoverDeps,
    private readonly primaryFailed: (err: unknown) => void,
  ) {
    this.hints = opts.hints;
    this.endpointing = opts.endpointing;
    this.grammar = opts.grammar;
  }

  attach(primary: SttStream): void {
    this.live = primary;
    primary.onEvent((e) => {
      if (this.live !== primary || this.phase !== 'primary') return;
      if (e.type === 'error') void this.switchOver(e.error);
      else this.emit(e);
    });
  }

  /** Opens the fallback as the live stream; rejects with its error. */
  async startOnFallback(reason: string): Promise<void> {
    this.phase = 'switching';
    await this.openFallback(reason);
  }

  onEvent(listener: (e: SttEvent) => void): void {
    this.listeners.push(listener);
    if (this.pending.length === 0) return;
    const queued = this.pending.splice(0);
    queueMicrotask(() => queued.forEach((e) => this.emit(e)));
  }

  write(ulaw: Buffer): void {
    if (this.phase === 'switching') {
      this.buffered.push(ulaw);
      const max = this.deps.switchBufferFrames ?? 50;
      if (this.buffered.length > max) this.buffered.splice(0, this.buffered.length - max);
    } else if (this.phase !== 'closed') this.live?.write(ulaw);
  }

  setHints(hints: readonly string[], opts?: SttHintOptions): void {
    this.hints = hints;
    this.hintsVersion++;
    if (opts?.endpointing) this.endpointing = opts.endpointing;
    this.grammar = opts?.grammar;
    if (this.phase === 'primary' || this.phase === 'fallback') this.live?.setHints(hints, opts);
  }

  setBotSpeaking(speaking: boolean, interruptible: boolean): void {
    this.botSpeaking = [speaking, interruptible];
    if (this.phase === 'primary' || this.phase === 'fallback') {
      this.live?.setBotSpeaking?.(speaking, interruptible);
    }
  }

  finalize(): void {
    if (this.phase === 'primary' || this.phase === 'fallback') this.live?.finalize();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.phase = 'closed';
      this.buffered.length = 0;
      await this.live?.close();
    })();
    return this.closing;
  }

  private async switchOver(error: ProviderError): Promise<void> {
    this.phase = 'switching';
    this.primaryFailed(error);
    this.deps.logger.warn({ err: errorSummary(error) }, 'stt primary failed mid-call, switching');
    const dead = this.live;
    this.live = undefined;
    void dead?.close().catch(() => undefined);
    try {
      await this.openFallback(error.code);
    } catch (err) {
      if (this.isClosed()) return;
      this.emit({ type: 'error', error: asProviderError(err, this.fallback.id) });
    }
  }

  private async openFallback(reason: string): Promise<void> {
    const asked = this.hintsVersion;
    const s = await this.fallback.openStream(
      {
        language: this.opts.language,
        hints: this.hints,
        ...this.hintOptions(),
      },
      this.signal,
    );
    if (this.isClosed()) return void (await s.close());
    this.live = s;
    this.phase = 'fallback';
    s.onEvent((e) => {
      if (this.live === s && this.phase === 'fallback') this.emit(e);
    });
    if (this.hintsVersion !== asked) s.setHints(this.hints, this.hintOptions());
    if (this.botSpeaking) s.setBotSpeaking?.(...this.botSpeaking);
    this.deps.metrics?.fallback('stt', this.primaryId, this.fallback.id);
    this.emit({ type: 'provider.changed', provider: this.fallback.id, reason });
    for (const f of this.buffered.splice(0)) s.write(f);
  }

  /** A method, not an inline check: `close()` may run while this object awaits. */
  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  private hintOptions(): SttHintOptions {
    return {
      ...(this.endpointing ? { endpointing: this.endpointing } : {}),
      ...(this.grammar ? { grammar: this.grammar } : {}),
    };
  }

  private emit(e: SttEvent): void {
    if (this.phase === 'closed') return;
    if (this.listeners.length === 0) this.pending.push(e);
    for (const l of this.listeners) l(e);
  }
}

function asProviderError(err: unknown, provider: string): ProviderError {
  if (err instanceof ProviderError) return err;
  return new ProviderError(provider, false, 'fallback recognizer failed', { cause: err });
}
