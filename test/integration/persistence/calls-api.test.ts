import { runSimulatedCall } from '../../../scripts/lib/simulated-call.js';
import {
  parseTwiml,
  postTwilioWebhook,
  randomSid,
  voiceParams,
} from '../../../scripts/lib/twilio-client.js';
import type { CallRecord } from '../../../src/call/call-record.js';
import { startTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { startPersistentServer, type PersistentServer } from '../../helpers/persistent-server.js';

/**
 * The service with persistence, end to end: tenant resolution at the voice webhook, real calls
 * over the Twilio protocol recorded behind the audio path, caller continuity, and the admin API
 * scoped by tenant.
 */
const PIZZERIA = '+15550002222'; // seeded demo tenant
const BARBER = '+15550003333';
const SAM = '+15550001111';

let db: TestDatabase;
let srv: PersistentServer;
const calls: { pizzeria?: CallRecord; barber?: CallRecord } = {};

beforeAll(async () => {
  db = await startTestDatabase();
  srv = await startPersistentServer(db);
  const m = srv.persistence.models;
  await m.Tenant.create({
    _id: 'barber-shop',
    name: 'Bob the Barber',
    timeZone: 'Europe/London',
    createdAtMs: Date.now(),
  });
  await m.TenantNumber.create({ _id: BARBER, tenantId: 'barber-shop', createdAtMs: Date.now() });
  await srv.persistence.customers.save('demo-pizzeria', SAM, { name: 'Sam' });
}, 60_000);
afterAll(async () => {
  await srv?.close();
  await db?.stop();
});

const api = async (path: string) => {
  const res = await fetch(`${srv.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const webhook = (to: string, from = SAM) =>
  postTwilioWebhook({
    server: srv.url,
    path: '/twilio/voice',
    params: voiceParams({ callSid: randomSid('CA'), accountSid: randomSid('AC'), from, to }),
  });

describe('voice webhook: the tenant comes from the dialled number', () => {
  it('answers a number no tenant owns politely, then hangs up', async () => {
    const r = await webhook('+15559990000');
    expect(r.status).toBe(200);
    expect(r.body).toMatch(
      /<Say>Sorry, this number is not in service\. Goodbye\.<\/Say><Hangup\/>/,
    );
    expect(r.body).not.toMatch(/<Connect>/);
  });

  it('streams a tenant’s call with its tenantId and flow as parameters', async () => {
    const r = await webhook(BARBER);
    expect(parseTwiml(r.body).parameters).toMatchObject({
      tenantId: 'barber-shop',
      flowId: 'main-menu',
    });
  });
});

describe('recorded calls', () => {
  it('greets a known caller by name in the business they called', async () => {
    const r = await runSimulatedCall({
      server: srv.url,
      from: SAM,
      to: PIZZERIA,
      steps: [{ kind: 'dtmf', digits: '2' }],
    });
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe('route:booking');
    calls.pizzeria = r.record!;
    expect(calls.pizzeria).toMatchObject({ tenantId: 'demo-pizzeria', from: SAM, to: PIZZERIA });
    const bot = calls.pizzeria.turns.filter((t) => t.role === 'bot');
    expect(bot.slice(0, 2).map((t) => t.text)).toEqual([
      'Hi Sam!',
      "Thanks for calling Tony's Pizzeria.",
    ]);
    for (const t of bot) expect(t.timings.firstFrameSentMs).toBeDefined();
  }, 60_000);

  it('does not know the caller at another business', async () => {
    const r = await runSimulatedCall({
      server: srv.url,
      from: SAM,
      to: BARBER,
      steps: [{ kind: 'dtmf', digits: '3' }],
    });
    calls.barber = r.record!;
    expect(calls.barber.tenantId).toBe('barber-shop');
    expect(calls.barber.turns[0]?.text).toBe('Thanks for calling Bob the Barber.');
  }, 60_000);

  it('remembers the call on the customer of the tenant called', async () => {
    const sam = await srv.persistence.customers.find('demo-pizzeria', SAM);
    expect(sam?.lastInteractions.map((i) => i.callSid)).toContain(calls.pizzeria!.callSid);
    // The customer is updated after the call's end is recorded, behind the media path.
    const deadline = Date.now() + 10_000;
    let atBarber = await srv.persistence.customers.find('barber-shop', SAM);
    while (!atBarber?.lastInteractions.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      atBarber = await srv.persistence.customers.find('barber-shop', SAM);
    }
    expect(atBarber?.name).toBeUndefined();
    expect(atBarber?.lastInteractions.map((i) => i.callSid)).toEqual([calls.barber!.callSid]);
  });

  it('keeps one status per Twilio callback, however often it is retried', async () => {
    const sid = calls.pizzeria!.callSid;
    const params = {
      CallSid: sid,
      CallStatus: 'completed',
      SequenceNumber: '3',
      CallDuration: '9',
    };
    for (let i = 0; i < 3; i++) {
      const res = await postTwilioWebhook({ server: srv.url, path: '/twilio/status', params });
      expect(res.status).toBe(204);
    }
    await srv.persistence.recorder.flush();
    const { body } = await api(`/api/calls/${sid}`);
    expect(body.statusEvents).toEqual([
      expect.objectContaining({ status: 'completed', sequence: 3, durationSec: 9 }),
    ]);
  });
});

describe('GET /api/calls is scoped by tenant', () => {
  it("lists only the tenant's calls", async () => {
    await srv.persistence.recorder.flush();
    const a = await api('/api/calls?tenant=demo-pizzeria');
    const b = await api('/api/calls?tenant=barber-shop');
    const sids = (p: { body: Record<string, unknown> }) =>
      (p.body.items as CallRecord[]).map((c) => c.callSid);
    expect(sids(a)).toEqual([calls.pizzeria!.callSid]);
    expect(sids(b)).toEqual([calls.barber!.callSid]);
    expect(a.body.total).toBe(1);
    const none = await api('/api/calls?tenant=no-such-tenant');
    expect(none.body).toMatchObject({ total: 0, items: [] });
  });

  it("answers 404 for another tenant's call", async () => {
    const sid = calls.pizzeria!.callSid;
    expect((await api(`/api/calls/${sid}?tenant=barber-shop`)).status).toBe(404);
    const own = await api(`/api/calls/${sid}?tenant=demo-pizzeria`);
    expect(own.status).toBe(200);
    expect((own.body.turns as unknown[]).length).toBeGreaterThan(2);
  });

  it('filters by caller (a + in the query string arrives as a space) and outcome', async () => {
    const byFrom = await api(`/api/calls?tenant=barber-shop&from=+${SAM.slice(1)}`);
    expect((byFrom.body.items as CallRecord[]).map((c) => c.callSid)).toEqual([
      calls.barber!.callSid,
    ]);
    const byOutcome = await api('/api/calls?outcome=route:booking');
    expect((byOutcome.body.items as CallRecord[]).map((c) => c.callSid)).toEqual([
      calls.pizzeria!.callSid,
    ]);
    const since = await api(`/api/calls?since=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(since.body.total).toBe(0);
  });

  it.each([
    ['tenant=Not%20A%20Tenant', 'tenant'],
    ['from=pizza', 'from'],
    ['since=yesterday', 'since'],
    ['limit=0', 'limit'],
    ['limit=1000', 'limit'],
    ['offset=-1', 'offset'],
    ['colour=blue', 'query'],
  ])('answers 400 to ?%s naming the parameter', async (qs, param) => {
    const r = await api(`/api/calls?${qs}`);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('BAD_REQUEST');
    expect(r.body.message).toMatch(new RegExp(`^${param}: `));
  });

  it('answers 400 to a malformed callSid or tenant on a single call', async () => {
    expect((await api('/api/calls/CA123')).status).toBe(400);
    const r = await api(`/api/calls/${calls.pizzeria!.callSid}?tenant=%24where`);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^tenant: /);
  });
});

describe('after a restart of the service', () => {
  it('still lists the calls with their turns and timings', async () => {
    await srv.close();
    srv = await startPersistentServer(db);
    const { status, body } = await api(`/api/calls/${calls.pizzeria!.callSid}`);
    expect(status).toBe(200);
    expect(body.turns).toEqual(calls.pizzeria!.turns);
    expect(body.outcome).toBe('route:booking');
  }, 30_000);
});
