import { WebSocket, type RawData } from 'ws';
import {
  encodeInbound,
  parseOutbound,
  type MessageError,
} from '../../src/telephony/twilio/codec.js';
import type { TwilioInbound } from '../../src/telephony/twilio/messages.js';
import { InboundPump } from './twilio-inbound-pump.js';
import { PlaybackBuffer, type Utterance } from './twilio-playback.js';
import type {
  ClientCounts,
  ClientEvents,
  ClientStats,
  CloseInfo,
  StreamClientOptions,
  StreamIdentity,
} from './twilio-stream-types.js';
import { TypedEmitter } from './typed-emitter.js';

export type * from './twilio-stream-types.js';

const DEFAULT_WAIT_MS = 30_000;

/**
 * The Twilio side of one bidirectional Media Stream. Create it with `placeCall` or
 * `connectStream` (scripts/lib/twilio-client.ts); it has already sent `connected` and `start`.
 */
export class TwilioStreamClient extends TypedEmitter<ClientEvents> {
  readonly counts: ClientCounts = {
    mediaSent: 0,
    dtmfSent: 0,
    rawSent: 0,
    mediaReceived: 0,
    bytesReceived: 0,
    marksReceived: 0,
    marksEchoed: 0,
    clearsReceived: 0,
    invalidReceived: 0,
  };
  readonly playback: PlaybackBuffer;
  readonly closed: Promise<CloseInfo>;
  /** Every mark name echoed, in order. */
  readonly echoedMarks: string[] = [];
  lastInvalid: MessageError | undefined;
  private readonly received: Buffer[] = [];
  private readonly keepAudio: boolean;
  private seq = 0;
  private chunk = 0;
  private startedAtMs = 0;
  private readonly pump: InboundPump;
  private closeInitiator: CloseInfo['initiatedBy'] = 'server';

  constructor(
    private readonly ws: WebSocket,
    readonly identity: StreamIdentity,
    opts: StreamClientOptions = {},
  ) {
    super();
    this.pump = new InboundPump((frame) => this.sendMedia(frame), opts.silenceWhenIdle ?? true);
    this.keepAudio = opts.keepAudio ?? true;
    this.playback = new PlaybackBuffer(
      {
        markReached: (name) => this.echoMark(name),
        utteranceEnded: (u) => this.emit('utterance', u),
      },
      opts,
    );
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => resolve(this.onClose(code, reason.toString())));
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** The bot's audio is in progress (playing, or paused for less than `quietMs`). */
  get botSpeaking(): boolean {
    return this.playback.speaking;
  }

