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
  const { config, logger } = deps;
  const now = deps.now ?? (() => performance.now());
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const connections = new Set<MediaConnection>();
  const live = new Map<string, MediaConnection>();
  const retired = newLegStats();
  const counters = {
    upgradesAccepted: 0,
    upgradesRejected: 0,
    startTimeouts: 0,
    idleTimeouts: 0,
    replaced: 0,
  };

  const unregister = (conn: MediaConnection) => {
    const sid = conn.leg?.info.callSid;
    if (sid !== undefined && live.get(sid) === conn) live.delete(sid);
  };

  const onStart = (conn: MediaConnection) => {
    const leg = conn.leg!;
    const { callSid, streamSid } = leg.info;
    const previous = live.get(callSid);
    live.set(callSid, conn); // before stopping the old one, so its unregister leaves this entry
    if (previous?.leg) {
      counters.replaced++;
      logger.warn(
        {
          code: 'STREAM_DUPLICATE',
          callSid,
          streamSid,
          replacedStreamSid: previous.leg.info.streamSid,
        },
        'second media stream for a call: the newer one replaces the older',
      );
      void previous.leg.stop('replaced');
    }
    logger.info({ callSid, streamSid, flowId: leg.info.params.flowId }, 'media stream started');
    try {
      deps.onLeg(leg);
    } catch (err) {
      logger.error({ err: errorSummary(err), callSid }, 'onLeg threw; hanging up');
      void leg.hangUp('internal error');
    }
  };

  const accept = (ws: WebSocket) => {
    counters.upgradesAccepted++;
    const conn = new MediaConnection(ws, {
      logger,
      pacer: deps.pacer,
      now,
      onStart,
      onLegStopped: unregister,
      onClosed: (c) => {
        unregister(c);
        connections.delete(c);
        addLegStats(retired, c.stats);
      },
    });
    connections.add(conn);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(req.url) !== MEDIA_PATH) {
      // Another upgrade handler may own this path; answer only if nobody else is listening.
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404, 'NOT_FOUND');
      return;
    }
    const check = checkMediaUpgrade(config, req);
    if (!check.ok) {
      counters.upgradesRejected++;
      logger.warn({ code: check.code, reason: check.reason }, 'media upgrade signature rejected');
      refuse(socket, 403, check.code);
      return;
    }
    wss.handleUpgrade(req, socket, head, accept);
  };

  const sweep = () => {
    const t = now();
    const { startTimeoutMs, idleTimeoutMs } = config.media;
    for (const c of connections) {
      const fired = c.checkTimeouts(t, startTimeoutMs, idleTimeoutMs);
      if (fired === 'start') counters.startTimeouts++;
      else if (fired === 'idle') counters.idleTimeouts++;
    }
  };
  const sweepMs = sweepInterval(config.media.startTimeoutMs, config.media.idleTimeoutMs);
  const timer = sweepMs === undefined ? undefined : setInterval(sweep, sweepMs);
  timer?.unref();

  server.on('upgrade', onUpgrade);
  server.once('close', () => clearInterval(timer));

  return {
    getMediaStats: () => {
      const legs = addLegStats(newLegStats(), retired);
      for (const c of connections) addLegStats(legs, c.stats);
      return { connections: connections.size, liveStreams: live.size, ...counters, legs };
    },
    close: () => {
      clearInterval(timer);
      server.off('upgrade', onUpgrade);
      for (const c of connections) {
        if (c.leg) void c.leg.stop('closed');
        else void c.close(CloseCode.goingAway, 'shutting down');
      }
      wss.close();
    },
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
