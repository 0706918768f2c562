import {
  parseTwiml,
  postTwilioWebhook,
  randomSid,
  voiceParams,
} from '../../../scripts/lib/twilio-client.js';
import { AUTH_TOKEN, PUBLIC_URL, startTwilioServer, type TestServer } from './harness.js';

const FROM = '+15550001111';
const TO = '+15550002222';

describe('POST /twilio/voice', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTwilioServer();
  });
  afterAll(() => s.close());

  const call = (
    o: { path?: string; authToken?: string; signature?: string; publicUrl?: string } = {},
  ) => {
    const callSid = randomSid('CA');
    const params = voiceParams({ callSid, accountSid: randomSid('AC'), from: FROM, to: TO });
    const res = postTwilioWebhook({
      server: s.url,
      publicUrl: o.publicUrl ?? PUBLIC_URL,
      path: o.path ?? '/twilio/voice',
      params,
      ...(o.authToken !== undefined ? { authToken: o.authToken } : {}),
      ...(o.signature !== undefined ? { signature: o.signature } : {}),
    });
    return { callSid, res };
  };

  it('answers a signed call with <Connect><Stream> to the public wss URL, parameters, then <Hangup/>', async () => {
    const { callSid, res } = call({ authToken: AUTH_TOKEN });
    const r = await res;
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^text\/xml/);
    expect(parseTwiml(r.body)).toEqual({
      streamUrl: 'wss://ivr.example.test/media',
      parameters: { flowId: 'main-menu', from: FROM, to: TO, callSid, direction: 'inbound' },
      afterConnect: ['Hangup'],
    });
  });

  it('takes the flow from the (signed) query string', async () => {
    const r = await call({ authToken: AUTH_TOKEN, path: '/twilio/voice?flow=order-status' }).res;
    expect(r.status).toBe(200);
    expect(parseTwiml(r.body).parameters.flowId).toBe('order-status');
    const bad = await call({ authToken: AUTH_TOKEN, path: '/twilio/voice?flow=%3Cscript%3E' }).res;
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it.each([
    ['a missing signature', {}],
    ['a wrong signature', { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }],
    ['the wrong token', { authToken: 'not-the-token' }],
    [
      'a signature over another URL',
      { authToken: AUTH_TOKEN, publicUrl: 'https://evil.example.test' },
    ],
  ])('refuses %s with 403', async (_what, o) => {
    const r = await call(o).res;
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'TWILIO_SIGNATURE_INVALID' });
  });
});

describe('POST /twilio/voice without PUBLIC_BASE_URL or auth token (local development)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTwilioServer({ env: { TWILIO_AUTH_TOKEN: '', PUBLIC_BASE_URL: '' } });
  });
  afterAll(() => s.close());

  const params = () =>
    voiceParams({ callSid: randomSid('CA'), accountSid: randomSid('AC'), from: FROM, to: TO });

  it('derives the stream URL from the Host header', async () => {
    const r = await postTwilioWebhook({ server: s.url, path: '/twilio/voice', params: params() });
    expect(r.status).toBe(200);
    expect(parseTwiml(r.body).streamUrl).toBe(`${s.url.replace('http', 'ws')}/media`);
  });

  it('uses wss behind a TLS proxy (X-Forwarded-Proto: https)', async () => {
    const r = await postTwilioWebhook({
      server: s.url,
      path: '/twilio/voice',
      params: params(),
      headers: { host: 'abc.ngrok.app', 'x-forwarded-proto': 'https' },
    });
    expect(parseTwiml(r.body).streamUrl).toBe('wss://abc.ngrok.app/media');
  });
});

describe('POST /twilio/status', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTwilioServer();
  });
  afterAll(() => s.close());

  const status = (params: Record<string, string>, authToken = AUTH_TOKEN) =>
    postTwilioWebhook({
      server: s.url,
      publicUrl: PUBLIC_URL,
      path: '/twilio/status',
      params,
      ...(authToken ? { authToken } : {}),
    });

  it('records each callback once, however often Twilio retries it', async () => {
    const CallSid = randomSid('CA');
    const base = {
      CallSid,
      AccountSid: randomSid('AC'),
      From: FROM,
      To: TO,
      CallbackSource: 'call-progress-events',
    };
    const ringing = { ...base, CallStatus: 'ringing', SequenceNumber: '0' };
    const done = {
      ...base,
      CallStatus: 'completed',
      SequenceNumber: '1',
      CallDuration: '42',
      Timestamp: 'Mon, 16 Aug 2010 03:45:01 +0000',
    };
    for (const p of [ringing, done, done, ringing]) expect((await status(p)).status).toBe(204);
    const mine = s.statuses.filter((e) => e.callSid === CallSid);
    expect(mine).toEqual([
      expect.objectContaining({ status: 'ringing', sequenceNumber: 0 }),
      expect.objectContaining({
        status: 'completed',
        sequenceNumber: 1,
        callDurationSec: 42,
        timestamp: 'Mon, 16 Aug 2010 03:45:01 +0000',
        pii: { from: FROM, to: TO },
      }),
    ]);
  });

  it('refuses unsigned or badly signed callbacks, and rejects unknown statuses', async () => {
    const p = { CallSid: randomSid('CA'), CallStatus: 'completed' };
    expect((await status(p, '')).status).toBe(403);
    expect((await status(p, 'wrong-token')).status).toBe(403);
    const bad = await status({ ...p, CallStatus: 'exploded' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'BAD_REQUEST' });
    expect(s.statuses.filter((e) => e.callSid === p.CallSid)).toEqual([]);
  });

  it('answers 500 when recording fails, so the retry is recorded', async () => {
    const p = { CallSid: randomSid('CA'), CallStatus: 'busy', SequenceNumber: '2' };
    const record = s.onStatus;
    s.onStatus = () => {
      throw new Error('store down');
    };
    expect((await status(p)).status).toBe(500);
    s.onStatus = record;
    expect((await status(p)).status).toBe(204);
    expect(s.statuses.filter((e) => e.callSid === p.CallSid)).toHaveLength(1);
  });
});
