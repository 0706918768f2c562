import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CatalogItemView } from '../../nlu/order/catalog-view.js';
import { buildOrderIndex, suggestAlternatives, type OrderIndex } from '../../nlu/order/index.js';
import type { TaskContext } from '../../dialog/task-types.js';
import type { TaskValue } from '../../dialog/types.js';
import type { OrderingCatalogView } from './catalog.js';
import type { Ordering } from './index.js';
import { spokenMoney } from './pricing.js';
import { decodeLines, completeLines, encodeLines } from './tasks-cart.js';
import { describeLines } from './tasks-speech.js';
import type { CartLine, OrderingSettings } from './types.js';
import type { OrderLlmArgsInput } from '../../nlu/order/llm-tool.js';

/** What the order task handlers share: the ordering domain and per-tenant menus. */
export interface TaskEnv {
  ordering: Ordering;
  logger: Logger;
  menu(tenantId: string): Promise<Menu>;
  /** Optional LLM step for order words the rules could not parse (see OrderLlmExtractor). */
  extractOrder?: OrderLlmExtractor;
}

/**
 * Asks a language model which menu items the caller named (names as said, sizes, quantities,
 * modifiers). Returns null when it found none. Its answer is data only: the task matches it
 * against the catalog and every item it yields is confirmed with the caller before it is added.
 */
export type OrderLlmExtractor = (
  utterance: string,
  menuNames: readonly string[],
  signal: AbortSignal,
) => Promise<OrderLlmArgsInput | null>;

/** One tenant's catalog, ready for understanding and speech. */
export interface Menu {
  view: OrderingCatalogView;
  index: OrderIndex;
  settings: OrderingSettings;
  /** Spoken amount ("12 dollars 50"). */
  money(minor: number): string;
  /** Up to three available stand-ins for `item`, best first. */
  alternatives(item: CatalogItemView): string[];
}

/** How many alternatives an unavailable item gets offered. */
export const ALTERNATIVES_OFFERED = 3;

export function createTaskEnv(
  ordering: Ordering,
  logger: Logger,
  extractOrder?: OrderLlmExtractor,
): TaskEnv {
  // The catalog service caches views per tenant; indexes follow the view object.
  const indexes = new WeakMap<OrderingCatalogView, OrderIndex>();
  return {
    ordering,
    logger,
    ...(extractOrder ? { extractOrder } : {}),
    async menu(tenantId) {
      const [view, settings] = await Promise.all([
        ordering.catalog.view(tenantId),
        ordering.catalog.settings(tenantId),
      ]);
      if (!view || !settings) throw new AppError('NOT_FOUND', 'tenant has no catalog');
      let index = indexes.get(view);
      if (!index) indexes.set(view, (index = buildOrderIndex(view)));
      const built = index;
      return {
        view,
        index: built,
        settings,
        money: (minor) => spokenMoney(minor, view.currency),
        alternatives: (item) => suggestAlternatives(built, item.id, ALTERNATIVES_OFFERED),
      };
    },
  };
}

/** The call's tenant; a task without one is a wiring fault (outcome `error`). */
export function tenantOf(ctx: TaskContext): string {
  if (!ctx.tenantId) throw new AppError('NOT_FOUND', 'call has no tenant');
  return ctx.tenantId;
}

/** The cart from the `cart` input (complete lines only, unknown items dropped). */
export function cartInput(menu: Menu, input: Readonly<Record<string, unknown>>): CartLine[] {
  const known = new Set(menu.view.items.map((i) => i.id));
  return completeLines(decodeLines(input.cart)).filter((l) => known.has(l.itemId));
}

/** The slots every cart change returns: the cart itself, its size and its spoken summary. */
export function cartSlots(menu: Menu, cart: readonly CartLine[]): Record<string, TaskValue> {
  return {
    cart: encodeLines(cart),
    itemCount: cart.reduce((n, l) => n + l.quantity, 0),
    cartSummary: describeLines(menu.view, cart),
  };
}

/** Saves the cart for drop recovery; a failure is logged, never fatal to the conversation. */
export async function saveCart(
  env: TaskEnv,
  ctx: TaskContext,
  cart: readonly CartLine[],
): Promise<void> {
  if (!ctx.tenantId || !ctx.caller) return;
  try {
    await env.ordering.carts.save(ctx.tenantId, ctx.caller, ctx.callSid, cart);
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message }, 'cart not saved');
  }
}

export function numberInput(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function stringInput(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
