import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OrderCall, startOrderWorld, type OrderWorld } from './scenarios/order-harness.js';

/**
 * The ordering flow end to end at the dialog level: real flows and prompts, the real order task
 * handlers and ordering domain, a real FerretDB. Caller turns are transcripts (confidence 0.95
 * unless said otherwise) and key presses.
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
/** A fresh caller number per test keeps carts and orders of tests apart. */
function newCaller(): string {
  callerSeq += 1;
  return `+1555010${String(callerSeq).padStart(4, '0')}`;
}

async function ordersOf(phone: string) {
  return (await world.ordering.orders.list({ phone, limit: 10, offset: 0 })).orders;
}

function linesOf(order: { lines: { itemId: string; variantId: string; quantity: number }[] }) {
  return order.lines.map((l) => `${l.quantity} ${l.variantId} ${l.itemId}`);
}

async function call(caller: string, flow = 'ordering'): Promise<OrderCall> {
  return new OrderCall(world, { caller, flow }).start();
}

/** From "anything else?" to a placed pickup order. */
async function checkoutPickup(c: OrderCall): Promise<void> {
  expect(await c.say("that's all")).toEqual(['ordering.read-back', 'ordering.ask-fulfilment']);
  expect(await c.say('pickup')).toEqual(['ordering.confirm-pickup']);
  expect(await c.say('yes')).toEqual(['ordering.placed-pickup']);
  expect(c.ended).toBe('order:placed');
}

describe('ordering: happy path', () => {
  it('two large pepperoni pizzas, pickup, yes → one order, read back with number and ready time', async () => {
    const caller = newCaller();
    const c = await call(caller);
    expect(c.prompts()).toEqual(['ordering.ask-first']);
    expect(await c.say('two large pepperoni pizzas')).toEqual([
      'ordering.added',
      'ordering.ask-more',
    ]);
    expect(c.heard()).toContain('two large pepperoni pizzas, got it');
    expect(await c.say("that's all")).toEqual(['ordering.read-back', 'ordering.ask-fulfilment']);
    // 2 × 18.99 = 37.98, tax 8.75 % = 3.32 → 41.30
    expect(c.heard()).toContain(
      'two large pepperoni pizzas for 37 dollars 98. Your total is 41 dollars 30',
    );
    expect(await c.say('pickup')).toEqual(['ordering.confirm-pickup']);
    expect(await ordersOf(caller)).toEqual([]);
    expect(await c.say('yes')).toEqual(['ordering.placed-pickup']);
    expect(c.ended).toBe('order:placed');
    const orders = await ordersOf(caller);
    expect(orders.map(linesOf)).toEqual([['2 large pepperoni']]);
    expect(orders[0]!.totalMinor).toBe(4130);
    expect(c.heard()).toContain(`Your order number is ${orders[0]!.number}.`);
    expect(c.heard()).toMatch(/ready for pickup in about 2\d minutes/);
  });

  it('keypad where offered: # to finish, 1 for pickup, 1 for yes', async () => {
    const caller = newCaller();
    const c = await call(caller);
    await c.say('a large cheese pizza and a coke');
    expect(await c.press('#')).toEqual(['ordering.read-back', 'ordering.ask-fulfilment']);
    expect(await c.press('1')).toEqual(['ordering.confirm-pickup']);
    expect(await c.press('1')).toEqual(['ordering.placed-pickup']);
    expect((await ordersOf(caller)).map(linesOf)).toEqual([['1 large cheese', '1 can coke']]);
  });

  it('items and "that\'s all" in one breath go straight to the read-back', async () => {
    const c = await call(newCaller());
    expect(await c.say("a large veggie pizza with no onions, that's all")).toEqual([
      'ordering.added',
      'ordering.read-back',
      'ordering.ask-fulfilment',
    ]);
    expect(c.heard()).toContain('one large veggie pizza, no onions');
  });

  it('a pizza without a size: the size is asked before anything is added', async () => {
    const c = await call(newCaller());
    expect(await c.say('a pepperoni pizza')).toEqual(['ordering.ask-size']);
    expect(c.heard()).toContain('We have small, medium or large');
    expect(c.slots().cart).toBe('');
    expect(await c.say('medium')).toEqual(['ordering.added', 'ordering.ask-more']);
    expect(c.heard()).toContain('one medium pepperoni pizza');
  });

  it('the size can be chosen on the keypad, in the order the sizes were listed', async () => {
    const c = await call(newCaller());
    expect(await c.say('a pepperoni pizza')).toEqual(['ordering.ask-size']);
    expect(c.heard()).toContain('Or press 1 for small, 2 for medium or 3 for large.');
    expect(await c.press('3')).toEqual(['ordering.added', 'ordering.ask-more']);
    expect(c.heard()).toContain('one large pepperoni pizza');
  });
});

