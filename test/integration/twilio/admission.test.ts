import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  parseTwiml,
  postTwilioWebhook,
  randomSid,
  voiceParams,
} from '../../../scripts/lib/twilio-client.js';
import type { Admission, IncomingCall } from '../../../src/call/call-admission.js';
import { loadConfig } from '../../../src/config.js';
import { twilioRouter } from '../../../src/http/twilio.routes.js';
import { silentLogger } from '../../../src/logger.js';

/** The voice webhook with a tenant admission (no database: the decision is scripted). */
let server: Server;
let url: string;
let decide: (c: IncomingCall) => Promise<Admission>;
const seen: IncomingCall[] = [];

beforeAll(async () => {
  const config = loadConfig({ NODE_ENV: 'test' });
  const app = express();
  app.use(
    twilioRouter({
      config,
      logger: silentLogger(),
      onStatus: () => {},
      admit: (c) => {
        seen.push(c);
        return decide(c);
      },
      rejectSpeech: { unavailable: 'Busy right now. Goodbye.' },
    }),
  );
  server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const call = (path = '/twilio/voice') =>
  postTwilioWebhook({
    server: url,
    path,
    params: voiceParams({
      callSid: randomSid('CA'),
      accountSid: randomSid('AC'),
      from: '+15550001111',
      to: '+15550002222',
    }),
  });

describe('POST /twilio/voice with tenant admission', () => {
  it('tags the stream with the tenant and the number’s flow; the flow query param still wins', async () => {
    decide = async () => ({ kind: 'accept', tenantId: 'demo-pizzeria', flowId: 'order' });
    const r = await call();
    expect(parseTwiml(r.body).parameters).toMatchObject({
      tenantId: 'demo-pizzeria',
      flowId: 'order',
    });
    expect(seen.at(-1)).toMatchObject({ from: '+15550001111', to: '+15550002222' });
    const q = await call('/twilio/voice?flow=main-menu');
    expect(parseTwiml(q.body).parameters.flowId).toBe('main-menu');
  });

  it('says the configured words and hangs up when the tenant cannot be looked up', async () => {
    decide = async () => {
      throw new Error('database down');
    };
    const r = await call();
    expect(r.status).toBe(200);
    expect(r.body).toContain('<Say>Busy right now. Goodbye.</Say><Hangup/>');
    expect(parseTwiml(r.body).streamUrl).toBeUndefined();
  });

  it('never streams a call no tenant takes', async () => {
    decide = async () => ({ kind: 'reject', reason: 'not-in-service' });
    const r = await call();
    expect(r.body).toContain('not in service');
    expect(r.body).not.toContain('<Connect>');
  });
});
