import type { Fulfilment, OrderStatus } from './types.js';

/**
 * The order lifecycle:
 *   placed → accepted → ready → completed                      (pickup)
 *   placed → accepted → [ready →] out_for_delivery → completed (delivery)
 *   any status before completed → cancelled (by the business; the caller only while `placed`)
 * `completed` and `cancelled` are final.
 */
const NEXT: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  placed: ['accepted', 'cancelled'],
  accepted: ['ready', 'out_for_delivery', 'cancelled'],
  ready: ['out_for_delivery', 'completed', 'cancelled'],
  out_for_delivery: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

/** True when the business may move an order of `fulfilment` from `from` to `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus, fulfilment: Fulfilment): boolean {
  if (to === 'out_for_delivery' && fulfilment !== 'delivery') return false;
  return NEXT[from].includes(to);
}

/** The caller may cancel only an order nobody has started on. */
export function callerMayCancel(status: OrderStatus): boolean {
  return status === 'placed';
}

export function isFinal(status: OrderStatus): boolean {
  return NEXT[status].length === 0;
}
