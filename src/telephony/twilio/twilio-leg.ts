import { nowMs } from '../../clock.js';
import { FRAME_BYTES } from '../../media/framing.js';
import type { PacedStream, Pacer } from '../../media/pacer.js';
import { errorSummary } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CallInfo, CallLeg, LegEvent } from '../types.js';
import { encodeClear, encodeMark, mediaEncoder } from './codec.js';
import { CloseCode, type LegStats } from './leg-stats.js';
import type { DtmfMessage, MediaMessage, StartMessage, TwilioInbound } from './messages.js';

/** The socket under a leg. `send` is a no-op once the socket is closing. */
export interface LegTransport {
  send(text: string): void;
  /** Close the socket; resolves once it is closed (never rejects). Idempotent. */
  close(code: number, reason: string): Promise<void>;
}

export type StopReason = Extract<LegEvent, { type: 'call.stopped' }>['reason'];

export interface TwilioLegDeps {
  transport: LegTransport;
  pacer: Pacer;
  /** Per-call child logger. */
  logger: Logger;
  /** Counters shared with the connection (malformed frames are counted there). */
  stats: LegStats;
  /** Clock for `receivedAtMs` (default: wall-clock ms, as `nowMs()`). */
  now?: () => number;
  /** Called once, synchronously, when the leg stops for any reason. */
  onStopped?: (leg: TwilioLeg, reason: StopReason) => void;
}

const STOP_CLOSE_CODE: Record<StopReason, number> = {
  stop: CloseCode.normal,
  closed: CloseCode.normal,
  hangup: CloseCode.normal,
  timeout: CloseCode.timeout,
  replaced: CloseCode.replaced,
};

/**
 * A CallLeg over one Twilio Media Stream, from its `start` message on.
 *
 * Events go out in protocol order, starting with `call.started` and ending with exactly one
 * `call.stopped`; nothing follows it. Events emitted before `onEvent` is called are buffered.
 * Outbound audio is paced (see PacedStream): at most the pacer's lead is ever buffered at Twilio.
 * Every mark passed to `sendMark` comes back exactly once as a `mark` event, in order: echoed by
 * Twilio when played or cleared, or, if `clearAudio` dropped it before it was sent, by this leg
 * right after every earlier mark has come back.
 */
export class TwilioLeg implements CallLeg {
  readonly info: CallInfo;
  private listener: ((e: LegEvent) => void) | undefined;
  private readonly queue: LegEvent[] = [];
  private dispatching = false;
  private final = false;
  private stopReason: StopReason | undefined;
  private closed: Promise<void> | undefined;
  private readonly paced: PacedStream;
  private readonly encodeMedia: (ulaw: Buffer) => string;
  private readonly now: () => number;
  private readonly log: Logger;
  /** A partial frame from `playAudio`, waiting for more audio or a mark. */
  private tail: Buffer | undefined;
  /** Marks sent to Twilio and not yet echoed, in send order. */
  private readonly outstanding: { name: string; seq: number }[] = [];
  private markSeq = 0;
  /** Marks `clearAudio` dropped before sending; emitted once marks up to `afterSeq` are echoed. */
  private readonly dropped: { afterSeq: number; names: string[] }[] = [];
  private lastSeq = 0;

  constructor(
    start: StartMessage,
    private readonly deps: TwilioLegDeps,
  ) {
    const s = start.start;
    this.info = {
      callSid: s.callSid,
      streamSid: s.streamSid,
      accountSid: s.accountSid,
      params: { ...s.customParameters },
    };
    this.lastSeq = Number(start.sequenceNumber);
    this.now = deps.now ?? nowMs;
    this.log = deps.logger;
    this.encodeMedia = mediaEncoder(s.streamSid);
    this.paced = deps.pacer.open({
      sendFrame: (frame) => this.sendFrame(frame),
      sendMark: (name) => this.sendMarkNow(name),
    });
    this.emit({ type: 'call.started', info: this.info });
  }

  get stats(): Readonly<LegStats> {
    return this.deps.stats;
  }

  get stopped(): boolean {
    return this.stopReason !== undefined;
  }

  onEvent(listener: (e: LegEvent) => void): void {
    if (this.listener) throw new Error('TwilioLeg: onEvent accepts one listener');
    this.listener = listener;
    // Deliver buffered events after the caller has finished registering, never inside onEvent.
    queueMicrotask(() => this.drain());
  }

  /**
   * Takes ownership of `ulaw` (do not mutate it afterwards). Any length: whole 20 ms frames are
   * queued at once; a partial tail waits for more audio or a mark (then padded with silence).
   */
  playAudio(ulaw: Buffer): void {
    if (this.stopReason || ulaw.length === 0) return;
    let buf = ulaw;
    if (this.tail) {
      buf = Buffer.concat([this.tail, ulaw]);
      this.tail = undefined;
    }
    if (buf.length === FRAME_BYTES) return this.paced.enqueueFrame(buf);
    let off = 0;
    for (; off + FRAME_BYTES <= buf.length; off += FRAME_BYTES) {
      this.paced.enqueueFrame(buf.subarray(off, off + FRAME_BYTES));
    }
    if (off < buf.length) this.tail = Buffer.from(buf.subarray(off));
  }