  /** Sends `connected` then `start`, as Twilio does right after the upgrade. */
  begin(opts: { sendStart?: boolean } = {}): void {
    this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    if (opts.sendStart === false) return;
    const { accountSid, callSid, streamSid, customParameters } = this.identity;
    this.startedAtMs = performance.now();
    this.send({
      event: 'start',
      sequenceNumber: this.nextSeq(),
      streamSid,
      start: {
        accountSid,
        streamSid,
        callSid,
        tracks: ['inbound'],
        customParameters: { ...customParameters },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    this.pump.start();
  }

  /** One inbound media message now (any length; Twilio sends 160 bytes). */
  sendMedia(ulaw: Buffer): void {
    this.counts.mediaSent++;
    this.send({
      event: 'media',
      sequenceNumber: this.nextSeq(),
      streamSid: this.identity.streamSid,
      media: {
        track: 'inbound',
        chunk: String(++this.chunk),
        timestamp: String(Math.max(0, Math.round(performance.now() - this.startedAtMs))),
        payload: ulaw.toString('base64'),
      },
    });
  }

  /**
   * Queue caller audio: 160-byte frames sent one per 20 ms on a drift-corrected clock (silence
   * fills the gaps when `silenceWhenIdle`). Resolves when the last of them has been sent.
   */
  streamFrames(frames: readonly Buffer[]): Promise<void> {
    return this.pump.enqueue(frames);
  }

  /** Start or stop the continuous silence between queued frames. */
  setSilence(on: boolean): void {
    this.pump.setSilence(on);
  }

  sendDtmf(digit: string): void {
    this.counts.dtmfSent++;
    this.send({
      event: 'dtmf',
      streamSid: this.identity.streamSid,
      sequenceNumber: this.nextSeq(),
      dtmf: { track: 'inbound_track', digit },
    });
  }

  /** Anything, unvalidated (malformed-message tests). */
  sendRaw(data: string | Buffer, opts: { binary?: boolean } = {}): void {
    this.counts.rawSent++;
    this.ws.send(data, { binary: opts.binary ?? Buffer.isBuffer(data) });
  }

  /** Twilio ending the stream: `stop`, then close (1000). Resolves with the close. */
  stop(): Promise<CloseInfo> {
    if (this.open) {
      const { accountSid, callSid, streamSid } = this.identity;
      this.send({
        event: 'stop',
        sequenceNumber: this.nextSeq(),
        streamSid,
        stop: { accountSid, callSid },
      });
      this.closeSocket(1000);
    }
    return this.closed;
  }

  /** Close without `stop` (e.g. a network path closing cleanly). */
  closeSocket(code = 1000, reason = ''): void {
    this.closeInitiator = 'client';
    this.pump.stop();
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(code, reason);
  }

  /** Kill the TCP connection (no close frame; the server sees 1006). */
  drop(): void {
    this.closeInitiator = 'client';
    this.ws.terminate();
  }

  /** Every outbound audio byte received, in order (when audio is kept). */
  receivedAudio(): Buffer {
    return Buffer.concat(this.received);
  }

  stats(): ClientStats {
    const p = this.playback;
    return {
      ...this.counts,
      underruns: p.underruns,
      underrunMs: p.underrunMs,
      maxBufferedMs: p.maxBufferedMs,
      utterances: p.utterances.length,
    };
  }

  /**
   * Resolves with the first utterance numbered `after` or later once it has finished
   * (default: the one in progress, else the next one). Capture `client.playback.utterances.length`
   * before acting and pass it as `after` to avoid missing a fast reply.
   */
  waitForBotFinished(opts: { after?: number; timeoutMs?: number } = {}): Promise<Utterance> {
    const after = opts.after ?? this.playback.utterances.length;
    const done = this.playback.utterances[after];
    if (done) return Promise.resolve(done);
    return this.waitFor('utterance', (u) => u.index >= after, opts.timeoutMs).then(([u]) => u);
  }

  /** Resolves when the bot's audio starts arriving (at once if it is speaking). */
  async waitForBotSpeaking(timeoutMs?: number): Promise<void> {
    if (this.botSpeaking) return;
    await this.waitFor('media', () => true, timeoutMs);
  }

  /** Resolves with the arguments of the next `event` that satisfies `predicate`. */
  waitFor<K extends keyof ClientEvents>(
    event: K,
    predicate: (...args: ClientEvents[K]) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<ClientEvents[K]> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        off();
        offClose();
        clearTimeout(timer);
      };
      const off = this.on(event, (...args) => {
        if (!predicate(...args)) return;
        cleanup();
        resolve(args);
      });
      const offClose = this.on('close', (info) => {
        if (event === 'close') return;
        cleanup();
        reject(new Error(`stream closed (${info.code}) while waiting for ${String(event)}`));
      });
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(event)}`));
      }, timeoutMs);
    });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const text = isBinary ? undefined : rawText(data);
    const r = text === undefined ? undefined : parseOutbound(text);
    if (!r?.ok || r.message.streamSid !== this.identity.streamSid) {
      this.counts.invalidReceived++;
      if (r && !r.ok) this.lastInvalid = r.error;
      return;
    }
    const m = r.message;
    if (m.event === 'media') {
      const audio = Buffer.from(m.media.payload, 'base64');
      this.counts.mediaReceived++;
      this.counts.bytesReceived += audio.length;
      if (this.keepAudio) this.received.push(audio);
      this.playback.pushAudio(audio);
      this.emit('media', audio);
    } else if (m.event === 'mark') {
      this.counts.marksReceived++;
      this.emit('markReceived', m.mark.name);
      this.playback.pushMark(m.mark.name);
    } else {
      this.counts.clearsReceived++;
      this.playback.clear();
      this.emit('clear');
    }
  }

  /** Twilio echoes a mark only after all earlier media has played (or was cleared). */
  private echoMark(name: string): void {
    if (!this.open) return;
    this.counts.marksEchoed++;
    this.echoedMarks.push(name);
    this.send({
      event: 'mark',
      sequenceNumber: this.nextSeq(),
      streamSid: this.identity.streamSid,
      mark: { name },
    });
    this.emit('markEchoed', name);
  }

  private onClose(code: number, reason: string): CloseInfo {
    this.pump.stop();
    this.playback.close();
    const info: CloseInfo = { code, reason, initiatedBy: this.closeInitiator };
    this.emit('close', info);
    return info;
  }

  private nextSeq(): string {
    return String(++this.seq);
  }

  private send(message: TwilioInbound): void {
    if (this.open) this.ws.send(encodeInbound(message));
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