describe('ordering: nothing uncertain is added without a yes', () => {
  it('a fuzzy item is confirmed before it is added; yes adds it', async () => {
    const c = await call(newCaller());
    // A misheard name (understanding 0.8) at a low recognizer confidence: 0.8 × 0.35/0.5 < 0.6.
    expect(await c.say('a large peperoni', 0.35)).toEqual(['ordering.confirm-item']);
    expect(c.heard()).toBe('Did you say one large pepperoni pizza? Say yes or no.');
    expect(c.slots().cart).toBe('');
    expect(await c.say('yes')).toEqual(['ordering.added', 'ordering.ask-more']);
    expect(c.slots().itemCount).toBe(1);
  });

  it('a low recognizer confidence is confirmed too; no adds nothing', async () => {
    const caller = newCaller();
    const c = await call(caller);
    expect(await c.say('two large pepperoni pizzas', 0.2)).toEqual(['ordering.confirm-item']);
    expect(await c.say('no')).toEqual(['ordering.ask-instead']);
    expect(c.slots().cart).toBe('');
    expect(await world.ordering.carts.findRecent(TENANT, caller, 60_000)).toBeUndefined();
  });

  it('an unavailable item: alternatives are offered and nothing is added until yes', async () => {
    await world.ordering.catalog.setAvailability(TENANT, 'pepperoni', false);
    try {
      const caller = newCaller();
      const c = await call(caller);
      expect(await c.say('two large pepperoni pizzas')).toEqual(['ordering.offer-alternative']);
      expect(c.heard()).toMatch(
        /^Sorry, we don't have pepperoni pizza today\. We do have .+\. Would you like two large .+ pizzas\?/,
      );
      expect(c.slots().cart).toBe('');
      expect(await c.say('yes')).toEqual(['ordering.added', 'ordering.ask-more']);
      expect(c.slots().itemCount).toBe(2);
      await checkoutPickup(c);
      const [order] = await ordersOf(caller);
      expect(order!.lines[0]!.itemId).not.toBe('pepperoni');
      expect(order!.lines[0]).toMatchObject({ quantity: 2, variantId: 'large' });
    } finally {
      await world.ordering.catalog.setAvailability(TENANT, 'pepperoni', true);
    }
  });

  it('an unknown item: the closest items are offered; no means nothing is added', async () => {
    const c = await call(newCaller());
    expect(await c.say('a large calzone')).toEqual(['ordering.offer-alternative']);
    expect(c.heard()).toContain("we don't have calzone");
    expect(await c.say('no')).toEqual(['ordering.ask-instead']);
    expect(c.slots().cart).toBe('');
    // The caller can name something else right away.
    expect(await c.say('a large cheese pizza')).toEqual(['ordering.added', 'ordering.ask-more']);
  });

  it('no to the final confirmation, then cancel: no order is placed', async () => {
    const caller = newCaller();
    const c = await call(caller);
    await c.say('two large pepperoni pizzas');
    await c.say("that's all");
    await c.say('pickup');
    expect(await c.say('no')).toEqual(['ordering.not-placed']);
    expect(await c.say('cancel')).toEqual(['ordering.cancelled']);
    expect(c.ended).toBe('order:cancelled');
    expect(await ordersOf(caller)).toEqual([]);
    expect(await world.ordering.carts.findRecent(TENANT, caller, 60_000)).toBeUndefined();
  });

  it('hanging up at the final confirmation places nothing', async () => {
    const caller = newCaller();
    const c = await call(caller);
    await c.say('a large cheese pizza');
    await c.say("that's all");
    await c.say('pickup');
    c.hangUp();
    expect(await ordersOf(caller)).toEqual([]);
  });
});

