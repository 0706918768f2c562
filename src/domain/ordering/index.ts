import type { Logger } from '../../logger.js';
import type { Models } from '../../store/models/index.js';
import { createCartStore, type CartStore } from './carts.js';
import { createCatalogService, type CatalogService } from './catalog.js';
import { createNotifier, type Notifier } from './notifier.js';
import { createOrderService, type OrderService } from './orders.js';
import { formatMoney, priceCart, spokenMoney } from './pricing.js';

export type { CartStore, SavedCart } from './carts.js';
export type {
  CatalogService,
  OrderingCatalogView,
  OrderingItemView,
  OrderingModifierView,
  StoredCatalog,
} from './catalog.js';
export {
  CatalogInputSchema,
  parseCatalog,
  type CatalogInput,
  type CatalogInputDraft,
} from './catalog-schema.js';
export type { Notifier, NotificationView } from './notifier.js';
export {
  DEFAULT_NOTIFY_RETRY_DELAYS_MS,
  HEADER_EVENT_ID,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  signWebhook,
  verifyWebhookSignature,
} from './notifier.js';
export { canTransition, callerMayCancel, isFinal } from './order-status.js';
export {
  ORDER_ID,
  type AdvanceResult,
  type CancelResult,
  type ListOrdersQuery,
  type Order,
  type OrderEvent,
  type OrderService,
  type PlaceOrderInput,
} from './orders.js';
export { formatMoney, priceCart, spokenMoney, taxOf, MAX_QUANTITY } from './pricing.js';
export * from './types.js';

/** Pure pricing helpers (see pricing.ts). */
export interface Pricing {
  priceCart: typeof priceCart;
  formatMoney: typeof formatMoney;
  spokenMoney: typeof spokenMoney;
}

/** Phone ordering: catalog, pricing, carts, orders and business notifications of every tenant. */
export interface Ordering {
  catalog: CatalogService;
  pricing: Pricing;
  carts: CartStore;
  orders: OrderService;
  notifier: Notifier;
}

export interface OrderingOptions {
  logger: Logger;
  /** For webhooks (tests may pass a wrapped fetch). Default: the global fetch. */
  fetch?: typeof fetch;
  /** See NotifierOptions.retryDelaysMs. */
  notifyRetryDelaysMs?: readonly number[];
  /** How long a catalog view is served before its revision is checked again. Default 2000. */
  catalogRecheckMs?: number;
}

/**
 * Builds the ordering services over one connection's models. The notifier sends as soon as
 * events happen; call `notifier.start()` to resume notifications left pending by an earlier
 * process and `notifier.stop()` before closing the connection.
 */
export function createOrdering(
  models: Pick<Models, 'Tenant' | 'Catalog' | 'Order' | 'Cart' | 'Notification' | 'Counter'>,
  o: OrderingOptions,
): Ordering {
  const logger = o.logger.child({ component: 'ordering' });
  const catalog = createCatalogService(models, {
    ...(o.catalogRecheckMs !== undefined ? { recheckMs: o.catalogRecheckMs } : {}),
  });
  const carts = createCartStore(models);
  const notifier = createNotifier({
    models,
    logger,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.notifyRetryDelaysMs ? { retryDelaysMs: o.notifyRetryDelaysMs } : {}),
  });
  const orders = createOrderService({
    models,
    catalog,
    carts,
    onEvent: (e) => notifier.notify(e),
    logger,
  });
  return {
    catalog,
    pricing: { priceCart, formatMoney, spokenMoney },
    carts,
    orders,
    notifier,
  };
}
