import { Schema, type Connection, type Model } from 'mongoose';
import { TENANT_ID } from './validators.js';

export const ORDER_STATUSES = [
  'placed',
  'accepted',
  'ready',
  'out_for_delivery',
  'completed',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type Fulfilment = 'pickup' | 'delivery';

/** Who moved an order to a status. */
export type StatusActor = 'caller' | 'business' | 'system';

/** An order line as priced when placed (a snapshot: later catalog edits do not change it). */
export interface OrderLineDoc {
  itemId: string;
  variantId: string;
  quantity: number;
  modifierIds: string[];
  itemName: string;
  variantName: string;
  modifierNames: string[];
  unitPriceMinor: number;
  lineTotalMinor: number;
}

export interface StatusChange {
  status: OrderStatus;
  atMs: number;
  by: StatusActor;
}

/**
 * A placed order. (tenantId, callSid) is unique: one call places at most one order, whatever
 * retries, replayed streams or second streams do (the insert fails with a duplicate key and the
 * existing order is returned). (tenantId, number) is unique: the short number the caller hears.
 * Amounts are integer minor units of `currency`.
 */
export interface OrderDoc {
  _id: string;
  tenantId: string;
  number: number;
  callSid: string;
  /** E.164; absent for a caller whose number is withheld. */
  phone?: string;
  source: 'phone';
  lines: OrderLineDoc[];
  subtotalMinor: number;
  taxMinor: number;
  feesMinor: number;
  totalMinor: number;
  currency: string;
  fulfilment: Fulfilment;
  address?: string;
  status: OrderStatus;
  /** Oldest first; the first entry is `placed`. */
  history: StatusChange[];
  readyAtMs: number;
  createdAtMs: number;
  updatedAtMs: number;
}

const LineSchema = new Schema<OrderLineDoc>(
  {
    itemId: { type: String, required: true },
    variantId: { type: String, required: true },
    quantity: { type: Number, required: true, min: 1 },
    modifierIds: { type: [String], default: [] },
    itemName: { type: String, required: true },
    variantName: { type: String, required: true },
    modifierNames: { type: [String], default: [] },
    unitPriceMinor: { type: Number, required: true, min: 0 },
    lineTotalMinor: { type: Number, required: true, min: 0 },
  },
  { _id: false, strict: 'throw' },
);

const ChangeSchema = new Schema<StatusChange>(
  {
    status: { type: String, required: true, enum: ORDER_STATUSES },
    atMs: { type: Number, required: true },
    by: { type: String, required: true, enum: ['caller', 'business', 'system'] },
  },
  { _id: false, strict: 'throw' },
);

export const OrderSchema = new Schema<OrderDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true, match: TENANT_ID },
    number: { type: Number, required: true, min: 1 },
    callSid: { type: String, required: true, maxlength: 64 },
    phone: { type: String, maxlength: 16 },
    source: { type: String, required: true, enum: ['phone'] },
    lines: { type: [LineSchema], required: true },
    subtotalMinor: { type: Number, required: true, min: 0 },
    taxMinor: { type: Number, required: true, min: 0 },
    feesMinor: { type: Number, required: true, min: 0 },
    totalMinor: { type: Number, required: true, min: 0 },
    currency: { type: String, required: true, match: /^[A-Z]{3}$/ },
    fulfilment: { type: String, required: true, enum: ['pickup', 'delivery'] },
    address: { type: String, maxlength: 500 },
    status: { type: String, required: true, enum: ORDER_STATUSES },
    history: { type: [ChangeSchema], required: true },
    readyAtMs: { type: Number, required: true },
    createdAtMs: { type: Number, required: true },
    updatedAtMs: { type: Number, required: true },
  },
  { collection: 'orders', versionKey: false, strict: 'throw' },
);
OrderSchema.index({ tenantId: 1, callSid: 1 }, { unique: true, name: 'tenant_call_unique' });
OrderSchema.index({ tenantId: 1, number: 1 }, { unique: true, name: 'tenant_number_unique' });
OrderSchema.index({ tenantId: 1, phone: 1, createdAtMs: -1 }, { name: 'tenant_phone_created' });
OrderSchema.index({ tenantId: 1, status: 1, createdAtMs: -1 }, { name: 'tenant_status_created' });
OrderSchema.index({ createdAtMs: -1 }, { name: 'created' });

export type OrderModel = Model<OrderDoc>;

export function orderModel(connection: Connection): OrderModel {
  return (
    (connection.models.Order as OrderModel | undefined) ??
    connection.model<OrderDoc>('Order', OrderSchema)
  );
}
