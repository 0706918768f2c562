import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../../config.js';
import { errorSummary } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Pacer } from '../../media/pacer.js';
import { checkMediaUpgrade, MEDIA_PATH } from '../../http/twilio-signature.js';
import type { CallLeg } from '../types.js';
import { addLegStats, CloseCode, newLegStats, type LegStats } from './leg-stats.js';
import { MediaConnection } from './media-connection.js';

/** Twilio's largest message is `start` with its custom parameters; media frames are ~0.4 KB. */
const MAX_MESSAGE_BYTES = 64 * 1024;

export interface MediaServerDeps {
  config: Pick<Config, 'publicBaseUrl' | 'twilio' | 'media'>;
  logger: Logger;
  pacer: Pacer;
  /** A stream sent a valid `start`; its leg is live. Called synchronously, once per stream. */
  onLeg(leg: CallLeg): void;
  /** Monotonic clock for the start/idle timeouts (default performance.now). */
  now?: () => number;
}

export interface MediaStats {
  /** Open media sockets, including those still waiting for `start`. */
  connections: number;
  /** Streams that sent `start` and have not stopped (one per callSid). */
  liveStreams: number;
  upgradesAccepted: number;
  /** Upgrades refused with 403 (bad or missing X-Twilio-Signature). */
  upgradesRejected: number;
  startTimeouts: number;
  idleTimeouts: number;
  /** Streams replaced by a newer stream for the same callSid. */
  replaced: number;
  /** Protocol counters summed over every stream this server has seen. */
  legs: LegStats;
}

export interface MediaServer {
  getMediaStats(): MediaStats;
  /** Stop accepting upgrades and close every media socket (1001). */
  close(): void;
}

/**
 * Serves Twilio Media Streams on `GET /media` (WebSocket upgrade) of an existing http server.
 *
 * - With TWILIO_AUTH_TOKEN set, the upgrade must carry a valid X-Twilio-Signature over the ws(s)
 *   form of the public URL with no params; otherwise 403 before any upgrade.
 * - Duplicate rule: at most one live stream per callSid. A newer stream for a callSid replaces
 *   the older one: the old leg gets `call.stopped` (reason `replaced`), stops sending and its
 *   socket is closed (4001) before the new leg is handed to `onLeg`. Twilio reconnecting a call's
 *   stream is the usual cause, and the newest socket is the one Twilio is listening to, so the
 *   caller never hears two bot voices and never hears a dead one.
 * - A socket without `start` within STREAM_START_TIMEOUT_MS, or silent for
 *   STREAM_IDLE_TIMEOUT_MS, is closed (4002; a live leg gets `call.stopped` reason `timeout`).
 */
export function attachMediaServer(server: Server, deps: MediaServerDeps): MediaServer {
  return new TwilioMediaServer(server, deps);
}

