import { ProviderError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { SttEvent, SttHintOptions, SttStream } from '../types.js';
import type { ListenConnection } from './deepgram-connection.js';
import { SttEventEmitter } from './deepgram-emitter.js';
import { expectationKey, type ListenExpectation } from './deepgram-params.js';
import { parseListenMessage, TurnAssembler } from './deepgram-turns.js';

const PROVIDER = 'deepgram';
/** Delay before reconnect attempt n (ms); the last value repeats until the budget is spent. */
const BACKOFF_MS = [0, 100, 250, 500];
/** A speech.started this soon after the previous one (same turn) is not repeated. */
const SPEECH_STARTED_DEDUPE_MS = 2000;
/** Speech is "in progress" this long after the last sign of it (no switch of sockets then). */
const SPEECH_HOLD_MS = 1500;
/** A socket sent CloseStream gets this long to deliver its last results and close. */
const DRAIN_MS = 3000;
const SWITCH_RETRY_MS = 5000;
/** Finalized words with no result after them for this long end their turn (a lost socket). */
const STALE_TURN_MS = 3000;

export interface DeepgramStreamDeps {
  logger: Logger;
  /** Opens one socket with `e`'s connect-time parameters; rejects with ProviderError. */
  connect(e: ListenExpectation, timeoutMs: number, signal: AbortSignal): Promise<ListenConnection>;
  /** KeepAlive is sent on an open socket idle this long (ms). */
  keepAliveMs: number;
  /** A dropped socket is replaced within this long (ms) or the stream fails. */
  reconnectBudgetMs: number;
  /** Audio kept while reconnecting (ms of µ-law), oldest dropped first. */
  maxBufferMs: number;
  /** finalize() yields its transcript after this long even without Deepgram's answer (ms). */
  finalizeTimeoutMs: number;
  connectTimeoutMs: number;
}

/**
 * One call's Deepgram recognizer. Connect-time parameters (keyterms, endpointing) change by
 * make-before-break: when setHints() changes them, a second socket is opened while no caller
 * speech is in progress, audio is routed to it once it is open (still only between turns), and
 * the old socket gets CloseStream and delivers its last results. Speech events come from
 * whichever socket hears the audio, so barge-in works across the switch. A socket that drops is
 * replaced within `reconnectBudgetMs` (audio written meanwhile is buffered and replayed);
 * otherwise one `error` event is emitted and the stream goes quiet. No event after close().
 */
export class DeepgramStream implements SttStream {
  private readonly events: SttEventEmitter;
  private readonly turns = new TurnAssembler();
  private readonly abort = new AbortController();
  private readonly draining = new Set<ListenConnection>();
  private readonly closeHooks: Array<() => void> = [];
  private active: ListenConnection;
  private activeKey: string;
  private standby: { key: string; conn?: ListenConnection } | undefined;
  private switchRetryAtMs = 0;
  private pending: Array<{ chunk: Buffer; wallMs: number }> = [];
  private pendingBytes = 0;
  private reconnecting = false;
  private failed = false;
  private paused = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private lastSpeechAtMs = 0;
  private lastTurnEndAtMs = 0;
  private lastStartedAtMs = 0;
  private lastResultAtMs = 0;
  private finalizeTimer: NodeJS.Timeout | undefined;
  private readonly ticker: NodeJS.Timeout;

  constructor(
    first: ListenConnection,
    private desired: ListenExpectation,
    private readonly deps: DeepgramStreamDeps,
  ) {
    this.events = new SttEventEmitter(deps.logger);
    this.active = first;
    this.activeKey = expectationKey(desired);
    this.attach(first);
    this.ticker = setInterval(() => this.tick(), Math.min(250, deps.keepAliveMs));
    this.ticker.unref();
  }

  onEvent(listener: (e: SttEvent) => void): void {
    this.events.subscribe(listener);
  }

  /** Forwards as-is; buffers (bounded) while reconnecting; drops while paused or failed. */
  write(ulaw: Buffer): void {
    if (this.closed || this.failed || this.paused || ulaw.length === 0) return;
    const now = Date.now();
    if (this.pendingBytes === 0 && this.active.sendAudio(ulaw, now)) return;
    this.pending.push({ chunk: ulaw, wallMs: now });
    this.pendingBytes += ulaw.length;
    while (this.pendingBytes > this.deps.maxBufferMs * 8 && this.pending.length > 1) {
      this.pendingBytes -= this.pending.shift()!.chunk.length;
    }
  }

  setHints(hints: readonly string[], opts: SttHintOptions = {}): void {
    if (this.closed) return;
    this.desired = { hints: [...hints], endpointing: opts.endpointing ?? this.desired.endpointing };
    this.switchRetryAtMs = 0;
    this.maybeSwitch();
  }

  setBotSpeaking(speaking: boolean, interruptible: boolean): void {
    const pause = speaking && !interruptible;
    if (pause && !this.paused && this.speechInProgress()) this.active.sendControl('Finalize');
    this.paused = pause;
  }

  finalize(): void {
    if (this.closed || this.failed) return;
    this.turns.requestFinalize();
    this.active.sendControl('Finalize');
    clearTimeout(this.finalizeTimer);
    this.finalizeTimer = setTimeout(() => {
      const t = this.turns.forceEnd(Date.now());
      if (t) this.emitTurn(t);
    }, this.deps.finalizeTimeoutMs);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Called once when close() starts. */
  onClose(hook: () => void): void {
    this.closeHooks.push(hook);
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.events.stop();
    for (const hook of this.closeHooks.splice(0)) hook();
    clearInterval(this.ticker);
    clearTimeout(this.finalizeTimer);
    this.abort.abort();
    const conns = new Set([this.active, ...this.draining]);
    if (this.standby?.conn) conns.add(this.standby.conn);
    await Promise.all([...conns].map((c) => c.drain(500)));
  }

  private attach(conn: ListenConnection): void {
    conn.onMessage((raw) => this.onMessage(conn, raw));
    conn.onClose((code, reason) => this.onConnClosed(conn, code, reason));
  }

  private onMessage(conn: ListenConnection, raw: unknown): void {
    if (this.closed) return;
    const m = parseListenMessage(raw);
    const now = Date.now();
    if (!m || m.type === 'Metadata') return;
    this.lastResultAtMs = now;
    if (m.type === 'SpeechStarted') {
      this.lastSpeechAtMs = now;
      const fresh = this.lastStartedAtMs <= this.lastTurnEndAtMs;
      if (!fresh && now - this.lastStartedAtMs < SPEECH_STARTED_DEDUPE_MS) return;
      this.lastStartedAtMs = now;
      this.emit({ type: 'speech.started', atMs: conn.wallAt(m.timestampSec, now) });
      return;
    }
    if (m.type === 'UtteranceEnd') {
      const t = this.turns.onUtteranceEnd(now);
      if (t) this.emitTurn(t);
      return;
    }
    if (m.transcript) this.lastSpeechAtMs = now;
    const e = this.turns.onResults(m, conn.wallAt(m.endSec, now), now);
    if (e?.type === 'transcript') this.emitTurn(e);
    else if (e) this.emit(e);
  }

  private emitTurn(t: Extract<SttEvent, { type: 'transcript' }>): void {
    this.lastTurnEndAtMs = Date.now();
    if (!this.turns.finalizePending) clearTimeout(this.finalizeTimer);
    this.deps.logger.debug(
      { pii: { text: t.text }, confidence: t.confidence, latencyMs: t.finalAtMs - t.speechEndMs },
      'stt.final',
    );
    this.emit(t);
    this.maybeSwitch();
  }

  private speechInProgress(): boolean {
    if (this.turns.inProgress) return true;
    return (
      this.lastSpeechAtMs > this.lastTurnEndAtMs &&
      Date.now() - this.lastSpeechAtMs < SPEECH_HOLD_MS
    );
  }

  private tick(): void {
    if (this.closed) return;
    const now = Date.now();
    for (const c of [this.active, this.standby?.conn]) {
      if (c && c.isOpen() && now - c.lastSendAtMs >= this.deps.keepAliveMs)
        c.sendControl('KeepAlive');
    }
    if (this.turns.inProgress && now - this.lastResultAtMs > STALE_TURN_MS) {
      const t = this.turns.onUtteranceEnd(now);
      if (t) this.emitTurn(t);
    }
    this.maybeSwitch();
  }

  /** Make-before-break towards `desired` (see the class comment). */
  private maybeSwitch(): void {
    if (this.closed || this.failed || this.reconnecting) return;
    const key = expectationKey(this.desired);
    if (this.standby && this.standby.key !== key) {
      this.standby.conn?.close();
      this.standby = undefined;
    }
    if (this.standby) {
      if (this.standby.conn && !this.speechInProgress()) this.promote();
      return;
    }
    if (key === this.activeKey || this.speechInProgress() || Date.now() < this.switchRetryAtMs)
      return;
    const standby: { key: string; conn?: ListenConnection } = { key };
    this.standby = standby;
    this.deps.connect(this.desired, this.deps.connectTimeoutMs, this.abort.signal).then(
      (conn) => {
        if (this.standby !== standby || this.closed) return void conn.drain(0);
        standby.conn = conn;
        this.attach(conn);
        this.maybeSwitch();
      },
      (err: unknown) => {
        if (this.standby === standby) this.standby = undefined;
        this.switchRetryAtMs = Date.now() + SWITCH_RETRY_MS;
        this.deps.logger.warn({ err }, 'stt.deepgram_switch_failed');
      },
    );
  }

  private promote(): void {
    const next = this.standby?.conn;
    if (!next) return;
    const old = this.active;
    this.active = next;
    this.activeKey = this.standby!.key;
    this.standby = undefined;
    this.replayPending();
    this.draining.add(old);
    void old.drain(DRAIN_MS).then(() => this.draining.delete(old));
  }

  private onConnClosed(conn: ListenConnection, code: number, reason: string): void {
    if (this.standby?.conn === conn) this.standby = undefined;
    if (conn !== this.active || this.closed || this.failed) return;
    this.deps.logger.warn({ code, reason }, 'stt.deepgram_dropped');
    if (this.standby?.conn?.isOpen()) return this.promote();
    this.standby?.conn?.close();
    this.standby = undefined;
    void this.reconnect(Date.now() + this.deps.reconnectBudgetMs);
  }

  private async reconnect(deadline: number): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    let lastError: ProviderError | undefined;
    for (let attempt = 0; !this.closed; attempt++) {
      const waitMs = Math.min(BACKOFF_MS[attempt] ?? BACKOFF_MS.at(-1)!, deadline - Date.now());
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.closed) break;
      try {
        const conn = await this.deps.connect(this.desired, remaining, this.abort.signal);
        if (this.closed) return void conn.drain(0);
        this.active = conn;
        this.activeKey = expectationKey(this.desired);
        this.attach(conn);
        this.reconnecting = false;
        this.replayPending();
        return;
      } catch (err) {
        lastError = err instanceof ProviderError ? err : undefined;
        if (lastError && !lastError.retryable) break;
      }
    }
    this.reconnecting = false;
    if (!this.closed) this.giveUp(lastError);
  }

  private giveUp(cause: ProviderError | undefined): void {
    this.failed = true;
    this.pending = [];
    this.pendingBytes = 0;
    const auth = cause?.code === 'STT_AUTH';
    const error = new ProviderError(PROVIDER, !auth, 'deepgram connection lost', {
      code: auth ? 'STT_AUTH' : 'PROVIDER_UNAVAILABLE',
      cause,
    });
    this.deps.logger.warn({ code: error.code }, 'stt.provider_error');
    this.emit({ type: 'error', error });
  }

  private replayPending(): void {
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const p of pending) this.active.sendAudio(p.chunk, p.wallMs);
  }

  private emit(e: SttEvent): void {
    if (!this.closed) this.events.emit(e);
  }
}
