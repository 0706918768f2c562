import type { CatalogItemView, CatalogView } from '../../nlu/order/catalog-view.js';
import {
  OrderingError,
  type CartLine,
  type Fulfilment,
  type OrderingSettings,
  type PricedCart,
  type PricedLine,
} from './types.js';

/** Most units of one line. */
export const MAX_QUANTITY = 99;

/**
 * Prices `lines` from the catalog `view` (never from anything the caller or client says).
 * All arithmetic is on integer minor units:
 *   unit     = variant price + Σ modifier prices
 *   line     = unit × quantity
 *   subtotal = Σ lines
 *   tax      = subtotal × taxRateBps / 10 000, rounded half up to a whole minor unit
 *              (the delivery fee is not taxed)
 *   fees     = deliveryFeeMinor for delivery, 0 for pickup
 *   total    = subtotal + tax + fees
 * Throws OrderingError (unknown-item, unknown-variant, unknown-modifier, item-unavailable,
 * too-many-modifiers, bad-quantity, bad-line) naming the line index in `details.line`.
 * An empty cart prices to zero (placing one is refused elsewhere).
 */
export function priceCart(
  lines: readonly CartLine[],
  view: CatalogView,
  settings: Pick<OrderingSettings, 'taxRateBps' | 'deliveryFeeMinor'>,
  fulfilment: Fulfilment = 'pickup',
): PricedCart {
  const items = new Map(view.items.map((i) => [i.id, i]));
  const priced = lines.map((line, index) => priceLine(line, index, items));
  const subtotalMinor = priced.reduce((sum, l) => sum + l.lineTotalMinor, 0);
  const taxMinor = taxOf(subtotalMinor, settings.taxRateBps);
  const feesMinor = fulfilment === 'delivery' ? settings.deliveryFeeMinor : 0;
  return {
    lines: priced,
    subtotalMinor,
    taxMinor,
    feesMinor,
    totalMinor: subtotalMinor + taxMinor + feesMinor,
    currency: view.currency,
  };
}

/** `amountMinor × bps / 10 000` rounded half up (amounts are never negative). */
export function taxOf(amountMinor: number, bps: number): number {
  return Math.floor((amountMinor * bps + 5_000) / 10_000);
}

function priceLine(
  line: CartLine,
  index: number,
  items: ReadonlyMap<string, CatalogItemView>,
): PricedLine {
  const at = { line: index, itemId: line.itemId };
  if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
    throw new OrderingError('bad-quantity', `quantity must be 1–${MAX_QUANTITY}`, at);
  }
  const item = items.get(line.itemId);
  if (!item) throw new OrderingError('unknown-item', 'no such item', at);
  if (!item.available) throw new OrderingError('item-unavailable', 'item unavailable', at);
  const variant = item.variants.find((v) => v.id === line.variantId);
  if (!variant) throw new OrderingError('unknown-variant', 'no such variant', at);
  if (new Set(line.modifierIds).size !== line.modifierIds.length) {
    throw new OrderingError('bad-line', 'a modifier is listed twice', at);
  }
  const mods = line.modifierIds.map((id) => {
    const m = item.modifiers.find((x) => x.id === id);
    if (!m) throw new OrderingError('unknown-modifier', 'no such modifier', { ...at, id });
    return m;
  });
  const added = mods.filter((m) => (m as { kind?: string }).kind !== 'remove').length;
  if (item.maxModifiers !== undefined && added > item.maxModifiers) {
    throw new OrderingError('too-many-modifiers', 'too many modifiers', {
      ...at,
      max: item.maxModifiers,
    });
  }
  const unitPriceMinor = variant.priceMinor + mods.reduce((s, m) => s + m.priceMinor, 0);
  return {
    itemId: item.id,
    variantId: variant.id,
    quantity: line.quantity,
    modifierIds: mods.map((m) => m.id),
    itemName: item.name,
    variantName: variant.name,
    modifierNames: mods.map((m) => m.name),
    unitPriceMinor,
    lineTotalMinor: unitPriceMinor * line.quantity,
  };
}

/** Digits after the decimal point of `currency` (2 for USD, 0 for JPY). */
function fractionDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/** For screens and logs: 1250 USD → "$12.50". */
export function formatMoney(minor: number, currency: string): string {
  const digits = fractionDigits(currency);
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(
    minor / 10 ** digits,
  );
}

const SPOKEN_UNITS: Readonly<Record<string, readonly [string, string, string, string]>> = {
  USD: ['dollar', 'dollars', 'cent', 'cents'],
  CAD: ['dollar', 'dollars', 'cent', 'cents'],
  AUD: ['dollar', 'dollars', 'cent', 'cents'],
  EUR: ['euro', 'euros', 'cent', 'cents'],
  GBP: ['pound', 'pounds', 'penny', 'pence'],
};

/**
 * For speech (text-to-speech reads it as written): 1250 USD → "12 dollars 50", 1200 →
 * "12 dollars", 1 → "1 cent", 1205 → "12 dollars and 5 cents", 100 → "1 dollar".
 * Currencies without spoken units fall back to "12.50 CHF".
 */
export function spokenMoney(minor: number, currency: string): string {
  const units = SPOKEN_UNITS[currency];
  const digits = fractionDigits(currency);
  if (!units || digits !== 2) return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
  const [one, many, subOne, subMany] = units;
  const major = Math.floor(minor / 100);
  const cents = minor % 100;
  const majorText = `${major} ${major === 1 ? one : many}`;
  const centsText = `${cents} ${cents === 1 ? subOne : subMany}`;
  if (cents === 0) return majorText;
  if (major === 0) return centsText;
  return cents < 10 ? `${majorText} and ${centsText}` : `${majorText} ${cents}`;
}
