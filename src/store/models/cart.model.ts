import { Schema, type Connection, type Model } from 'mongoose';
import { E164, TENANT_ID } from './validators.js';

/** One line of a cart or order request: what the caller asked for, without prices. */
export interface CartLineDoc {
  itemId: string;
  variantId: string;
  quantity: number;
  modifierIds: string[];
}

/**
 * The cart of one caller at one tenant, saved on every change so a dropped call loses nothing.
 * `_id` is cartKey(tenantId, phone): a caller has at most one cart per tenant, the newest call's.
 * Placing an order deletes the cart of that call. No TTL index (FerretDB v1 rejects them): age
 * is judged from `updatedAtMs` when read.
 */
export interface CartDoc {
  _id: string;
  tenantId: string;
  phone: string;
  callSid: string;
  lines: CartLineDoc[];
  updatedAtMs: number;
}

export function cartKey(tenantId: string, phone: string): string {
  return `${tenantId}|${phone}`;
}

export const CartLineSchema = new Schema<CartLineDoc>(
  {
    itemId: { type: String, required: true, maxlength: 64 },
    variantId: { type: String, required: true, maxlength: 64 },
    quantity: { type: Number, required: true, min: 1, max: 99 },
    modifierIds: { type: [String], default: [] },
  },
  { _id: false, strict: 'throw' },
);

export const CartSchema = new Schema<CartDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true, match: TENANT_ID },
    phone: { type: String, required: true, match: E164 },
    callSid: { type: String, required: true, maxlength: 64 },
    lines: { type: [CartLineSchema], default: [] },
    updatedAtMs: { type: Number, required: true },
  },
  { collection: 'carts', versionKey: false, strict: 'throw' },
);

export type CartModel = Model<CartDoc>;

export function cartModel(connection: Connection): CartModel {
  return (
    (connection.models.Cart as CartModel | undefined) ??
    connection.model<CartDoc>('Cart', CartSchema)
  );
}
