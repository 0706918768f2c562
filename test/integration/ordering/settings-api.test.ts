import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { randomSid } from '../../../scripts/lib/twilio-client.js';
import { buildApp } from '../../../src/app.js';
import { CallRegistry } from '../../../src/call/call-registry.js';
import { loadConfig } from '../../../src/config.js';
import {
  HEADER_EVENT_ID,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  isOrderingError,
  verifyWebhookSignature,
  type Fulfilment,
} from '../../../src/domain/ordering/index.js';
import { createOrderingSettingsService } from '../../../src/domain/ordering/settings.js';
import { RuntimeStats } from '../../../src/http/stats.js';
import { silentLogger } from '../../../src/logger.js';
import { openPersistence, type Persistence } from '../../../src/persistence.js';
import { connectMongoose } from '../../../src/store/database.js';
import type { MediaStats } from '../../../src/telephony/twilio/media-server.js';
import { startTestDatabase, type TestDatabase } from '../../helpers/database.js';

/**
 * The ordering settings admin API as buildApp mounts it (admin guard, bearer token) over the
 * persistence the service opens: round trip, 400s naming each bad or unknown field, a write-only
 * webhook secret, 404, tenant isolation, and that orders and notifications after a PATCH use the
 * new settings (local receivers on 127.0.0.1:0 verify the signature as a business would).
 */
const logger = silentLogger();
const TOKEN = 'test-admin-token';
const DEMO = 'demo-pizzeria';
const TACO = 'taco-shop';
const SECRET_A = 'whsec-aaaaaaaaaaaaaaaa-1111';
const SECRET_B = 'whsec-bbbbbbbbbbbbbbbb-2222';

interface Received {
  path: string;
  eventId: string;
  valid: boolean;
  body: { type: string; tenantId: string; order: { id: string; taxMinor: number } };
}
interface Receiver {
  server: http.Server;
  url: string;
  got: Received[];
}

let db: TestDatabase;
let conn: Connection;
let dir: string;
let persistence: Persistence;
let stats: RuntimeStats;
let server: http.Server;
let base: string;
const receivers: Receiver[] = [];

