import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { loadConfig, type Config } from '../../../src/config.js';
import { twilioRouter, type CallStatusEvent } from '../../../src/http/twilio.routes.js';
import { silentLogger } from '../../../src/logger.js';
import { Pacer } from '../../../src/media/pacer.js';
import { attachMediaServer, type MediaServer } from '../../../src/telephony/twilio/media-server.js';
import type { CallLeg, LegEvent } from '../../../src/telephony/types.js';

export const AUTH_TOKEN = 'test-auth-token-0123456789';
export const PUBLIC_URL = 'https://ivr.example.test';

/** How the test bot reacts to each leg event (the real app wires a CallSession here). */
export type Behaviour = (leg: CallLeg, e: LegEvent) => void;

/** µ-law "tone" of `ms` milliseconds, a different byte per digit (content is irrelevant). */
export function tone(digit: string, ms: number): Buffer {
  return Buffer.alloc(ms * 8, 0x20 + '0123456789*#'.indexOf(digit));
}

/** Echo each DTMF digit as 200 ms of audio followed by the mark `dtmf-<digit>`. */
export const dtmfEcho: Behaviour = (leg, e) => {
  if (e.type !== 'dtmf') return;
  leg.playAudio(tone(e.digit, 200));
  leg.sendMark(`dtmf-${e.digit}`);
};

export interface LegRecord {
  leg: CallLeg;
  events: LegEvent[];
}

export interface TestServer {
  url: string;
  config: Config;
  media: MediaServer;
  legs: LegRecord[];
  statuses: CallStatusEvent[];
  /** Replace to make onStatus fail. */
  onStatus: (e: CallStatusEvent) => void;
  /** Resolves with the n-th leg (0-based) once it exists. */
  leg(n: number): Promise<LegRecord>;
  close(): Promise<void>;
}

export async function startTwilioServer(
  opts: { env?: Record<string, string>; behaviour?: Behaviour } = {},
): Promise<TestServer> {
  const config = loadConfig({
    NODE_ENV: 'test',
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    PUBLIC_BASE_URL: PUBLIC_URL,
    PACE_LEAD_MS: '60',
    ...opts.env,
  });
  const logger = silentLogger();
  const pacer = new Pacer(config.media.paceLeadMs);
  const behaviour = opts.behaviour ?? dtmfEcho;
  const legs: LegRecord[] = [];
  const statuses: CallStatusEvent[] = [];
  const app = express();
  const ts = { onStatus: (e: CallStatusEvent) => void statuses.push(e) };
  app.use(twilioRouter({ config, logger, onStatus: (e) => ts.onStatus(e) }));
  const server: Server = createServer(app);
  const media = attachMediaServer(server, {
    config,
    logger,
    pacer,
    onLeg: (leg) => {
      const rec: LegRecord = { leg, events: [] };
      legs.push(rec);
      leg.onEvent((e) => {
        rec.events.push(e);
        behaviour(leg, e);
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return Object.assign(ts, {
    url: `http://127.0.0.1:${port}`,
    config,
    media,
    legs,
    statuses,
    leg: async (n: number) => {
      await waitUntil(() => legs[n] !== undefined);
      return legs[n]!;
    },
    close: async () => {
      media.close();
      pacer.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  });
}

/** Polls `predicate` every 5 ms; rejects after `timeoutMs`. For waiting, never for timing. */
export async function waitUntil(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error('waitUntil: condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const marksOf = (events: readonly LegEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'mark' ? [e.name] : []));

export const stopOf = (events: readonly LegEvent[]): string | undefined => {
  const last = events.at(-1);
  return last?.type === 'call.stopped' ? last.reason : undefined;
};
