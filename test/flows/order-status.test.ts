import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../src/logger.js';
import {
  OrderCall,
  newCallSid,
  startOrderWorld,
  type OrderWorld,
} from './scenarios/order-harness.js';

/**
 * "Where is my order" and "cancel my order" (flows/order-status.flow.json) with the real order
 * tasks and ordering domain on a real FerretDB, and their entry from the main menu.
 */

const TENANT = 'demo-pizzeria';
let world: OrderWorld;
beforeAll(async () => {
  world = await startOrderWorld();
}, 60_000);
afterAll(async () => {
  await world?.stop();
});

let callerSeq = 0;
function newCaller(): string {
  callerSeq += 1;
  return `+1555020${String(callerSeq).padStart(4, '0')}`;
}

/** A placed pickup order of one large cheese pizza for `caller`. */
async function placeOrder(caller: string) {
  const { order } = await world.ordering.orders.place({
    tenantId: TENANT,
    callSid: newCallSid(),
    phone: caller,
    lines: [{ itemId: 'cheese', variantId: 'large', quantity: 1, modifierIds: [] }],
    fulfilment: 'pickup',
    source: 'phone',
  });
  return order;
}

function statusCall(caller: string): Promise<OrderCall> {
  return new OrderCall(world, { caller, flow: 'order-status' }).start();
}

describe('order-status: where is my order', () => {
  it('tells the number, status and ready time of the newest order', async () => {
    const caller = newCaller();
    const order = await placeOrder(caller);
    const c = await statusCall(caller);
    expect(c.prompts()).toEqual(['order-status.status-placed', 'order-status.anything-else']);
    expect(c.heard()).toMatch(
      new RegExp(`^Order ${order.number} is in, and should be ready in about (19|20) minutes\\.`),
    );
    expect(await c.say('goodbye')).toEqual(['order-status.goodbye']);
    expect(c.ended).toBe('order:status');
  });

  it('follows the order through the kitchen', async () => {
    const caller = newCaller();
    const order = await placeOrder(caller);
    await world.ordering.orders.advance(TENANT, order.id, 'accepted');
    expect((await statusCall(caller)).prompts()[0]).toBe('order-status.status-accepted');
    await world.ordering.orders.advance(TENANT, order.id, 'ready');
    expect((await statusCall(caller)).prompts()[0]).toBe('order-status.status-ready');
  });

  it('a caller without orders is told so', async () => {
    const c = await statusCall(newCaller());
    expect(c.prompts()).toEqual(['order-status.no-order']);
    expect(c.ended).toBe('order:none');
  });
});

describe('order-status: cancel my order', () => {
  it('cancels an order nobody has started on, after a yes', async () => {
    const caller = newCaller();
    const order = await placeOrder(caller);
    const c = await statusCall(caller);
    expect(await c.say('cancel my order')).toEqual(['order-status.confirm-cancel']);
    expect(c.heard()).toContain(`Your order ${order.number} is one cheese pizza.`);
    expect(await c.say('yes')).toEqual(['order-status.cancelled']);
    expect(c.ended).toBe('order:cancelled');
    expect((await world.ordering.orders.get(order.id))?.status).toBe('cancelled');
  });

  it('no keeps the order', async () => {
    const caller = newCaller();
    const order = await placeOrder(caller);
    const c = await statusCall(caller);
    await c.press('1');
    expect(await c.press('2')).toEqual(['order-status.kept']);
    expect((await world.ordering.orders.get(order.id))?.status).toBe('placed');
  });

  it('too late once the kitchen accepted it: a person is offered', async () => {
    const caller = newCaller();
    const order = await placeOrder(caller);
    const c = await statusCall(caller);
    await world.ordering.orders.advance(TENANT, order.id, 'accepted');
    await c.say('cancel');
    expect(await c.say('yes')).toEqual(['order-status.too-late', 'order-status.offer-person']);
    expect((await world.ordering.orders.get(order.id))?.status).toBe('accepted');
    expect(await c.say('yes')).toEqual(['order-status.to-operator']);
    expect(c.ended).toBe('route:operator');
  });

  it('a cancel task run twice is idempotent', async () => {
    const caller = newCaller();
    const order = await placeOrder(caller);
    const cancel = world.handlers.get('orderStatus.cancel')!;
    const ctx = { callSid: newCallSid(), tenantId: TENANT, caller, logger: silentLogger() };
    const signal = new AbortController().signal;
    const a = await cancel({ orderId: order.id }, ctx, signal);
    const b = await cancel({ orderId: order.id }, ctx, signal);
    expect([a.outcome, b.outcome]).toEqual(['cancelled', 'cancelled']);
  });
});

describe('main menu → order status', () => {
  it.each([
    ['where is my order', 'order-status.status-placed'],
    ['cancel my order', 'order-status.confirm-cancel'],
  ])('"%s"', async (text, first) => {
    const caller = newCaller();
    await placeOrder(caller);
    const c = await new OrderCall(world, { caller, flow: 'main-menu' }).start();
    expect((await c.say(text))[0]).toBe(first);
  });

  it('keys 4 and 5', async () => {
    const caller = newCaller();
    await placeOrder(caller);
    const a = await new OrderCall(world, { caller, flow: 'main-menu' }).start();
    expect((await a.press('4'))[0]).toBe('order-status.status-placed');
    const b = await new OrderCall(world, { caller, flow: 'main-menu' }).start();
    expect((await b.press('5'))[0]).toBe('order-status.confirm-cancel');
  });
});