class TwilioMediaServer implements MediaServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private readonly connections = new Set<MediaConnection>();
  /** The one live stream per callSid. */
  private readonly live = new Map<string, MediaConnection>();
  /** Counters of closed connections. */
  private readonly retired = newLegStats();
  private readonly counters = {
    upgradesAccepted: 0,
    upgradesRejected: 0,
    startTimeouts: 0,
    idleTimeouts: 0,
    replaced: 0,
  };
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(
    private readonly server: Server,
    private readonly deps: MediaServerDeps,
  ) {
    this.now = deps.now ?? (() => performance.now());
    this.log = deps.logger;
    const { startTimeoutMs, idleTimeoutMs } = deps.config.media;
    const sweepMs = sweepInterval(startTimeoutMs, idleTimeoutMs);
    this.timer = sweepMs === undefined ? undefined : setInterval(this.sweep, sweepMs);
    this.timer?.unref();
    server.on('upgrade', this.onUpgrade);
    server.once('close', () => clearInterval(this.timer));
  }

  getMediaStats(): MediaStats {
    const legs = addLegStats(newLegStats(), this.retired);
    for (const c of this.connections) addLegStats(legs, c.stats);
    return {
      connections: this.connections.size,
      liveStreams: this.live.size,
      ...this.counters,
      legs,
    };
  }

  close(): void {
    clearInterval(this.timer);
    this.server.off('upgrade', this.onUpgrade);
    for (const c of this.connections) {
      if (c.leg) void c.leg.stop('closed');
      else void c.close(CloseCode.goingAway, 'shutting down');
    }
    this.wss.close();
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req.url) !== MEDIA_PATH) {
      // Another upgrade handler may own this path; answer only if nobody else is listening.
      if (this.server.listenerCount('upgrade') === 1) refuse(socket, 404, 'NOT_FOUND');
      return;
    }
    const check = checkMediaUpgrade(this.deps.config, req);
    if (!check.ok) {
      this.counters.upgradesRejected++;
      this.log.warn({ code: check.code, reason: check.reason }, 'media upgrade signature rejected');
      refuse(socket, 403, check.code);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, this.accept);
  };

  private readonly accept = (ws: WebSocket): void => {
    this.counters.upgradesAccepted++;
    const conn = new MediaConnection(ws, {
      logger: this.log,
      pacer: this.deps.pacer,
      now: this.now,
      onStart: this.onStart,
      onLegStopped: this.unregister,
      onClosed: (c) => {
        this.unregister(c);
        this.connections.delete(c);
        addLegStats(this.retired, c.stats);
      },
    });
    this.connections.add(conn);
  };

  /** The duplicate rule: the newer stream for a callSid replaces the live one, which stops first. */
  private readonly onStart = (conn: MediaConnection): void => {
    const leg = conn.leg!;
    const { callSid, streamSid } = leg.info;
    const previous = this.live.get(callSid);
    this.live.set(callSid, conn); // before stopping the old one, so its unregister keeps this entry
    if (previous?.leg) {
      this.counters.replaced++;
      const replacedStreamSid = previous.leg.info.streamSid;
      this.log.warn(
        { code: 'STREAM_DUPLICATE', callSid, streamSid, replacedStreamSid },
        'second media stream for a call: the newer one replaces the older',
      );
      void previous.leg.stop('replaced');
    }
    this.log.info({ callSid, streamSid, flowId: leg.info.params.flowId }, 'media stream started');
    try {
      this.deps.onLeg(leg);
    } catch (err) {
      this.log.error({ err: errorSummary(err), callSid }, 'onLeg threw; hanging up');
      void leg.hangUp('internal error');
    }
  };

  private readonly unregister = (conn: MediaConnection): void => {
    const sid = conn.leg?.info.callSid;
    if (sid !== undefined && this.live.get(sid) === conn) this.live.delete(sid);
  };

  private readonly sweep = (): void => {
    const t = this.now();
    const { startTimeoutMs, idleTimeoutMs } = this.deps.config.media;
    for (const c of this.connections) {
      const fired = c.checkTimeouts(t, startTimeoutMs, idleTimeoutMs);
      if (fired === 'start') this.counters.startTimeouts++;
      else if (fired === 'idle') this.counters.idleTimeouts++;
    }
  };
}

/** Timeouts are checked by one sweep per server, a quarter of the shortest limit (10 ms–1 s). */
function sweepInterval(startTimeoutMs: number, idleTimeoutMs: number): number | undefined {
  const limits = [startTimeoutMs, idleTimeoutMs].filter((ms) => ms > 0);
  if (limits.length === 0) return undefined;
  return Math.min(1000, Math.max(10, Math.floor(Math.min(...limits) / 4)));
}

function pathOf(url: string | undefined): string {
  const q = url?.indexOf('?') ?? -1;
  return (q >= 0 ? url!.slice(0, q) : url) ?? '';
}

function refuse(socket: Duplex, status: 403 | 404, code: string): void {
  const reason = status === 403 ? 'Forbidden' : 'Not Found';
  socket.on('error', () => undefined); // the peer may already be gone
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(code)}\r\n\r\n${code}`,
  );
}
