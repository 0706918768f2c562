/**
 * GET /metrics on the real server: Prometheus text with every metric of this service, behind the
 * admin guard (bearer token; without a token configured, loopback clients only).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runSimulatedCall } from '../../scripts/lib/simulated-call.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import type { MediaStats } from '../../src/telephony/twilio/media-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'metrics-test-token-0123456789';
const NAMES = [
  'ivr_turn_stage_seconds',
  'ivr_provider_errors_total',
  'ivr_provider_fallbacks_total',
  'ivr_live_calls',
  'ivr_provider_up',
  'process_cpu_user_seconds_total',
  'nodejs_eventloop_lag_seconds',
];

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ADMIN_API_TOKEN: TOKEN });
}, 60_000);
afterAll(async () => {
  await srv?.stopAll();
});

const scrape = (headers: Record<string, string> = {}) => fetch(`${srv.url}/metrics`, { headers });
const bearer = { authorization: `Bearer ${TOKEN}` };

describe('GET /metrics with ADMIN_API_TOKEN set', () => {
  it('serves the exposition text with the bearer token', async () => {
    const res = await scrape(bearer);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    for (const name of NAMES) expect(body).toContain(`# TYPE ${name} `);
    expect(body).toMatch(/^ivr_live_calls 0$/m);
  });

  it('refuses a missing or wrong token with 401, even from loopback', async () => {
    expect((await scrape()).status).toBe(401);
    const wrong = await scrape({ authorization: 'Bearer not-the-token-at-all-0000' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { code: string }).code).toBe('UNAUTHORIZED');
  });

  it('a call feeds the turn-stage histogram (reply overhead)', async () => {
    const r = await runSimulatedCall({
      server: srv.url,
      from: '+15550001111',
      to: '+15550002222',
      steps: [{ kind: 'dtmf', digits: '3' }],
    });
    expect(r.problems).toEqual([]);
    const body = await (await scrape(bearer)).text();
    const m = /^ivr_turn_stage_seconds_count\{stage="reply_overhead"\} (\d+)$/m.exec(body);
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

describe('GET /metrics without ADMIN_API_TOKEN (the same app, other listeners)', () => {
  let dir: string;
  let socketPath: string;
  let tcp: http.Server;
  let unix: http.Server;
  beforeAll(async () => {
    const app = buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      logger: silentLogger(),
      store: srv.persistence.recorder,
      registry: srv.registry,
      stats: srv.stats,
      metrics: srv.metrics,
      mediaStats: () => ({ liveStreams: 0 }) as MediaStats,
      onStatus: () => undefined,
    });
    dir = await mkdtemp(path.join(os.tmpdir(), 'ivr-metrics-'));
    socketPath = path.join(dir, 'http.sock');
    tcp = http.createServer(app).listen(0, '127.0.0.1');
    unix = http.createServer(app).listen(socketPath);
    await Promise.all([once(tcp, 'listening'), once(unix, 'listening')]);
  });
  afterAll(async () => {
    tcp.close();
    unix.close();
    tcp.closeAllConnections();
    unix.closeAllConnections();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a loopback client', async () => {
    const { port } = tcp.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('# TYPE ivr_provider_up gauge');
  });

  it('refuses a client that is not on loopback (here: a unix-socket peer) with 401', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get({ socketPath, path: '/metrics' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(status).toBe(401);
  });
});
