import type { OrderDoc, OrderModel } from '../../store/models/order.model.js';
import { E164 } from '../../store/models/validators.js';
import { callerMayCancel, canTransition } from './order-status.js';
import { toOrder, type Order, type OrderEvent } from './order-view.js';
import type { OrderStatus, StatusActor } from './types.js';

export type AdvanceResult =
  | { ok: true; order: Order; changed: boolean }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'illegal-transition'; order: Order };

export type CancelResult =
  { ok: true; order: Order } | { ok: false; reason: 'not-found' | 'too-late'; order?: Order };

export interface OrderLifecycle {
  /**
   * Moves an order to `status` (see order-status.ts). Asking for the current status again is a
   * no-op (`changed: false`). `tenantId` undefined: any tenant (operator); else the order must
   * belong to it.
   */
  advance(
    tenantId: string | undefined,
    orderId: string,
    status: OrderStatus,
    by?: StatusActor,
  ): Promise<AdvanceResult>;
  /**
   * The caller cancels `orderId`, or their newest order. Only while `placed`; cancelling an
   * already cancelled order succeeds again (idempotent).
   */
  cancelByCaller(tenantId: string, phone: string, orderId?: string): Promise<CancelResult>;
}

interface Deps {
  model: OrderModel;
  onEvent(e: OrderEvent): Promise<void>;
  now(): number;
  latest(tenantId: string, phone: string): Promise<OrderDoc | null>;
}

/** Conditional writes (on the status read) so concurrent changes never overwrite each other. */
const ATTEMPTS = 4;

export function createOrderLifecycle(d: Deps): OrderLifecycle {
  const load = async (orderId: string, tenantId?: string) => {
    const doc = await d.model.findById(orderId).lean<OrderDoc>().exec();
    return doc && (tenantId === undefined || doc.tenantId === tenantId) ? doc : undefined;
  };

  /** Writes `to` if the order still has `from`; the updated order, or undefined if it moved. */
  const write = async (doc: OrderDoc, to: OrderStatus, by: StatusActor) => {
    const atMs = d.now();
    const r = await d.model
      .updateOne(
        { _id: doc._id, status: doc.status },
        { $set: { status: to, updatedAtMs: atMs }, $push: { history: { status: to, atMs, by } } },
      )
      .exec();
    if (r.matchedCount !== 1) return undefined;
    const order = toOrder({
      ...doc,
      status: to,
      updatedAtMs: atMs,
      history: [...doc.history, { status: to, atMs, by }],
    });
    await d.onEvent({ type: to === 'cancelled' ? 'order.cancelled' : 'order.status', order });
    return order;
  };

  const advance: OrderLifecycle['advance'] = async (tenantId, orderId, to, by = 'business') => {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const doc = await load(orderId, tenantId);
      if (!doc) return { ok: false, reason: 'not-found' };
      if (doc.status === to) return { ok: true, order: toOrder(doc), changed: false };
      if (!canTransition(doc.status, to, doc.fulfilment)) {
        return { ok: false, reason: 'illegal-transition', order: toOrder(doc) };
      }
      const order = await write(doc, to, by);
      if (order) return { ok: true, order, changed: true };
    }
    const doc = await load(orderId, tenantId);
    return doc
      ? { ok: false, reason: 'illegal-transition', order: toOrder(doc) }
      : { ok: false, reason: 'not-found' };
  };

  const cancelByCaller: OrderLifecycle['cancelByCaller'] = async (tenantId, phone, orderId) => {
    if (!E164.test(phone)) return { ok: false, reason: 'not-found' };
    const find = async () => {
      const doc = orderId ? await load(orderId, tenantId) : await d.latest(tenantId, phone);
      return doc?.phone === phone ? doc : undefined;
    };
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const doc = await find();
      if (!doc) return { ok: false, reason: 'not-found' };
      if (doc.status === 'cancelled') return { ok: true, order: toOrder(doc) };
      if (!callerMayCancel(doc.status)) {
        return { ok: false, reason: 'too-late', order: toOrder(doc) };
      }
      const order = await write(doc, 'cancelled', 'caller');
      if (order) return { ok: true, order };
    }
    return { ok: false, reason: 'too-late' };
  };

  return { advance, cancelByCaller };
}
