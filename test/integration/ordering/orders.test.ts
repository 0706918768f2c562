import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { createOrdering, type Ordering } from '../../../src/domain/ordering/index.js';
import { isOrderingError, type CartLine } from '../../../src/domain/ordering/types.js';
import { silentLogger } from '../../../src/logger.js';
import { connectMongoose } from '../../../src/store/database.js';
import { createModels, type Models } from '../../../src/store/models/index.js';
import { seedDatabase } from '../../../src/store/seed.js';
import { startTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { randomSid } from '../../../scripts/lib/twilio-client.js';

/**
 * Ordering services on a real database: the seeded demo pizzeria's catalog, server-side prices,
 * idempotent placing under concurrency, order numbers, lifecycle rules, carts, tenant isolation.
 */
const logger = silentLogger();
const T = 'demo-pizzeria';
const SAM = '+15550001111';
let db: TestDatabase;
let conn: Connection;
let models: Models;
let ordering: Ordering;
let noFlows: string;
/** Seeds the demo tenant (flows are not this file's concern: an empty flows directory). */
const seed = () => seedDatabase(models, { flowsDir: noFlows, promptsDir: 'prompts', logger });

beforeAll(async () => {
  db = await startTestDatabase();
  conn = await connectMongoose(db.uri, { dbName: db.dbName, logger, direct: true });
  models = await createModels(conn);
  noFlows = await mkdtemp(join(tmpdir(), 'ordering-flows-'));
  await seed();
  ordering = createOrdering(models, { logger, catalogRecheckMs: 0 });
}, 60_000);
afterAll(async () => {
  await ordering?.notifier.stop();
  await conn?.close();
  await db?.stop();
  if (noFlows) await rm(noFlows, { recursive: true, force: true });
});

const line = (itemId: string, variantId: string, quantity = 1, modifierIds: string[] = []) =>
  ({ itemId, variantId, quantity, modifierIds }) satisfies CartLine;
const call = () => randomSid('CA');
const place = (over: Partial<Parameters<Ordering['orders']['place']>[0]> = {}) =>
  ordering.orders.place({
    tenantId: T,
    callSid: call(),
    phone: SAM,
    lines: [line('pepperoni', 'large', 1, ['mushrooms'])],
    fulfilment: 'pickup',
    source: 'phone',
    ...over,
  });
async function reasonOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return isOrderingError(err) ? err.reason : `not an OrderingError: ${String(err)}`;
  }
  return undefined;
}

describe('catalog', () => {
  it('serves the seeded demo menu as a view; seeding again changes nothing', async () => {
    const view = await ordering.catalog.view(T);
    expect(view?.currency).toBe('USD');
    expect(view?.items.find((i) => i.id === 'margherita')).toMatchObject({
      name: 'margarita pizza',
      variants: expect.arrayContaining([expect.objectContaining({ id: 'large' })]),
    });
    const again = await seed();
    expect(again.unchanged).toContain(`catalog ${T}`);
    expect((await ordering.catalog.view(T))?.version).toBe(view?.version);
    expect(await ordering.catalog.view('no-such-shop')).toBeUndefined();
  });

  it('reuses a view until the catalog changes, then rebuilds it', async () => {
    const a = await ordering.catalog.view(T);
    expect(await ordering.catalog.view(T)).toBe(a);
    expect(await ordering.catalog.setAvailability(T, 'wings', false)).toBe(true);
    const b = await ordering.catalog.view(T);
    expect(b).not.toBe(a);
    expect(b?.version).not.toBe(a?.version);
    expect(b?.items.find((i) => i.id === 'wings')?.available).toBe(false);
    expect(await ordering.catalog.setAvailability(T, 'calzone', false)).toBe(false);
    await ordering.catalog.setAvailability(T, 'wings', true);
  });

  it('put validates, replaces and bumps the revision; refuses an unknown tenant', async () => {
    await models.Tenant.create({
      _id: 'taco-stand',
      name: 'Tacos',
      timeZone: 'UTC',
      createdAtMs: 1,
    });
    const menu = {
      categories: [{ id: 'tacos', name: 'taco', aliases: ['tacos'] }],
      items: [
        {
          id: 'al-pastor',
          categoryId: 'tacos',
          name: 'al pastor taco',
          variants: [{ id: 'one', name: 'one', priceMinor: 350 }],
        },
      ],
    };
    const first = await ordering.catalog.put('taco-stand', menu);
    const second = await ordering.catalog.put('taco-stand', menu);
    expect(second.rev).toBe(first.rev + 1);
    expect((await ordering.catalog.get('taco-stand'))?.catalog.items[0]?.id).toBe('al-pastor');
    expect(await reasonOf(ordering.catalog.put('nobody-here', menu))).toBe('no-tenant');
    expect(await reasonOf(ordering.catalog.put('taco-stand', { items: 3 }))).toBe(
      'catalog-invalid',
    );
  });
});