describe('ordering: corrections, removals, questions', () => {
  it('"make the second one medium" changes the second of two pizzas', async () => {
    const caller = newCaller();
    const c = await call(caller);
    await c.say('two large pepperoni pizzas and a coke');
    expect(await c.say('make the second one medium')).toEqual([
      'ordering.updated',
      'ordering.ask-more',
    ]);
    expect(c.heard()).toContain('now one medium pepperoni pizza');
    await checkoutPickup(c);
    expect((await ordersOf(caller)).map(linesOf)).toEqual([
      ['1 large pepperoni', '1 medium pepperoni', '1 can coke'],
    ]);
  });

  it('"remove the coke" takes it off', async () => {
    const caller = newCaller();
    const c = await call(caller);
    await c.say('two large pepperoni pizzas and a coke');
    expect(await c.say('remove the coke')).toEqual(['ordering.removed', 'ordering.ask-more']);
    expect(c.heard()).toContain('I took off one coke');
    await checkoutPickup(c);
    expect((await ordersOf(caller)).map(linesOf)).toEqual([['2 large pepperoni']]);
  });

  it('a correction with nothing to correct says so', async () => {
    const c = await call(newCaller());
    expect(await c.say('remove the coke')).toEqual(['ordering.no-line', 'ordering.ask-next']);
  });

  it('menu questions are answered from the catalog and change nothing', async () => {
    const c = await call(newCaller());
    expect(await c.say('what sizes do you have')).toEqual([
      'ordering.answer-sizes-all',
      'ordering.ask-next',
    ]);
    expect(c.heard()).toContain('We have small, medium, large');
    expect(await c.say('how much is a large pepperoni pizza')).toEqual([
      'ordering.answer-price',
      'ordering.ask-next',
    ]);
    expect(c.heard()).toContain('A large pepperoni pizza is 18 dollars 99.');
    expect(c.slots().cart).toBe('');
  });
});

describe('ordering: returning callers', () => {
  it('"the same as last time" reorders the previous order', async () => {
    const caller = newCaller();
    const first = await call(caller);
    await first.say('a large hawaiian pizza and two cokes');
    await checkoutPickup(first);
    const again = await call(caller);
    expect(await again.say('the same as last time')).toEqual([
      'ordering.reordered',
      'ordering.ask-more',
    ]);
    expect(again.heard()).toContain('one large hawaiian pizza and two cokes');
    await checkoutPickup(again);
    const orders = await ordersOf(caller);
    expect(orders.map(linesOf)).toEqual([
      ['1 large hawaiian', '2 can coke'],
      ['1 large hawaiian', '2 can coke'],
    ]);
  });

  it('"the same as last time" with no previous order says so', async () => {
    const c = await call(newCaller());
    expect(await c.say('the same as last time')).toEqual([
      'ordering.no-previous',
      'ordering.ask-next',
    ]);
  });

  it('a dropped call: the cart is offered again when the caller calls back', async () => {
    const caller = newCaller();
    const dropped = await call(caller);
    await dropped.say('two large pepperoni pizzas and a coke');
    dropped.hangUp();
    const back = await call(caller);
    expect(back.prompts()).toEqual(['ordering.resume-offer']);
    expect(back.heard()).toContain('you had two large pepperoni pizzas and one coke');
    expect(await back.say('yes')).toEqual(['ordering.ask-more']);
    await checkoutPickup(back);
    expect((await ordersOf(caller)).map(linesOf)).toEqual([['2 large pepperoni', '1 can coke']]);
    // Placed: the next call starts afresh.
    expect((await call(caller)).prompts()).toEqual(['ordering.ask-first']);
  });

  it('a declined cart is forgotten; another caller never sees it', async () => {
    const caller = newCaller();
    const dropped = await call(caller);
    await dropped.say('a large cheese pizza');
    dropped.hangUp();
    expect((await call(newCaller())).prompts()).toEqual(['ordering.ask-first']);
    const back = await call(caller);
    expect(await back.say('no')).toEqual(['ordering.ask-first']);
    expect(back.slots().cart).toBe('');
    expect((await call(caller)).prompts()).toEqual(['ordering.ask-first']);
  });
});

