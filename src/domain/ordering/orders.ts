import { randomBytes } from 'node:crypto';
import { errorSummary } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CounterModel } from '../../store/models/counter.model.js';
import type { OrderDoc, OrderModel } from '../../store/models/order.model.js';
import { E164 } from '../../store/models/validators.js';
import { isDuplicateKey } from '../../store/mongo-errors.js';
import type { CartStore } from './carts.js';
import { copyLine } from './carts.js';
import type { CatalogService } from './catalog.js';
import { createOrderLifecycle, type OrderLifecycle } from './order-lifecycle.js';
import { toOrder, type Order, type OrderEvent } from './order-view.js';
import { priceCart } from './pricing.js';
import {
  OrderingError,
  isOrderingError,
  type CartLine,
  type Fulfilment,
  type OrderStatus,
  type OrderingSettings,
  type PricedCart,
} from './types.js';

export type { Order, OrderEvent } from './order-view.js';
export type { AdvanceResult, CancelResult } from './order-lifecycle.js';

/** Order ids: `ord_` + 24 hex digits. */
export const ORDER_ID = /^ord_[0-9a-f]{24}$/;

export interface PlaceOrderInput {
  tenantId: string;
  /** The call placing the order: the idempotency key (one order per call). */
  callSid: string;
  /** E.164; anything else (withheld numbers) is not stored. */
  phone?: string;
  lines: readonly CartLine[];
  fulfilment: Fulfilment;
  /** Required for delivery. */
  address?: string;
  source: 'phone';
}

export interface ListOrdersQuery {
  tenantId?: string;
  status?: OrderStatus;
  phone?: string;
  /** Orders created at or after this instant (ms since the epoch). */
  since?: number;
  limit: number;
  offset: number;
}

export interface OrderService extends OrderLifecycle {
  /**
   * Places the order of call `callSid`, priced server-side from the current catalog. Idempotent:
   * the insert is guarded by the unique (tenantId, callSid) index, so retries, replays and
   * concurrent submits of one call return the one order with `created: false`. Refusals
   * (OrderingError: no-tenant, no-catalog, empty-order, delivery-disabled, address-required and
   * the pricing reasons) are thrown only when the call has no order yet.
   */
  place(input: PlaceOrderInput): Promise<{ order: Order; created: boolean }>;
  get(orderId: string, tenantId?: string): Promise<Order | undefined>;
  /** Newest first. */
  list(q: ListOrdersQuery): Promise<{ orders: Order[]; total: number }>;
  /** The caller's newest order (any status), for "where is my order". */
  latestForCaller(tenantId: string, phone: string): Promise<Order | undefined>;
  /** The lines of the caller's newest order that was not cancelled ("the same as last time"). */
  lastOrderLines(tenantId: string, phone: string): Promise<CartLine[] | undefined>;
}

export interface OrderServiceDeps {
  models: { Order: OrderModel; Counter: CounterModel };
  catalog: CatalogService;
  carts: CartStore;
  /** Called after every change (placed, status, cancelled); must not throw. */
  onEvent(e: OrderEvent): Promise<void>;
  logger: Logger;
  now?: () => number;
}

/** Attempts at inserting an order whose number another order took meanwhile. */
const PLACE_ATTEMPTS = 8;

export function createOrderService(d: OrderServiceDeps): OrderService {
  return new OrderBook(d);
}

class OrderBook implements OrderService {
  private readonly model: OrderModel;
  private readonly now: () => number;
  private readonly lifecycle: OrderLifecycle;

  constructor(private readonly d: OrderServiceDeps) {
    this.model = d.models.Order;
    this.now = d.now ?? Date.now;
    this.lifecycle = createOrderLifecycle({
      model: this.model,
      onEvent: d.onEvent,
      now: this.now,
      latest: (tenantId, phone) => this.latest(tenantId, phone),
    });
  }

  advance: OrderService['advance'] = (...args) => this.lifecycle.advance(...args);
  cancelByCaller: OrderService['cancelByCaller'] = (...args) =>
    this.lifecycle.cancelByCaller(...args);

