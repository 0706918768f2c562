import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import { randomSid } from '../../../scripts/lib/twilio-client.js';
import {
  HEADER_EVENT_ID,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  createOrdering,
  verifyWebhookSignature,
  type Ordering,
} from '../../../src/domain/ordering/index.js';
import { silentLogger } from '../../../src/logger.js';
import { connectMongoose } from '../../../src/store/database.js';
import { createModels, type Models } from '../../../src/store/models/index.js';
import { startTestDatabase, type TestDatabase } from '../../helpers/database.js';

/**
 * Signed business notifications against a local receiver on 127.0.0.1:0 that verifies the
 * signature the way a business would: delivery, retries with backoff, `failed` after the last
 * attempt, and pending notifications resumed by a new process.
 */
const logger = silentLogger();
const SECRET = 'whsec-0123456789abcdef';
const T = 'webhook-shop';

interface Received {
  eventId: string;
  valid: boolean;
  body: { id: string; type: string; tenantId: string; order: { id: string; status: string } };
  atMs: number;
}

let db: TestDatabase;
let conn: Connection;
let models: Models;
let receiver: http.Server;
let url: string;
let answer = 200;
const received: Received[] = [];
const instances: Ordering[] = [];

function startReceiver(): Promise<void> {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({
        eventId: String(req.headers[HEADER_EVENT_ID.toLowerCase()]),
        valid: verifyWebhookSignature(
          SECRET,
          req.headers[HEADER_TIMESTAMP.toLowerCase()] as string | undefined,
          req.headers[HEADER_SIGNATURE.toLowerCase()] as string | undefined,
          raw,
        ),
        body: JSON.parse(raw) as Received['body'],
        atMs: Date.now(),
      });
      res.writeHead(answer).end();
    });
  });
  return new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
}

function ordering(delays: number[]): Ordering {
  const o = createOrdering(models, { logger, notifyRetryDelaysMs: delays });
  instances.push(o);
  return o;
}

