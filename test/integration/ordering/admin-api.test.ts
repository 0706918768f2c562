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
import type { Order } from '../../../src/domain/ordering/index.js';
import { isOrderingError } from '../../../src/domain/ordering/types.js';
import { RuntimeStats } from '../../../src/http/stats.js';
import { silentLogger } from '../../../src/logger.js';
import { openPersistence, type Persistence } from '../../../src/persistence.js';
import { connectMongoose } from '../../../src/store/database.js';
import type { MediaStats } from '../../../src/telephony/twilio/media-server.js';
import { startTestDatabase, type TestDatabase } from '../../helpers/database.js';

/**
 * The ordering admin API as buildApp mounts it (behind the admin guard, with a bearer token),
 * over the persistence the service opens: 400s naming parameters, 404s, 409 on an illegal
 * status change, and tenant scoping.
 */
const logger = silentLogger();
const TOKEN = 'test-admin-token';
const T = 'demo-pizzeria';
let db: TestDatabase;
let conn: Connection;
let dir: string;
let persistence: Persistence;
let stats: RuntimeStats;
let server: http.Server;
let base: string;

beforeAll(async () => {
  db = await startTestDatabase();
  conn = await connectMongoose(db.uri, { dbName: db.dbName, logger, direct: true });
  dir = await mkdtemp(join(tmpdir(), 'ordering-api-'));
  // Flows are not this file's concern: seed the demo tenant from an empty flows directory.
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
  });
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  await persistence.models.Tenant.create({
    _id: 'taco-shop',
    name: 'Tacos',
    timeZone: 'UTC',
    createdAtMs: 1,
  });
}, 60_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  stats?.close();
  await persistence?.close();
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
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const problems = (r: { body: Record<string, unknown> }) => (r.body.problems as string[]).join('\n');

const TACOS = {
  categories: [{ id: 'tacos', name: 'taco', aliases: ['tacos'] }],
  items: [
    {
      id: 'carnitas',
      categoryId: 'tacos',
      name: 'carnitas taco',
      variants: [{ id: 'one', name: 'one', priceMinor: 400 }],
    },
  ],
};

const placeAt = (tenantId: string, itemId: string, variantId: string) =>
  persistence.ordering.orders.place({
    tenantId,
    callSid: randomSid('CA'),
    phone: '+15550001111',
    lines: [{ itemId, variantId, quantity: 1, modifierIds: [] }],
    fulfilment: 'pickup',
    source: 'phone',
  });

describe('catalog API', () => {
  it('needs the admin token', async () => {
    expect((await api('GET', `/tenants/${T}/catalog`, undefined, null)).status).toBe(401);
  });

  it('reads the seeded catalog; 404 without one; 400 naming a bad tenant id', async () => {
    const r = await api('GET', `/tenants/${T}/catalog`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ tenantId: T, rev: 1 });
    expect((await api('GET', '/tenants/taco-shop/catalog')).status).toBe(404);
    const bad = await api('GET', '/tenants/Bad_Id/catalog');
    expect(bad.status).toBe(400);
    expect(problems(bad)).toMatch(/^tenantId: /);
  });

  it('replaces a catalog; lists every problem with its path; 404 for no tenant', async () => {
    const ok = await api('PUT', '/tenants/taco-shop/catalog', TACOS);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tenantId: 'taco-shop', rev: 1 });
    const item = { ...TACOS.items[0]!, categoryId: 'burritos', defaultVariantId: 'two' };
    const bad = await api('PUT', '/tenants/taco-shop/catalog', { ...TACOS, items: [item] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('BAD_REQUEST');
    expect(problems(bad)).toMatch(/^items\.0\.categoryId: /m);
    expect(problems(bad)).toMatch(/^items\.0\.defaultVariantId: /m);
    expect((await api('PUT', '/tenants/nobody-here/catalog', TACOS)).status).toBe(404);
  });

  it('switches an item off and on; orders of it are refused meanwhile', async () => {
    const off = await api('PATCH', `/tenants/${T}/catalog/items/garlic-bread`, {
      available: false,
    });
    expect(off).toEqual({
      status: 200,
      body: { tenantId: T, itemId: 'garlic-bread', available: false },
    });
    const refused = await placeAt(T, 'garlic-bread', 'regular').catch((e: unknown) => e);
    expect(isOrderingError(refused, 'item-unavailable')).toBe(true);
    await api('PATCH', `/tenants/${T}/catalog/items/garlic-bread`, { available: true });
    expect((await placeAt(T, 'garlic-bread', 'regular')).created).toBe(true);
    const bad = await api('PATCH', `/tenants/${T}/catalog/items/garlic-bread`, { available: 'no' });
    expect(bad.status).toBe(400);
    expect(problems(bad)).toMatch(/^available: /);
    expect(
      (await api('PATCH', `/tenants/${T}/catalog/items/calzone`, { available: true })).status,
    ).toBe(404);
  });
});