describe('placing orders', () => {
  it('prices server-side, numbers orders per tenant in sequence and sets a ready time', async () => {
    const before = Date.now();
    const a = await place();
    const b = await place({ lines: [line('coke', 'can', 3)] });
    expect(a.created).toBe(true);
    expect(b.order.number).toBe(a.order.number + 1);
    expect(a.order).toMatchObject({
      tenantId: T,
      phone: SAM,
      status: 'placed',
      subtotalMinor: 1899 + 125,
      taxMinor: 177, // 2024 × 8.75 % = 177.1
      feesMinor: 0,
      totalMinor: 2024 + 177,
      currency: 'USD',
      lines: [expect.objectContaining({ itemName: 'pepperoni pizza', unitPriceMinor: 2024 })],
    });
    expect(a.order.readyAtMs - a.order.createdAtMs).toBe(20 * 60_000);
    expect(a.order.createdAtMs).toBeGreaterThanOrEqual(before);
    expect(a.order.history).toEqual([expect.objectContaining({ status: 'placed', by: 'caller' })]);
    expect(await ordering.orders.get(a.order.id)).toEqual(a.order);
  });

  it('places exactly one order per call, even when submitted concurrently', async () => {
    const callSid = call();
    const results = await Promise.all(Array.from({ length: 6 }, () => place({ callSid })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
    expect(await models.Order.countDocuments({ tenantId: T, callSid })).toBe(1);
  });

  it('returns the existing order on a retry, even when the menu changed since', async () => {
    const callSid = call();
    const first = await place({ callSid, lines: [line('wings', 'six')] });
    await ordering.catalog.setAvailability(T, 'wings', false);
    try {
      const retry = await place({ callSid, lines: [line('wings', 'six')] });
      expect(retry).toEqual({ order: first.order, created: false });
      expect(await reasonOf(place({ lines: [line('wings', 'six')] }))).toBe('item-unavailable');
    } finally {
      await ordering.catalog.setAvailability(T, 'wings', true);
    }
  });

  it('gives concurrent orders of different calls distinct numbers', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => place()));
    const numbers = results.map((r) => r.order.number);
    expect(new Set(numbers).size).toBe(6);
    expect(results.every((r) => r.created)).toBe(true);
  });

  it('recovers when the order counter falls behind the stored numbers', async () => {
    const last = await place();
    await models.Counter.deleteOne({ _id: `orders:${T}` });
    const next = await place();
    expect(next.created).toBe(true);
    expect(next.order.number).toBeGreaterThan(last.order.number);
  });

  it('refuses orders the business cannot take', async () => {
    expect(await reasonOf(place({ lines: [] }))).toBe('empty-order');
    expect(await reasonOf(place({ fulfilment: 'delivery' }))).toBe('address-required');
    expect(await reasonOf(place({ tenantId: 'nobody-here' }))).toBe('no-tenant');
    await models.Tenant.create({ _id: 'no-menu', name: 'Empty', timeZone: 'UTC', createdAtMs: 1 });
    expect(await reasonOf(place({ tenantId: 'no-menu' }))).toBe('no-catalog');
    await models.Catalog.create({ _id: 'no-menu', rev: 1, updatedAtMs: 1 });
    expect(
      await reasonOf(place({ tenantId: 'no-menu', fulfilment: 'delivery', address: 'x' })),
    ).toBe('delivery-disabled');
  });

  it('adds the delivery fee and the delivery time for delivery', async () => {
    const { order } = await place({ fulfilment: 'delivery', address: ' 1 Main St ' });
    expect(order).toMatchObject({ feesMinor: 299, address: '1 Main St', fulfilment: 'delivery' });
    expect(order.totalMinor).toBe(order.subtotalMinor + order.taxMinor + 299);
    expect(order.readyAtMs - order.createdAtMs).toBe(45 * 60_000);
  });
});