async function until<T>(what: () => Promise<T | undefined> | T | undefined, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  db = await startTestDatabase();
  conn = await connectMongoose(db.uri, { dbName: db.dbName, logger, direct: true });
  models = await createModels(conn);
  await startReceiver();
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/orders`;
  await models.Tenant.create({
    _id: T,
    name: 'Webhook Pizza',
    timeZone: 'UTC',
    createdAtMs: 1,
    ordering: {
      currency: 'USD',
      taxRateBps: 0,
      deliveryFeeMinor: 0,
      pickupMinutes: 10,
      deliveryMinutes: 30,
      deliveryEnabled: false,
      webhook: { url, secret: SECRET },
    },
  });
  await ordering([]).catalog.put(T, {
    categories: [{ id: 'pizza', name: 'pizza' }],
    items: [
      {
        id: 'cheese',
        categoryId: 'pizza',
        name: 'cheese pizza',
        variants: [{ id: 'large', name: 'large', priceMinor: 1500 }],
      },
    ],
  });
}, 60_000);
afterAll(async () => {
  for (const o of instances) await o.notifier.stop();
  await new Promise((r) => receiver?.close(r));
  await conn?.close();
  await db?.stop();
});
beforeEach(() => {
  received.length = 0;
  answer = 200;
});

const placeWith = (o: Ordering) =>
  o.orders.place({
    tenantId: T,
    callSid: randomSid('CA'),
    phone: '+15550001111',
    lines: [{ itemId: 'cheese', variantId: 'large', quantity: 1, modifierIds: [] }],
    fulfilment: 'pickup',
    source: 'phone',
  });

it('posts signed events for placed, status changes and cancellation', async () => {
  const o = ordering([50]);
  const { order } = await placeWith(o);
  await o.orders.advance(T, order.id, 'accepted');
  await o.orders.advance(T, order.id, 'cancelled');
  await until(() => received.length >= 3);
  const types = received.map((r) => r.body.type).sort();
  expect(types).toEqual(['order.cancelled', 'order.placed', 'order.status']);
  for (const r of received) {
    expect(r.valid).toBe(true);
    expect(r.eventId).toBe(r.body.id);
    expect(r.body).toMatchObject({ tenantId: T, order: { id: order.id } });
  }
  const delivered = await until(async () => {
    const page = await o.notifier.list({ tenantId: T, status: 'delivered', limit: 50, offset: 0 });
    return page.total >= 3 ? page : undefined;
  });
  expect(delivered.notifications[0]).toMatchObject({ attempts: 1, status: 'delivered' });
});

it('retries a failing receiver with growing delays, then marks it failed and lists it', async () => {
  answer = 500;
  const delays = [60, 120, 240];
  const o = ordering(delays);
  const { order } = await placeWith(o);
  const failed = await until(async () => {
    const page = await o.notifier.list({ status: 'failed', limit: 10, offset: 0 });
    return page.notifications.find((n) => n.orderId === order.id);
  });
  expect(failed).toMatchObject({ attempts: 4, lastError: 'HTTP 500', type: 'order.placed' });
  const attempts = received.filter((r) => r.body.order.id === order.id);
  expect(attempts).toHaveLength(4);
  expect(new Set(attempts.map((a) => a.eventId)).size).toBe(1);
  attempts.slice(1).forEach((a, i) => {
    // Never earlier than the configured delay (upper bounds are left to a noisy machine).
    expect(a.atMs - attempts[i]!.atMs).toBeGreaterThanOrEqual(delays[i]! - 5);
  });
});

it('resumes pending notifications after a restart', async () => {
  answer = 503;
  const first = ordering([400]);
  const { order } = await placeWith(first);
  await until(async () => {
    const doc = await models.Notification.findOne({ orderId: order.id }).lean().exec();
    return doc && doc.attempts === 1 ? doc : undefined;
  });
  await first.notifier.stop();
  answer = 200;
  const second = ordering([400]);
  await second.notifier.start();
  const done = await until(async () => {
    const doc = await models.Notification.findOne({ orderId: order.id }).lean().exec();
    return doc?.status === 'delivered' ? doc : undefined;
  });
  expect(done.attempts).toBe(2);
  expect(received.filter((r) => r.body.order.id === order.id).every((r) => r.valid)).toBe(true);
});

it('records nothing for a tenant without a webhook', async () => {
  const o = ordering([]);
  await models.Tenant.create({ _id: 'quiet-shop', name: 'Quiet', timeZone: 'UTC', createdAtMs: 1 });
  await o.catalog.put('quiet-shop', {
    categories: [{ id: 'c', name: 'c' }],
    items: [
      { id: 'i', categoryId: 'c', name: 'i', variants: [{ id: 'v', name: 'v', priceMinor: 1 }] },
    ],
  });
  const { order } = await o.orders.place({
    tenantId: 'quiet-shop',
    callSid: randomSid('CA'),
    lines: [{ itemId: 'i', variantId: 'v', quantity: 1, modifierIds: [] }],
    fulfilment: 'pickup',
    source: 'phone',
  });
  expect(order.phone).toBeUndefined();
  expect(await models.Notification.countDocuments({ tenantId: 'quiet-shop' })).toBe(0);
});

it('validates webhook settings and fills defaults for tenants without ordering settings', async () => {
  const o = ordering([]);
  const ordering_ = {
    currency: 'USD',
    taxRateBps: 0,
    deliveryFeeMinor: 0,
    pickupMinutes: 10,
    deliveryMinutes: 30,
    deliveryEnabled: false,
  };
  const bad = (webhook: object) =>
    models.Tenant.create({
      _id: 'bad-hook',
      name: 'Bad',
      timeZone: 'UTC',
      createdAtMs: 1,
      ordering: { ...ordering_, webhook },
    });
  await expect(bad({ url: 'ftp://example.com/x', secret: SECRET })).rejects.toThrow();
  await expect(bad({ url, secret: 'short' })).rejects.toThrow();
  await expect(
    models.Tenant.create({
      _id: 'bad-tax',
      name: 'Bad',
      timeZone: 'UTC',
      createdAtMs: 1,
      ordering: { ...ordering_, taxRateBps: -1 },
    }),
  ).rejects.toThrow();
  await models.Tenant.create({ _id: 'plain-shop', name: 'Plain', timeZone: 'UTC', createdAtMs: 1 });
  expect(await o.catalog.settings('plain-shop')).toEqual({
    currency: 'USD',
    taxRateBps: 0,
    deliveryFeeMinor: 0,
    pickupMinutes: 20,
    deliveryMinutes: 45,
    deliveryEnabled: false,
  });
  expect(await o.catalog.settings('nobody-here')).toBeUndefined();
  expect((await o.catalog.settings(T))?.webhook).toEqual({ url, secret: SECRET });
});
