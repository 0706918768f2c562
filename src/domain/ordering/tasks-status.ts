import type { TaskHandler } from '../../dialog/task-types.js';
import type { TaskValue } from '../../dialog/types.js';
import type { CatalogView } from '../../nlu/order/catalog-view.js';
import type { Order } from './order-view.js';
import { stringInput, tenantOf, type TaskEnv } from './tasks-env.js';
import { describeLines } from './tasks-speech.js';

/**
 * "Where is my order" and "cancel my order", by the caller's number. A caller without a number
 * (withheld) has no orders to find. Cancelling is the domain's decision: allowed only while the
 * order is `placed` (nobody has started on it).
 */

/** Slots describing an order: number, status (an OrderStatus), minutes until ready, contents. */
function orderSlots(order: Order, nowMs: number): Record<string, TaskValue> {
  return {
    orderId: order.id,
    orderNumber: String(order.number),
    orderStatus: order.status,
    fulfilment: order.fulfilment,
    readyMinutes: Math.max(0, Math.ceil((order.readyAtMs - nowMs) / 60_000)),
    orderSummary: describeLines(
      viewFromLines(order),
      order.lines.map((l, i) => ({ ...l, itemId: String(i) })),
    ),
  };
}

/**
 * A minimal catalog view from the order's own snapshot (names as they were when placed): one
 * item per line, keyed by the line's index.
 */
function viewFromLines(order: Order): CatalogView {
  return {
    version: '',
    currency: order.currency,
    categories: [],
    items: order.lines.map((l, i) => ({
      id: String(i),
      categoryId: '',
      name: l.itemName,
      aliases: [],
      available: true,
      isNew: false,
      popular: false,
      variants: [{ id: l.variantId, name: l.variantName, aliases: [], priceMinor: 0 }],
      modifiers: l.modifierIds.map((id, i) => ({
        id,
        name: l.modifierNames[i] ?? '',
        aliases: [],
        priceMinor: 0,
      })),
    })),
  };
}

/** `orderStatus.lookup`: the caller's newest order. */
export function lookupTask(env: TaskEnv): TaskHandler {
  return async (_input, ctx) => {
    const tenantId = tenantOf(ctx);
    if (!ctx.caller) return { outcome: 'none' };
    const order = await env.ordering.orders.latestForCaller(tenantId, ctx.caller);
    if (!order) return { outcome: 'none' };
    return { outcome: 'found', slots: orderSlots(order, Date.now()) };
  };
}

/** `orderStatus.cancel`: cancels the order found by lookup (input `orderId`), or the newest one. */
export function cancelTask(env: TaskEnv): TaskHandler {
  return async (input, ctx) => {
    const tenantId = tenantOf(ctx);
    if (!ctx.caller) return { outcome: 'none' };
    const orderId = stringInput(input.orderId);
    const r = await env.ordering.orders.cancelByCaller(
      tenantId,
      ctx.caller,
      ...(orderId ? [orderId] : []),
    );
    if (r.ok) return { outcome: 'cancelled', slots: orderSlots(r.order, Date.now()) };
    if (r.reason === 'too-late' && r.order) {
      return { outcome: 'tooLate', slots: orderSlots(r.order, Date.now()) };
    }
    return { outcome: 'none' };
  };
}