describe('orders API', () => {
  let pizza: Order;
  let tacos: Order;
  beforeAll(async () => {
    await api('PUT', '/tenants/taco-shop/catalog', TACOS);
    pizza = (await placeAt(T, 'cheese', 'large')).order;
    tacos = (await placeAt('taco-shop', 'carnitas', 'one')).order;
  });

  it('lists orders scoped by tenant and filters', async () => {
    const all = await api('GET', '/orders?limit=200');
    const ids = (all.body.orders as Order[]).map((o) => o.id);
    expect(ids).toEqual(expect.arrayContaining([pizza.id, tacos.id]));
    const mine = await api('GET', '/orders?tenant=taco-shop');
    expect((mine.body.orders as Order[]).map((o) => o.id)).toEqual([tacos.id]);
    expect(mine.body).toMatchObject({ total: 1, limit: 50, offset: 0 });
    const since = new Date(pizza.createdAtMs).toISOString();
    const byPhone = await api(
      'GET',
      `/orders?tenant=${T}&phone=+15550001111&status=placed&since=${since}`,
    );
    expect((byPhone.body.orders as Order[]).map((o) => o.id)).toContain(pizza.id);
  });

  it('answers 400 naming every bad parameter', async () => {
    const r = await api(
      'GET',
      '/orders?limit=0&offset=-1&status=eaten&phone=abc&since=yesterday&x=1',
    );
    expect(r.status).toBe(400);
    for (const name of ['limit', 'offset', 'status', 'phone', 'since']) {
      expect(problems(r)).toMatch(new RegExp(`^${name}: `, 'm'));
    }
    expect(problems(r)).toMatch(/x/);
    expect((await api('GET', '/orders/not-an-id')).status).toBe(400);
    expect((await api('GET', '/notifications?status=lost')).status).toBe(400);
  });

  it('reads one order; another tenant’s is 404', async () => {
    expect(await api('GET', `/orders/${pizza.id}`)).toMatchObject({
      status: 200,
      body: { id: pizza.id, number: pizza.number },
    });
    expect((await api('GET', `/orders/${pizza.id}?tenant=taco-shop`)).status).toBe(404);
    expect((await api('GET', `/orders/ord_${'0'.repeat(24)}`)).status).toBe(404);
  });

  it('moves an order through its lifecycle; 409 on an illegal transition', async () => {
    const path = `/orders/${tacos.id}/status`;
    expect((await api('POST', path, { status: 'accepted' })).body).toMatchObject({
      changed: true,
      order: { status: 'accepted' },
    });
    const conflict = await api('POST', path, { status: 'placed' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: 'CONFLICT', status: 'accepted' });
    expect((await api('POST', `${path}?tenant=${T}`, { status: 'ready' })).status).toBe(404);
    const bad = await api('POST', path, { status: 'eaten' });
    expect(bad.status).toBe(400);
    expect(problems(bad)).toMatch(/^status: /);
    expect((await api('POST', path, { status: 'ready' })).status).toBe(200);
  });

  it('lists notifications (none without a webhook)', async () => {
    const r = await api('GET', '/notifications?status=failed');
    expect(r).toMatchObject({ status: 200, body: { notifications: [], total: 0 } });
  });
});