  sendMark(name: string): void {
    if (this.stopReason) return;
    this.flushTail();
    this.paced.enqueueMark(name);
  }

  clearAudio(): void {
    if (this.stopReason) return;
    this.tail = undefined;
    const names = this.paced.clear();
    this.deps.stats.clears++;
    this.deps.transport.send(encodeClear(this.info.streamSid));
    if (names.length === 0) return;
    this.dropped.push({ afterSeq: this.markSeq, names });
    // Deferred: clearAudio() never calls the listener re-entrantly.
    queueMicrotask(() => this.emitDropped());
  }

  /** Drops unplayed audio: wait for your mark first. Twilio then runs the next verb (<Hangup/>). */
  hangUp(reason: string): Promise<void> {
    if (!this.stopReason) this.log.info({ reason }, 'hanging up');
    return this.stop('hangup');
  }

  /**
   * End the leg: stop sending, emit `call.stopped`, close the socket with the matching code.
   * Idempotent; the first reason wins. Resolves when the socket is closed.
   */
  stop(reason: StopReason): Promise<void> {
    if (this.closed) return this.closed;
    this.stopReason = reason;
    this.tail = undefined;
    this.paced.close();
    this.emit({ type: 'call.stopped', reason });
    this.deps.onStopped?.(this, reason);
    this.closed = this.deps.transport.close(STOP_CLOSE_CODE[reason], reason);
    return this.closed;
  }

  /** Feed one parsed message (after `start`) from the connection. */
  handleMessage(m: TwilioInbound): void {
    if (this.stopReason) return;
    if (m.event === 'connected' || m.event === 'start' || m.streamSid !== this.info.streamSid) {
      this.deps.stats.unexpected++;
      this.log.debug({ event: m.event }, 'unexpected media stream message');
      return;
    }
    const seq = Number(m.sequenceNumber);
    if (seq !== this.lastSeq + 1) this.deps.stats.sequenceGaps++;
    this.lastSeq = seq;
    switch (m.event) {
      case 'media':
        return this.onMedia(m);
      case 'dtmf':
        return this.onDtmf(m);
      case 'mark':
        return this.onMark(m.mark.name);
      case 'stop':
        void this.stop('stop');
        return;
    }
  }

  private onMedia(m: MediaMessage): void {
    // A bidirectional stream carries only the caller; anything else is not ours to hear.
    if (m.media.track !== 'inbound') return;
    this.deps.stats.framesIn++;
    const frame = Buffer.from(m.media.payload, 'base64');
    this.emit({ type: 'audio', frame, receivedAtMs: this.now() });
  }

  private onDtmf(m: DtmfMessage): void {
    this.deps.stats.dtmf++;
    this.emit({ type: 'dtmf', digit: m.dtmf.digit, receivedAtMs: this.now() });
  }

  /** Twilio echoes marks in the order sent, each only after all earlier media has played. */
  private onMark(name: string): void {
    const i = this.outstanding.findIndex((o) => o.name === name);
    if (i < 0) {
      this.deps.stats.unexpected++;
      return;
    }
    this.outstanding.splice(i, 1);
    this.deps.stats.marksEchoed++;
    this.emit({ type: 'mark', name });
    this.emitDropped();
  }

  /** Emit marks dropped by `clearAudio` once every mark sent before that clear is back. */
  private emitDropped(): void {
    for (let d = this.dropped[0]; d; d = this.dropped[0]) {
      const head = this.outstanding[0];
      if (head && head.seq <= d.afterSeq) return;
      this.dropped.shift();
      for (const name of d.names) this.emit({ type: 'mark', name });
    }
  }

  private sendFrame(frame: Buffer): void {
    const s = this.deps.stats;
    s.framesOut++;
    s.lateFrames = this.paced.stats.lateFrames;
    this.deps.transport.send(this.encodeMedia(frame));
  }

  private sendMarkNow(name: string): void {
    this.outstanding.push({ name, seq: ++this.markSeq });
    this.deps.stats.marksSent++;
    this.deps.transport.send(encodeMark(this.info.streamSid, name));
  }

  private flushTail(): void {
    if (!this.tail) return;
    const frame = Buffer.alloc(FRAME_BYTES, 0xff); // µ-law silence
    this.tail.copy(frame);
    this.tail = undefined;
    this.paced.enqueueFrame(frame);
  }

  private emit(e: LegEvent): void {
    if (this.final) return;
    if (e.type === 'call.stopped') this.final = true;
    this.queue.push(e);
    this.drain();
  }

  /** Delivers queued events in order; re-entrant emits are appended, not nested. */
  private drain(): void {
    const listener = this.listener;
    if (!listener || this.dispatching) return;
    this.dispatching = true;
    try {
      for (let e = this.queue.shift(); e; e = this.queue.shift()) {
        try {
          listener(e);
        } catch (err) {
          this.log.error({ err: errorSummary(err), event: e.type }, 'call leg listener threw');
        }
      }
    } finally {
      this.dispatching = false;
    }
  }
}
