import { AppError, type ErrorCode } from '../../errors.js';
import type { OrderingSettings } from '../../store/models/tenant.model.js';

export type { OrderingSettings, OrderingWebhook } from '../../store/models/tenant.model.js';
export type {
  Fulfilment,
  OrderStatus,
  StatusActor,
  StatusChange,
} from '../../store/models/order.model.js';

/** What the caller asked for, without prices. `modifierIds` reference the item's modifiers. */
export interface CartLine {
  itemId: string;
  variantId: string;
  /** 1–99. */
  quantity: number;
  modifierIds: string[];
}

/** A line priced from the catalog. Amounts in integer minor units. */
export interface PricedLine extends CartLine {
  itemName: string;
  variantName: string;
  modifierNames: string[];
  /** Variant price plus every modifier's price. */
  unitPriceMinor: number;
  /** unitPriceMinor × quantity. */
  lineTotalMinor: number;
}

export interface PricedCart {
  lines: PricedLine[];
  subtotalMinor: number;
  taxMinor: number;
  /** The delivery fee for delivery; 0 for pickup. */
  feesMinor: number;
  totalMinor: number;
  currency: string;
}

/** Settings of a tenant that has none stored: USD, no tax, pickup only. */
export const DEFAULT_ORDERING_SETTINGS: Readonly<OrderingSettings> = {
  currency: 'USD',
  taxRateBps: 0,
  deliveryFeeMinor: 0,
  pickupMinutes: 20,
  deliveryMinutes: 45,
  deliveryEnabled: false,
};

/**
 * Why an ordering operation was refused. Stable: flows and tests branch on it.
 * - catalog-invalid: PUT catalog failed validation (`details.problems`: `path: message` strings)
 * - no-tenant: no such tenant
 * - no-catalog: the tenant has no catalog
 * - unknown-item / unknown-variant / unknown-modifier: a cart line names something not on the menu
 * - item-unavailable: the item is switched off (`details.itemId`)
 * - too-many-modifiers: more `add` modifiers than the item allows
 * - bad-quantity / empty-order / bad-line: malformed request
 * - delivery-disabled / address-required: fulfilment not possible as asked
 */
export type OrderingReason =
  | 'catalog-invalid'
  | 'no-tenant'
  | 'no-catalog'
  | 'unknown-item'
  | 'unknown-variant'
  | 'unknown-modifier'
  | 'item-unavailable'
  | 'too-many-modifiers'
  | 'bad-quantity'
  | 'empty-order'
  | 'bad-line'
  | 'delivery-disabled'
  | 'address-required'
  | 'concurrent-write';

/** A refused ordering request: `code` BAD_REQUEST (NOT_FOUND for no-tenant, no-catalog), `reason` says why. */
export class OrderingError extends AppError {
  constructor(
    readonly reason: OrderingReason,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(codeOf(reason), message, { ...details, reason });
    this.name = 'OrderingError';
  }
}

function codeOf(reason: OrderingReason): ErrorCode {
  if (reason === 'no-catalog' || reason === 'no-tenant') return 'NOT_FOUND';
  if (reason === 'concurrent-write') return 'STORE_WRITE_FAILED';
  return 'BAD_REQUEST';
}

export function isOrderingError(err: unknown, reason?: OrderingReason): err is OrderingError {
  return err instanceof OrderingError && (reason === undefined || err.reason === reason);
}