describe('ordering: delivery', () => {
  it('delivery to the address on file, with the delivery fee', async () => {
    const caller = newCaller();
    world.addresses.set(caller, '12 Main Street');
    const c = await call(caller);
    await c.say('a large cheese pizza');
    await c.say("that's all");
    expect(await c.say('delivery')).toEqual(['ordering.confirm-address']);
    expect(await c.say('yes')).toEqual(['ordering.confirm-delivery']);
    expect(c.heard()).toContain('for delivery to 12 Main Street');
    expect(await c.say('yes')).toEqual(['ordering.placed-delivery']);
    const [order] = await ordersOf(caller);
    expect(order).toMatchObject({
      fulfilment: 'delivery',
      address: '12 Main Street',
      feesMinor: 299,
    });
  });

  it('no address on file: the bot does not take one by voice; pickup or a person instead', async () => {
    const caller = newCaller();
    const c = await call(caller);
    await c.say('a large cheese pizza');
    await c.say("that's all");
    expect(await c.press('2')).toEqual(['ordering.no-address']);
    expect(await c.press('1')).toEqual(['ordering.confirm-pickup']);
    expect(await c.press('1')).toEqual(['ordering.placed-pickup']);
    expect((await ordersOf(caller))[0]!.fulfilment).toBe('pickup');
  });
});

describe('ordering: global commands', () => {
  it('help, repeat and start over work in every listening state; operator leaves', async () => {
    const c = await call(newCaller());
    await c.say('two large pepperoni pizzas');
    expect(await c.press('*')).toEqual(['ordering.ask-more']);
    expect(await c.say('help')).toEqual(['ordering.help']);
    expect(await c.say('start over')).toEqual(['ordering.restarted', 'ordering.ask-next']);
    expect(c.slots().cart).toBe('');
    await c.say('a large cheese pizza');
    await c.say("that's all");
    expect(await c.say('repeat')).toEqual(['ordering.read-back', 'ordering.ask-fulfilment']);
    expect(await c.say('talk to a person')).toEqual(['ordering.to-operator']);
    expect(c.ended).toBe('route:operator');
  });
});

describe('ordering: placing is idempotent', () => {
  it('a double submit of one call places one order', async () => {
    const caller = newCaller();
    const place = world.handlers.get('order.place')!;
    const ctx = {
      callSid: 'CAdouble0000000000000000000000001',
      tenantId: TENANT,
      caller,
      logger: (await import('../../src/logger.js')).silentLogger(),
    };
    const cart = JSON.stringify([
      { itemId: 'cheese', variantId: 'large', quantity: 1, modifierIds: [] },
    ]);
    const input = { cart, fulfilment: 'pickup' };
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all([place(input, ctx, signal), place(input, ctx, signal)]);
    const again = await place(input, ctx, signal);
    expect([a.outcome, b.outcome, again.outcome]).toEqual(['placed', 'placed', 'placed']);
    expect(
      new Set([a.slots?.orderNumber, b.slots?.orderNumber, again.slots?.orderNumber]).size,
    ).toBe(1);
    expect(await ordersOf(caller)).toHaveLength(1);
  });

  it('a failed placement is retried on yes without a second order', async () => {
    const caller = newCaller();
    const c = new OrderCall(world, { caller, failing: ['order.place'] });
    await c.start();
    await c.say('a large cheese pizza');
    await c.say("that's all");
    await c.say('pickup');
    expect(await c.say('yes')).toEqual(['ordering.place-failed']);
    expect(await c.say('no')).toEqual(['ordering.not-placed-bye']);
    expect(await ordersOf(caller)).toEqual([]);
  });
});

describe('main menu → ordering', () => {
  it('"I\'d like to order" starts the ordering flow', async () => {
    const c = await call(newCaller(), 'main-menu');
    expect(await c.say("I'd like to order")).toEqual([
      'main-menu.route-order',
      'ordering.ask-first',
    ]);
    expect(c.state).toBe('routeOrder.askFirst');
  });
});