  /** Insert first; a duplicate key means this call already has its order (or lost a number). */
  place = async (input: PlaceOrderInput): Promise<{ order: Order; created: boolean }> => {
    let priced: { cart: PricedCart; settings: OrderingSettings };
    try {
      priced = await quote(this.d.catalog, input);
    } catch (err) {
      const existing = isOrderingError(err) ? await this.byCall(input) : undefined;
      if (existing) return { order: existing, created: false };
      throw err;
    }
    for (let attempt = 0; attempt < PLACE_ATTEMPTS; attempt++) {
      const number = await nextNumber(this.d.models, input.tenantId);
      const doc = newOrderDoc(input, number, priced.cart, priced.settings, this.now());
      try {
        await this.model.create(doc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await this.byCall(input);
        if (existing) return { order: existing, created: false };
        await resync(this.d.models, input.tenantId);
        continue;
      }
      const order = toOrder(doc);
      await afterPlaced(this.d, order, input);
      return { order, created: true };
    }
    throw new OrderingError('concurrent-write', 'no free order number');
  };

  get = async (orderId: string, tenantId?: string): Promise<Order | undefined> => {
    if (!ORDER_ID.test(orderId)) return undefined;
    const doc = await this.model.findById(orderId).lean<OrderDoc>().exec();
    return doc && (tenantId === undefined || doc.tenantId === tenantId) ? toOrder(doc) : undefined;
  };

  list = async (q: ListOrdersQuery): Promise<{ orders: Order[]; total: number }> => {
    const filter: Record<string, unknown> = {};
    if (q.tenantId) filter.tenantId = q.tenantId;
    if (q.status) filter.status = q.status;
    if (q.phone) filter.phone = q.phone;
    if (q.since !== undefined) filter.createdAtMs = { $gte: q.since };
    const [docs, total] = await Promise.all([
      this.model
        .find(filter)
        .sort({ createdAtMs: -1, number: -1 })
        .skip(q.offset)
        .limit(q.limit)
        .lean<OrderDoc[]>()
        .exec(),
      this.model.countDocuments(filter).exec(),
    ]);
    return { orders: docs.map(toOrder), total };
  };

  latestForCaller = async (tenantId: string, phone: string): Promise<Order | undefined> => {
    if (!E164.test(phone)) return undefined;
    const doc = await this.latest(tenantId, phone);
    return doc ? toOrder(doc) : undefined;
  };

  lastOrderLines = async (tenantId: string, phone: string): Promise<CartLine[] | undefined> => {
    if (!E164.test(phone)) return undefined;
    const doc = await this.latest(tenantId, phone, { status: { $ne: 'cancelled' } });
    return doc ? doc.lines.map(copyLine) : undefined;
  };

  private async byCall(input: Pick<PlaceOrderInput, 'tenantId' | 'callSid'>) {
    const { tenantId, callSid } = input;
    const doc = await this.model.findOne({ tenantId, callSid }).lean<OrderDoc>().exec();
    return doc ? toOrder(doc) : undefined;
  }

  private latest(tenantId: string, phone: string, filter: object = {}) {
    return this.model
      .findOne({ tenantId, phone, ...filter })
      .sort({ createdAtMs: -1, number: -1 })
      .lean<OrderDoc>()
      .exec();
  }
}

/** Validates the request against the tenant's settings and prices it from the catalog. */
async function quote(
  catalog: CatalogService,
  input: PlaceOrderInput,
): Promise<{ cart: PricedCart; settings: OrderingSettings }> {
  if (input.lines.length === 0) throw new OrderingError('empty-order', 'no lines');
  const [settings, view] = await Promise.all([
    catalog.settings(input.tenantId),
    catalog.view(input.tenantId),
  ]);
  if (!settings) throw new OrderingError('no-tenant', 'no such tenant');
  if (!view) throw new OrderingError('no-catalog', 'tenant has no catalog');
  if (input.fulfilment === 'delivery') {
    if (!settings.deliveryEnabled) throw new OrderingError('delivery-disabled', 'no delivery');
    if (!input.address?.trim()) throw new OrderingError('address-required', 'no address');
  }
  return { cart: priceCart(input.lines, view, settings, input.fulfilment), settings };
}

function newOrderDoc(
  input: PlaceOrderInput,
  number: number,
  cart: PricedCart,
  settings: OrderingSettings,
  atMs: number,
): OrderDoc {
  const minutes =
    input.fulfilment === 'delivery' ? settings.deliveryMinutes : settings.pickupMinutes;
  const phone = input.phone && E164.test(input.phone) ? input.phone : undefined;
  const address = input.fulfilment === 'delivery' ? input.address?.trim() : undefined;
  return {
    _id: `ord_${randomBytes(12).toString('hex')}`,
    tenantId: input.tenantId,
    number,
    callSid: input.callSid,
    ...(phone ? { phone } : {}),
    source: input.source,
    lines: cart.lines,
    subtotalMinor: cart.subtotalMinor,
    taxMinor: cart.taxMinor,
    feesMinor: cart.feesMinor,
    totalMinor: cart.totalMinor,
    currency: cart.currency,
    fulfilment: input.fulfilment,
    ...(address ? { address } : {}),
    status: 'placed',
    history: [{ status: 'placed', atMs, by: 'caller' }],
    readyAtMs: atMs + minutes * 60_000,
    createdAtMs: atMs,
    updatedAtMs: atMs,
  };
}

async function afterPlaced(d: OrderServiceDeps, order: Order, input: PlaceOrderInput) {
  if (order.phone) {
    await d.carts.discardForCall(order.tenantId, order.phone, input.callSid).catch((err) => {
      d.logger.warn({ err: errorSummary(err), orderId: order.id }, 'cart not discarded');
    });
  }
  await d.onEvent({ type: 'order.placed', order });
}

function counterId(tenantId: string): string {
  return `orders:${tenantId}`;
}

type NumberModels = OrderServiceDeps['models'];

/**
 * The next order number of `tenantId` (1, 2, …). A hint only: on FerretDB two concurrent
 * callers may get the same number; the unique (tenantId, number) index decides, and the loser
 * resyncs and asks again. Numbers taken by a call that lost to its own earlier order are skipped.
 * A counter that is new (or was lost) starts after the highest stored number.
 */
async function nextNumber(m: NumberModels, tenantId: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      const c = await m.Counter.findOneAndUpdate(
        { _id: counterId(tenantId) },
        { $inc: { seq: 1 } },
        { upsert: true, returnDocument: 'after' },
      )
        .lean()
        .exec();
      if (!c) throw new OrderingError('concurrent-write', 'order counter not returned');
      if (c.seq === 1 && (await resync(m, tenantId)) > 0) continue;
      return c.seq;
    } catch (err) {
      // Two first orders of a tenant both upserted the counter: ask again.
      if (!isDuplicateKey(err) || attempt >= 3) throw err;
    }
  }
}

/** Moves the counter to at least the highest stored order number; returns that number. */
async function resync(m: NumberModels, tenantId: string): Promise<number> {
  const top = await m.Order.findOne({ tenantId }).sort({ number: -1 }).lean<OrderDoc>().exec();
  const highest = top?.number ?? 0;
  if (highest > 0) {
    await m.Counter.updateOne(
      { _id: counterId(tenantId) },
      { $max: { seq: highest } },
      { upsert: true },
    ).exec();
  }
  return highest;
}
