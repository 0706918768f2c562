import { cartKey, type CartDoc, type CartModel } from '../../store/models/cart.model.js';
import type { OrderModel } from '../../store/models/order.model.js';
import { E164 } from '../../store/models/validators.js';
import type { CartLine } from './types.js';

/** A caller's unfinished cart. */
export interface SavedCart {
  tenantId: string;
  phone: string;
  /** The call that last changed it. */
  callSid: string;
  lines: CartLine[];
  updatedAtMs: number;
}

/**
 * Carts saved on every change, one per (tenant, caller): a call that drops loses nothing, and the
 * caller's next call can offer to resume it. Callers without an E.164 number have no saved cart
 * (save is a no-op, findRecent answers undefined). Lines are stored as given (priced when placed).
 */
export interface CartStore {
  save(tenantId: string, phone: string, callSid: string, lines: readonly CartLine[]): Promise<void>;
  /**
   * The caller's cart changed within the last `withinMs`, not empty and not placed as an order;
   * else undefined. It may be the current call's own cart: compare `callSid`.
   */
  findRecent(tenantId: string, phone: string, withinMs: number): Promise<SavedCart | undefined>;
  discard(tenantId: string, phone: string): Promise<void>;
  /** Deletes the cart only if `callSid` last changed it (after that call placed its order). */
  discardForCall(tenantId: string, phone: string, callSid: string): Promise<void>;
}

export function createCartStore(
  models: { Cart: CartModel; Order: OrderModel },
  now: () => number = Date.now,
): CartStore {
  return {
    async save(tenantId, phone, callSid, lines) {
      if (!E164.test(phone)) return;
      await models.Cart.updateOne(
        { _id: cartKey(tenantId, phone) },
        {
          $set: { tenantId, phone, callSid, lines: lines.map(copyLine), updatedAtMs: now() },
        },
        { upsert: true, runValidators: true },
      ).exec();
    },
    async findRecent(tenantId, phone, withinMs) {
      if (!E164.test(phone)) return undefined;
      const doc = await models.Cart.findById(cartKey(tenantId, phone)).lean<CartDoc>().exec();
      if (!doc || doc.lines.length === 0 || now() - doc.updatedAtMs > withinMs) return undefined;
      if (await models.Order.exists({ tenantId, callSid: doc.callSid })) return undefined;
      return {
        tenantId: doc.tenantId,
        phone: doc.phone,
        callSid: doc.callSid,
        lines: doc.lines.map(copyLine),
        updatedAtMs: doc.updatedAtMs,
      };
    },
    async discard(tenantId, phone) {
      await models.Cart.deleteOne({ _id: cartKey(tenantId, phone) }).exec();
    },
    async discardForCall(tenantId, phone, callSid) {
      await models.Cart.deleteOne({ _id: cartKey(tenantId, phone), callSid }).exec();
    },
  };
}

export function copyLine(l: CartLine): CartLine {
  return {
    itemId: l.itemId,
    variantId: l.variantId,
    quantity: l.quantity,
    modifierIds: [...l.modifierIds],
  };
}
