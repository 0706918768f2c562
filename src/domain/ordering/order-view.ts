import type { OrderDoc } from '../../store/models/order.model.js';
import type { Fulfilment, OrderStatus, PricedLine, StatusChange } from './types.js';

/** An order as services, flows, the admin API and webhooks see it. Amounts in minor units. */
export interface Order {
  id: string;
  tenantId: string;
  /** Short per-tenant number the caller hears ("order 42"). */
  number: number;
  callSid: string;
  phone?: string;
  source: 'phone';
  lines: PricedLine[];
  subtotalMinor: number;
  taxMinor: number;
  feesMinor: number;
  totalMinor: number;
  currency: string;
  fulfilment: Fulfilment;
  address?: string;
  status: OrderStatus;
  history: StatusChange[];
  readyAtMs: number;
  createdAtMs: number;
  updatedAtMs: number;
}

/** A change worth telling the business about. `order.status` covers every status but cancelled. */
export interface OrderEvent {
  type: 'order.placed' | 'order.status' | 'order.cancelled';
  order: Order;
}

export function toOrder(d: OrderDoc): Order {
  return {
    id: d._id,
    tenantId: d.tenantId,
    number: d.number,
    callSid: d.callSid,
    ...(d.phone ? { phone: d.phone } : {}),
    source: d.source,
    lines: d.lines.map((l) => ({
      itemId: l.itemId,
      variantId: l.variantId,
      quantity: l.quantity,
      modifierIds: [...l.modifierIds],
      itemName: l.itemName,
      variantName: l.variantName,
      modifierNames: [...l.modifierNames],
      unitPriceMinor: l.unitPriceMinor,
      lineTotalMinor: l.lineTotalMinor,
    })),
    subtotalMinor: d.subtotalMinor,
    taxMinor: d.taxMinor,
    feesMinor: d.feesMinor,
    totalMinor: d.totalMinor,
    currency: d.currency,
    fulfilment: d.fulfilment,
    ...(d.address ? { address: d.address } : {}),
    status: d.status,
    history: d.history.map(({ status, atMs, by }) => ({ status, atMs, by })),
    readyAtMs: d.readyAtMs,
    createdAtMs: d.createdAtMs,
    updatedAtMs: d.updatedAtMs,
  };
}
