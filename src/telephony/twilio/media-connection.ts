import { WebSocket, type RawData } from 'ws';
import type { Pacer } from '../../media/pacer.js';
import { errorSummary } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { parseFrame, type MessageError } from './codec.js';
import { CloseCode, newLegStats, type LegStats } from './leg-stats.js';
import type { StartMessage } from './messages.js';
import { TwilioLeg, type LegTransport } from './twilio-leg.js';

/** After asking to close, how long the close handshake may take before the socket is killed. */
const CLOSE_GRACE_MS = 2000;
/** Malformed frames logged per connection before logging only every 100th. */
const MALFORMED_LOG_FIRST = 5;

export interface MediaConnectionDeps {
  logger: Logger;
  pacer: Pacer;
  /** Monotonic clock for timeouts. */
  now: () => number;
  /** A valid `start` arrived and `conn.leg` now exists. */
  onStart(conn: MediaConnection): void;
  /** The leg stopped (any reason); the socket may still be closing. */
  onLegStopped(conn: MediaConnection): void;
  /** The socket is closed; called once, last. */
  onClosed(conn: MediaConnection): void;
}

export type TimeoutKind = 'start' | 'idle';

/**
 * One Media Streams WebSocket: waits for `start` (ignoring `connected`), then hands every message
 * to its TwilioLeg. Invalid frames are counted and logged without contents; the call goes on.
 */
export class MediaConnection {
  readonly stats: LegStats = newLegStats();
  readonly openedAtMs: number;
  lastMessageAtMs: number;
  leg: TwilioLeg | undefined;
  private readonly closedPromise: Promise<void>;
  private killTimer: NodeJS.Timeout | undefined;
  private log: Logger;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: MediaConnectionDeps,
  ) {
    this.openedAtMs = this.lastMessageAtMs = deps.now();
    this.log = deps.logger;
    this.closedPromise = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.once('close', (code) => this.onClose(code));
    ws.on('error', (err) => this.log.warn({ err: errorSummary(err) }, 'media socket error'));
  }

  readonly transport: LegTransport = {
    send: (text) => {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
    },
    close: (code, reason) => this.close(code, reason),
  };

  /** Close the socket (idempotent); resolves when closed. */
  close(code: number, reason: string): Promise<void> {
    const state = this.ws.readyState;
    if (state === WebSocket.CLOSED) return this.closedPromise;
    if (state !== WebSocket.CLOSING) this.ws.close(code, reason);
    if (!this.killTimer) {
      this.killTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
      this.killTimer.unref();
    }
    return this.closedPromise;
  }

  /**
   * Called by the server's sweeper. Closes the stream when `start` is overdue or the stream has
   * gone quiet (Twilio sends audio continuously, silence included, so quiet means dead).
   * A limit of 0 disables that check. Returns which timeout fired, if any.
   */
  checkTimeouts(
    now: number,
    startTimeoutMs: number,
    idleTimeoutMs: number,
  ): TimeoutKind | undefined {
    if (this.ws.readyState !== WebSocket.OPEN) return undefined;
    if (!this.leg) {
      if (startTimeoutMs <= 0 || now - this.openedAtMs < startTimeoutMs) return undefined;
      this.log.warn(
        { code: 'STREAM_TIMEOUT', waitedMs: Math.round(now - this.openedAtMs) },
        'no start message',
      );
      void this.close(CloseCode.timeout, 'start timeout');
      return 'start';
    }
    if (this.leg.stopped || idleTimeoutMs <= 0 || now - this.lastMessageAtMs < idleTimeoutMs)
      return undefined;
    this.log.warn(
      { code: 'STREAM_TIMEOUT', quietMs: Math.round(now - this.lastMessageAtMs) },
      'media stream idle',
    );
    void this.leg.stop('timeout');
    return 'idle';
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    this.lastMessageAtMs = this.deps.now();
    const r = parseFrame(toBuffer(data), isBinary);
    if (!r.ok) return this.onMalformed(r.error);
    const m = r.message;
    if (this.leg) return this.leg.handleMessage(m);
    if (m.event === 'connected') return;
    if (m.event === 'start') return this.begin(m);
    this.stats.unexpected++;
    this.log.debug({ event: m.event }, 'media stream message before start');
  }

  private begin(start: StartMessage): void {
    this.log = this.deps.logger.child({ callSid: start.start.callSid, streamSid: start.streamSid });
    this.leg = new TwilioLeg(start, {
      transport: this.transport,
      pacer: this.deps.pacer,
      logger: this.log,
      stats: this.stats,
      onStopped: () => this.deps.onLegStopped(this),
    });
    this.deps.onStart(this);
  }

  private onMalformed(error: MessageError): void {
    const n = ++this.stats.malformed;
    if (n > MALFORMED_LOG_FIRST && n % 100 !== 0) return;
    // Never the frame itself: it may carry caller audio or digits.
    const { code, reason, event, issues } = error;
    this.log.warn({ code, reason, event, issues, malformed: n }, 'invalid media stream message');
  }

  private onClose(code: number): void {
    clearTimeout(this.killTimer);
    this.log.debug({ closeCode: code }, 'media socket closed');
    if (this.leg) void this.leg.stop('closed');
    this.deps.onClosed(this);
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
