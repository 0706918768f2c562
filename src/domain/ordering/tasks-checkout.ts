import type { TaskHandler } from '../../dialog/task-types.js';
import { priceCart } from './pricing.js';
import {
  cartInput,
  cartSlots,
  numberInput,
  saveCart,
  stringInput,
  tenantOf,
  type Menu,
  type TaskEnv,
} from './tasks-env.js';
import { describeLine, itemOf, spokenList } from './tasks-speech.js';
import { isOrderingError, type CartLine, type Fulfilment, type PricedCart } from './types.js';

/**
 * Starting, pricing and placing the order. Placing is idempotent per call (the domain keeps one
 * order per callSid), so a retry after an error or a double "yes" never makes a second order.
 */

/** Where a caller's address on file comes from (e.g. the customer book's `address` preference). */
export type AddressLookup = (tenantId: string, phone: string) => Promise<string | undefined>;

/** Default window in which a dropped call's cart is offered again (input `withinMinutes`). */
export const DEFAULT_RESUME_MINUTES = 30;

function fulfilmentOf(v: unknown): Fulfilment {
  return v === 'delivery' ? 'delivery' : 'pickup';
}

/** `order.start`: a fresh order, or the cart of this caller's recently dropped call. */
export function startTask(env: TaskEnv): TaskHandler {
  return async (input, ctx) => {
    const tenantId = tenantOf(ctx);
    const menu = await env.menu(tenantId);
    const withinMs = numberInput(input.withinMinutes, DEFAULT_RESUME_MINUTES) * 60_000;
    const saved = ctx.caller
      ? await env.ordering.carts.findRecent(tenantId, ctx.caller, withinMs)
      : undefined;
    const lines = (saved && saved.callSid !== ctx.callSid ? saved.lines : []).filter((l) => {
      const item = itemOf(menu.view, l.itemId);
      return item?.available === true && item.variants.some((v) => v.id === l.variantId);
    });
    if (lines.length === 0)
      return { outcome: 'fresh', slots: { ...cartSlots(menu, []), pending: '' } };
    return { outcome: 'resume', slots: { ...cartSlots(menu, lines), pending: '' } };
  };
}

/** `order.clear`: empties the cart (start over, or a resumed cart the caller declined). */
export function clearTask(env: TaskEnv): TaskHandler {
  return async (_input, ctx) => {
    const tenantId = tenantOf(ctx);
    const menu = await env.menu(tenantId);
    if (ctx.caller) await env.ordering.carts.discard(tenantId, ctx.caller);
    return { outcome: 'cleared', slots: { ...cartSlots(menu, []), pending: '' } };
  };
}

/** Lines with their prices: "two large pepperoni pizzas for 33 dollars 98 and one coke for …". */
function pricedSummary(menu: Menu, cart: readonly CartLine[], priced: PricedCart): string {
  return spokenList(
    cart.map(
      (l, i) =>
        `${describeLine(menu.view, l)} for ${menu.money(priced.lines[i]?.lineTotalMinor ?? 0)}`,
    ),
  );
}

/** `order.quote`: prices the cart (with the delivery fee when `fulfilment` is delivery). */
export function quoteTask(env: TaskEnv): TaskHandler {
  return async (input, ctx) => {
    const menu = await env.menu(tenantOf(ctx));
    const cart = cartInput(menu, input);
    if (cart.length === 0) return { outcome: 'empty', slots: cartSlots(menu, []) };
    const fulfilment = fulfilmentOf(input.fulfilment);
    try {
      const priced = priceCart(cart, menu.view, menu.settings, fulfilment);
      return {
        outcome: 'ready',
        slots: {
          ...cartSlots(menu, cart),
          cartPriced: pricedSummary(menu, cart, priced),
          total: menu.money(priced.totalMinor),
          deliveryFee: menu.money(priced.feesMinor),
        },
      };
    } catch (err) {
      if (!isOrderingError(err)) throw err;
      // An item went off the menu mid-call: drop what no longer prices and read the rest back.
      const still = cart.filter((l) => itemOf(menu.view, l.itemId)?.available === true);
      await saveCart(env, ctx, still);
      return { outcome: 'menuChanged', slots: cartSlots(menu, still) };
    }
  };
}

/** `order.delivery`: can we deliver to this caller? The address on file, or why not. */
export function deliveryTask(env: TaskEnv, addressOf?: AddressLookup): TaskHandler {
  return async (_input, ctx) => {
    const tenantId = tenantOf(ctx);
    const menu = await env.menu(tenantId);
    if (!menu.settings.deliveryEnabled) return { outcome: 'disabled' };
    const address = ctx.caller && addressOf ? await addressOf(tenantId, ctx.caller) : undefined;
    if (!address) return { outcome: 'noAddress' };
    return { outcome: 'address', slots: { deliveryAddress: address } };
  };
}

/** `order.place`: places this call's order (once, whatever retries) and says when it is ready. */
export function placeTask(env: TaskEnv): TaskHandler {
  return async (input, ctx) => {
    const tenantId = tenantOf(ctx);
    const menu = await env.menu(tenantId);
    const cart = cartInput(menu, input);
    const fulfilment = fulfilmentOf(input.fulfilment);
    const address = stringInput(input.address);
    try {
      const { order, created } = await env.ordering.orders.place({
        tenantId,
        callSid: ctx.callSid,
        ...(ctx.caller ? { phone: ctx.caller } : {}),
        lines: cart,
        fulfilment,
        ...(fulfilment === 'delivery' && address ? { address } : {}),
        source: 'phone',
      });
      ctx.logger.info({ orderId: order.id, created }, 'order placed');
      // A resumed cart was saved by the dropped call: it is this order now, never offered again.
      if (ctx.caller) await env.ordering.carts.discard(tenantId, ctx.caller);
      const readyMinutes = Math.max(1, Math.ceil((order.readyAtMs - Date.now()) / 60_000));
      return {
        outcome: 'placed',
        slots: {
          orderNumber: String(order.number),
          readyMinutes,
          total: menu.money(order.totalMinor),
        },
      };
    } catch (err) {
      if (isOrderingError(err, 'empty-order')) return { outcome: 'empty' };
      if (isOrderingError(err)) return { outcome: 'refused' };
      throw err;
    }
  };
}