/** A business endpoint checking our signature with `secret` over the raw body; answers 200. */
async function startReceiver(secret: string): Promise<Receiver> {
  const got: Received[] = [];
  const s = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      got.push({
        path: req.url ?? '',
        eventId: String(req.headers[HEADER_EVENT_ID.toLowerCase()]),
        valid: verifyWebhookSignature(
          secret,
          req.headers[HEADER_TIMESTAMP.toLowerCase()] as string | undefined,
          req.headers[HEADER_SIGNATURE.toLowerCase()] as string | undefined,
          raw,
        ),
        body: JSON.parse(raw) as Received['body'],
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const r = { server: s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`, got };
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  db = await startTestDatabase();
  conn = await connectMongoose(db.uri, { dbName: db.dbName, logger, direct: true });
  dir = await mkdtemp(join(tmpdir(), 'settings-api-'));
  const flowsDir = await mkdtemp(join(dir, 'flows-'));
  persistence = await openPersistence(conn, {
    logger,
    dataDir: dir,
    seed: { flowsDir, promptsDir: 'prompts' },
  });
  stats = new RuntimeStats();
  const app = buildApp({
    config: loadConfig({ ADMIN_API_TOKEN: TOKEN, LOG_LEVEL: 'silent', DATA_DIR: dir }),
    logger,
    store: persistence.recorder,
    registry: new CallRegistry(),
    stats,
    mediaStats: () => ({}) as MediaStats,
    onStatus: () => undefined,
    ordering: persistence.ordering,
    orderingSettings: createOrderingSettingsService(persistence.models.Tenant),
  });
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  await persistence.models.Tenant.create({
    _id: TACO,
    name: 'Tacos',
    timeZone: 'UTC',
    createdAtMs: 1,
  });
}, 60_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  stats?.close();
  await persistence?.close();
  for (const r of receivers) await new Promise((done) => r.server.close(done));
  await conn?.close();
  await db?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function api(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
}
const settingsPath = (t: string) => `/tenants/${t}/settings/ordering`;
const patch = (t: string, body: unknown) => api('PATCH', settingsPath(t), body);
const problems = (r: { body: Record<string, unknown> }) => r.body.problems as string[];

async function until<T>(what: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = what();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A small cheese pizza (1099 minor units before tax) at the demo pizzeria. */
const placeDemo = (fulfilment: Fulfilment = 'pickup') =>
  persistence.ordering.orders.place({
    tenantId: DEMO,
    callSid: randomSid('CA'),
    phone: '+15550001111',
    lines: [{ itemId: 'cheese', variantId: 'small', quantity: 1, modifierIds: [] }],
    fulfilment,
    ...(fulfilment === 'delivery' ? { address: '1 Main St' } : {}),
    source: 'phone',
  });

describe('GET', () => {
  it('needs the admin token', async () => {
    expect((await api('GET', settingsPath(DEMO), undefined, null)).status).toBe(401);
  });

  it('reads stored settings, and the defaults of a tenant without any', async () => {
    const demo = await api('GET', settingsPath(DEMO));
    expect(demo.status).toBe(200);
    expect(demo.body).toMatchObject({
      tenantId: DEMO,
      stored: true,
      currency: 'USD',
      taxRateBps: 875,
      deliveryEnabled: true,
      webhook: null,
    });
    const taco = await api('GET', settingsPath(TACO));
    expect(taco.body).toMatchObject({ tenantId: TACO, stored: false, deliveryEnabled: false });
  });

  it('404 for an unknown tenant, 400 naming a malformed tenant id', async () => {
    expect((await api('GET', settingsPath('no-such-shop'))).body.code).toBe('NOT_FOUND');
    expect((await api('GET', settingsPath('no-such-shop'))).status).toBe(404);
    expect((await patch('no-such-shop', { taxRateBps: 1 })).status).toBe(404);
    const bad = await api('GET', settingsPath('Bad_Id'));
    expect(bad.status).toBe(400);
    expect(problems(bad)[0]).toMatch(/^tenantId: /);
  });
});

describe('PATCH validation', () => {
  const cases: [string, unknown, string][] = [
    ['lowercase currency', { currency: 'usd' }, 'currency'],
    ['unknown currency', { currency: 'ABC' }, 'currency'],
    ['tax above 100 %', { taxRateBps: 10_001 }, 'taxRateBps'],
    ['fractional tax', { taxRateBps: 1.5 }, 'taxRateBps'],
    ['negative fee', { deliveryFeeMinor: -1 }, 'deliveryFeeMinor'],
    ['fee as a string', { deliveryFeeMinor: '299' }, 'deliveryFeeMinor'],
    ['zero pickup minutes', { pickupMinutes: 0 }, 'pickupMinutes'],
    ['601 delivery minutes', { deliveryMinutes: 601 }, 'deliveryMinutes'],
    ['delivery flag not a boolean', { deliveryEnabled: 'yes' }, 'deliveryEnabled'],
    ['plain http to a remote host', { webhook: { url: 'http://example.com/h' } }, 'webhook.url'],
    ['not a URL', { webhook: { url: 'hooks/orders', secret: SECRET_A } }, 'webhook.url'],
    ['credentials in the URL', { webhook: { url: 'https://u:p@example.com/h' } }, 'webhook.url'],
    [
      'short secret',
      { webhook: { url: 'https://example.com/h', secret: 'short' } },
      'webhook.secret',
    ],
    ['unknown field', { colour: 'red' }, 'colour'],
    ['unknown webhook field', { webhook: { url: 'https://example.com/h', x: 1 } }, 'webhook.x'],
    [
      'webhook added without a secret',
      { webhook: { url: 'https://example.com/h' } },
      'webhook.secret',
    ],
    ['an array body', [1], 'body'],
  ];
  it.each(cases)('400 for %s, naming the field', async (_what, body, field) => {
    const r = await patch(TACO, body);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('BAD_REQUEST');
    expect(problems(r).some((p) => p.startsWith(`${field}: `))).toBe(true);
  });

  it('names every bad field at once and writes nothing', async () => {
    const before = await api('GET', settingsPath(DEMO));
    const r = await patch(DEMO, { taxRateBps: -1, pickupMinutes: 0, extra: true, currency: 'EUR' });
    expect(r.status).toBe(400);
    const fields = problems(r).map((p) => p.split(':')[0]);
    expect(fields).toEqual(expect.arrayContaining(['taxRateBps', 'pickupMinutes', 'extra']));
    expect((await api('GET', settingsPath(DEMO))).body).toEqual(before.body);
  });
});

describe('PATCH', () => {
  it('round-trips every field; the webhook secret is never returned', async () => {
    const want = {
      currency: 'MXN',
      taxRateBps: 1600,
      deliveryFeeMinor: 4500,
      pickupMinutes: 15,
      deliveryMinutes: 50,
      deliveryEnabled: true,
    };
    const r = await patch(TACO, {
      ...want,
      webhook: { url: 'https://tacos.example/h', secret: SECRET_A },
    });
    expect(r.status).toBe(200);
    const shown = { tenantId: TACO, stored: true, ...want };
    const hook = { url: 'https://tacos.example/h', hasSecret: true, secretLast4: '1111' };
    expect(r.body).toEqual({ ...shown, webhook: hook });
    expect(r.text).not.toContain(SECRET_A);
    const read = await api('GET', settingsPath(TACO));
    expect(read.body).toEqual(r.body);
    expect(read.text).not.toContain(SECRET_A);
    const doc = await persistence.models.Tenant.findById(TACO).lean().exec();
    expect(doc?.ordering?.webhook).toEqual({ url: 'https://tacos.example/h', secret: SECRET_A });

    // A partial patch keeps the rest; a new url keeps the stored secret; null removes the webhook.
    const moved = await patch(TACO, { taxRateBps: 0, webhook: { url: 'https://new.example/h' } });
    expect(moved.body).toEqual({
      ...shown,
      taxRateBps: 0,
      webhook: { ...hook, url: 'https://new.example/h' },
    });
    const gone = await patch(TACO, { webhook: null });
    expect(gone.body).toEqual({ ...shown, taxRateBps: 0, webhook: null });
    expect((await persistence.models.Tenant.findById(TACO).lean().exec())?.ordering?.webhook).toBe(
      undefined,
    );
    expect((await patch(TACO, {})).body).toEqual(gone.body);
  });

  it('keeps every one of concurrent patches to different fields', async () => {
    const rs = await Promise.all([
      patch(TACO, { pickupMinutes: 11 }),
      patch(TACO, { deliveryMinutes: 22 }),
      patch(TACO, { deliveryFeeMinor: 33 }),
      patch(TACO, { taxRateBps: 44 }),
    ]);
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await api('GET', settingsPath(TACO))).body).toMatchObject({
      pickupMinutes: 11,
      deliveryMinutes: 22,
      deliveryFeeMinor: 33,
      taxRateBps: 44,
    });
  });

  it('changes one tenant only', async () => {
    const demoBefore = (await api('GET', settingsPath(DEMO))).body;
    await patch(TACO, { deliveryFeeMinor: 1 });
    expect((await api('GET', settingsPath(DEMO))).body).toEqual(demoBefore);
    const tacoBefore = (await api('GET', settingsPath(TACO))).body;
    await patch(DEMO, { pickupMinutes: 33 });
    expect((await api('GET', settingsPath(TACO))).body).toEqual(tacoBefore);
    expect((await api('GET', settingsPath(DEMO))).body).toMatchObject({ pickupMinutes: 33 });
  });
});

describe('effect on orders and notifications (no restart)', () => {
  it('prices new orders with the new tax and notifies the new webhook', async () => {
    const a = await startReceiver(SECRET_A);
    const b = await startReceiver(SECRET_B);
    expect(
      (await patch(DEMO, { taxRateBps: 1000, webhook: { url: a.url, secret: SECRET_A } })).status,
    ).toBe(200);
    const first = (await placeDemo()).order;
    expect(first.taxMinor).toBe(110);
    const atA = await until(() => a.got.find((e) => e.body.order.id === first.id));
    expect(atA).toMatchObject({ path: '/hook', valid: true, body: { type: 'order.placed' } });

    const r = await patch(DEMO, { taxRateBps: 500, webhook: { url: b.url, secret: SECRET_B } });
    expect(r.body).toMatchObject({ taxRateBps: 500, webhook: { url: b.url, secretLast4: '2222' } });
    const second = (await placeDemo()).order;
    expect(second.taxMinor).toBe(55);
    const atB = await until(() => b.got.find((e) => e.body.order.id === second.id));
    expect(atB).toMatchObject({ valid: true, body: { type: 'order.placed', tenantId: DEMO } });
    expect(atB.eventId).toMatch(/^evt_/);
    expect(a.got.some((e) => e.body.order.id === second.id)).toBe(false);
  });

  it('refuses delivery once it is switched off', async () => {
    await patch(DEMO, { deliveryEnabled: false });
    const refused = await placeDemo('delivery').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isOrderingError(refused, 'delivery-disabled')).toBe(true);
    await patch(DEMO, { deliveryEnabled: true, deliveryFeeMinor: 100 });
    expect((await placeDemo('delivery')).order.feesMinor).toBe(100);
  });
});