describe('lifecycle', () => {
  it('follows the transition table; repeats are no-ops; tenants are enforced', async () => {
    const { order } = await place();
    const adv = (s: Parameters<Ordering['orders']['advance']>[2], t: string | undefined = T) =>
      ordering.orders.advance(t, order.id, s);
    expect(await adv('completed')).toMatchObject({ ok: false, reason: 'illegal-transition' });
    expect(await adv('accepted', 'taco-stand')).toEqual({ ok: false, reason: 'not-found' });
    expect(await adv('accepted')).toMatchObject({ ok: true, changed: true });
    expect(await adv('accepted')).toMatchObject({ ok: true, changed: false });
    expect(await adv('out_for_delivery')).toMatchObject({ reason: 'illegal-transition' });
    expect(await adv('ready', undefined)).toMatchObject({ ok: true, changed: true });
    const done = await adv('completed');
    expect(done).toMatchObject({ ok: true, order: { status: 'completed' } });
    expect(await adv('cancelled')).toMatchObject({ reason: 'illegal-transition' });
    const stored = await ordering.orders.get(order.id, T);
    expect(stored?.history.map((h) => h.status)).toEqual([
      'placed',
      'accepted',
      'ready',
      'completed',
    ]);
    expect(await ordering.orders.get(order.id, 'taco-stand')).toBeUndefined();
  });

  it('lets the caller cancel only while placed', async () => {
    const phone = '+15550007777';
    expect(await ordering.orders.cancelByCaller(T, phone)).toEqual({
      ok: false,
      reason: 'not-found',
    });
    const a = await place({ phone });
    const cancelled = await ordering.orders.cancelByCaller(T, phone);
    expect(cancelled).toMatchObject({ ok: true, order: { id: a.order.id, status: 'cancelled' } });
    expect(await ordering.orders.cancelByCaller(T, phone, a.order.id)).toMatchObject({ ok: true });
    const b = await place({ phone });
    await ordering.orders.advance(T, b.order.id, 'accepted');
    expect(await ordering.orders.cancelByCaller(T, phone)).toMatchObject({
      ok: false,
      reason: 'too-late',
    });
    // Someone else's order is not theirs to cancel.
    expect(await ordering.orders.cancelByCaller(T, SAM, b.order.id)).toMatchObject({
      reason: 'not-found',
    });
    // The business may still cancel an accepted order.
    expect(await ordering.orders.advance(T, b.order.id, 'cancelled')).toMatchObject({ ok: true });
  });

  it('answers "where is my order" and "the same as last time"', async () => {
    const phone = '+15550008888';
    expect(await ordering.orders.latestForCaller(T, phone)).toBeUndefined();
    expect(await ordering.orders.lastOrderLines(T, phone)).toBeUndefined();
    const lines = [line('cheese', 'medium', 2, ['olives', 'no-basil'].slice(0, 1))];
    const a = await place({ phone, lines });
    const b = await place({ phone, lines: [line('sprite', 'two-liter')] });
    await ordering.orders.cancelByCaller(T, phone, b.order.id);
    expect((await ordering.orders.latestForCaller(T, phone))?.id).toBe(b.order.id);
    expect(await ordering.orders.lastOrderLines(T, phone)).toEqual(lines);
    expect(a.order.status).toBe('placed');
    expect(await ordering.orders.latestForCaller('taco-stand', phone)).toBeUndefined();
  });

  it('lists with filters, newest first', async () => {
    const phone = '+15550009999';
    const since = Date.now();
    const a = await place({ phone });
    const b = await place({ phone });
    await ordering.orders.advance(T, a.order.id, 'accepted');
    const mine = await ordering.orders.list({ tenantId: T, phone, limit: 10, offset: 0 });
    expect(mine.orders.map((o) => o.id)).toEqual([b.order.id, a.order.id]);
    expect(mine.total).toBe(2);
    const accepted = await ordering.orders.list({
      phone,
      status: 'accepted',
      limit: 10,
      offset: 0,
    });
    expect(accepted.orders.map((o) => o.id)).toEqual([a.order.id]);
    const page = await ordering.orders.list({ tenantId: T, since, limit: 1, offset: 1 });
    expect(page.orders.map((o) => o.id)).toEqual([a.order.id]);
    const other = await ordering.orders.list({ tenantId: 'taco-stand', limit: 10, offset: 0 });
    expect(other.total).toBe(0);
  });
});

describe('carts', () => {
  it('keeps a dropped call’s cart for the next call, until it is placed', async () => {
    const phone = '+15550004444';
    const dropped = call();
    const lines = [line('veggie', 'large', 1, ['no-onions'])];
    await ordering.carts.save(T, phone, dropped, [line('coke', 'can')]);
    await ordering.carts.save(T, phone, dropped, lines);
    const found = await ordering.carts.findRecent(T, phone, 60_000);
    expect(found).toMatchObject({ callSid: dropped, lines, phone, tenantId: T });
    expect(await ordering.carts.findRecent('taco-stand', phone, 60_000)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 20));
    expect(await ordering.carts.findRecent(T, phone, 5)).toBeUndefined();
    await place({ callSid: dropped, phone, lines });
    expect(await ordering.carts.findRecent(T, phone, 60_000)).toBeUndefined();
  });

  it('discards on request and ignores withheld numbers', async () => {
    const phone = '+15550005555';
    await ordering.carts.save(T, phone, call(), [line('fries', 'regular')]);
    await ordering.carts.discard(T, phone);
    expect(await ordering.carts.findRecent(T, phone, 60_000)).toBeUndefined();
    await ordering.carts.save(T, 'anonymous', call(), [line('fries', 'regular')]);
    expect(await ordering.carts.findRecent(T, 'anonymous', 60_000)).toBeUndefined();
    await ordering.carts.save(T, phone, call(), []);
    expect(await ordering.carts.findRecent(T, phone, 60_000)).toBeUndefined();
  });
});
