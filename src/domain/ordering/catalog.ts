import type {
  CatalogItemView,
  CatalogModifierView,
  CatalogView,
} from '../../nlu/order/catalog-view.js';
import type { CatalogDoc, CatalogModel, ModifierKind } from '../../store/models/catalog.model.js';
import type { TenantDoc, TenantModel } from '../../store/models/tenant.model.js';
import { fromStored, parseCatalog, toStored, type CatalogInput } from './catalog-schema.js';
import { DEFAULT_ORDERING_SETTINGS, OrderingError, type OrderingSettings } from './types.js';

/** A modifier as the view carries it: `kind` tells a removal ("no onions") from an addition. */
export interface OrderingModifierView extends CatalogModifierView {
  kind: ModifierKind;
}
export interface OrderingItemView extends CatalogItemView {
  modifiers: readonly OrderingModifierView[];
}
/** A CatalogView whose modifiers also say their kind. */
export interface OrderingCatalogView extends CatalogView {
  items: readonly OrderingItemView[];
}

/** A stored catalog as the operator wrote it, with its revision. */
export interface StoredCatalog {
  tenantId: string;
  catalog: CatalogInput;
  rev: number;
  updatedAtMs: number;
}

export interface CatalogService {
  /** The catalog for understanding and pricing; undefined when the tenant has none. */
  view(tenantId: string): Promise<OrderingCatalogView | undefined>;
  get(tenantId: string): Promise<StoredCatalog | undefined>;
  /** Validates and replaces the catalog (OrderingError catalog-invalid, no-tenant). */
  put(tenantId: string, input: unknown): Promise<StoredCatalog>;
  /** False when the tenant has no such item. */
  setAvailability(tenantId: string, itemId: string, available: boolean): Promise<boolean>;
  /** The tenant's ordering settings (defaults filled in); undefined: no such tenant. */
  settings(tenantId: string): Promise<OrderingSettings | undefined>;
}

export interface CatalogServiceOptions {
  /** How long a built view is served without asking the database (other writers). Default 2000. */
  recheckMs?: number;
  now?: () => number;
}

interface Cached {
  view: OrderingCatalogView;
  checkedAtMs: number;
}

const WRITE_ATTEMPTS = 4;

/**
 * Catalogs of tenants. Views are cached per tenant and rebuilt when the catalog's revision or
 * the tenant's currency changes; local writes drop the cached view at once, writes by another
 * process are noticed within `recheckMs`.
 */
export function createCatalogService(
  models: { Catalog: CatalogModel; Tenant: TenantModel },
  opts: CatalogServiceOptions = {},
): CatalogService {
  return new CatalogStore(models, opts);
}

class CatalogStore implements CatalogService {
  private readonly cache = new Map<string, Cached>();
  private readonly recheckMs: number;
  private readonly now: () => number;

  constructor(
    private readonly models: { Catalog: CatalogModel; Tenant: TenantModel },
    opts: CatalogServiceOptions,
  ) {
    this.recheckMs = opts.recheckMs ?? 2000;
    this.now = opts.now ?? Date.now;
  }

  settings = async (tenantId: string): Promise<OrderingSettings | undefined> => {
    const t = await this.models.Tenant.findById(tenantId).lean<TenantDoc>().exec();
    return t ? settingsOf(t) : undefined;
  };

  view = async (tenantId: string): Promise<OrderingCatalogView | undefined> => {
    const hit = this.cache.get(tenantId);
    if (hit && this.now() - hit.checkedAtMs < this.recheckMs) return hit.view;
    const [head, s] = await Promise.all([
      this.models.Catalog.findById(tenantId).select({ rev: 1, updatedAtMs: 1 }).lean().exec(),
      this.settings(tenantId),
    ]);
    if (!head || !s) return void this.cache.delete(tenantId);
    if (hit?.view.version === versionOf(tenantId, head.rev, head.updatedAtMs, s.currency)) {
      hit.checkedAtMs = this.now();
      return hit.view;
    }
    const doc = await this.models.Catalog.findById(tenantId).lean<CatalogDoc>().exec();
    if (!doc) return void this.cache.delete(tenantId);
    const built = buildView(doc, versionOf(tenantId, doc.rev, doc.updatedAtMs, s.currency), s);
    this.cache.set(tenantId, { view: built, checkedAtMs: this.now() });
    return built;
  };

  get = async (tenantId: string): Promise<StoredCatalog | undefined> => {
    const doc = await this.models.Catalog.findById(tenantId).lean<CatalogDoc>().exec();
    return doc ? storedOf(doc) : undefined;
  };

  put = async (tenantId: string, input: unknown): Promise<StoredCatalog> => {
    const catalog = parseCatalog(input);
    if (!(await this.models.Tenant.exists({ _id: tenantId }))) {
      throw new OrderingError('no-tenant', 'no such tenant');
    }
    this.cache.delete(tenantId);
    await this.models.Catalog.updateOne(
      { _id: tenantId },
      { $set: { ...toStored(catalog), updatedAtMs: this.now() }, $inc: { rev: 1 } },
      { upsert: true, runValidators: true },
    ).exec();
    this.cache.delete(tenantId);
    const stored = await this.get(tenantId);
    if (!stored) throw new OrderingError('concurrent-write', 'catalog vanished while written');
    return stored;
  };

  /** Read-modify-write guarded by `rev`, retried when another writer got there first. */
  setAvailability = async (tenantId: string, itemId: string, available: boolean) => {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const doc = await this.models.Catalog.findById(tenantId).lean<CatalogDoc>().exec();
      if (!doc?.items.some((i) => i.id === itemId)) return false;
      const items = doc.items.map((i) => (i.id === itemId ? { ...i, available } : i));
      this.cache.delete(tenantId);
      const r = await this.models.Catalog.updateOne(
        { _id: tenantId, rev: doc.rev },
        { $set: { items, updatedAtMs: this.now() }, $inc: { rev: 1 } },
      ).exec();
      this.cache.delete(tenantId);
      if (r.matchedCount === 1) return true;
    }
    throw new OrderingError('concurrent-write', 'catalog changed under every attempt');
  };
}

/** The stored settings with defaults for whatever is missing. */
export function settingsOf(t: Pick<TenantDoc, 'ordering'>): OrderingSettings {
  const o = t.ordering;
  if (!o) return { ...DEFAULT_ORDERING_SETTINGS };
  return {
    currency: o.currency,
    taxRateBps: o.taxRateBps,
    deliveryFeeMinor: o.deliveryFeeMinor,
    pickupMinutes: o.pickupMinutes,
    deliveryMinutes: o.deliveryMinutes,
    deliveryEnabled: o.deliveryEnabled,
    ...(o.webhook ? { webhook: { url: o.webhook.url, secret: o.webhook.secret } } : {}),
  };
}

function versionOf(tenantId: string, rev: number, atMs: number, currency: string): string {
  return `${tenantId}@${rev}.${atMs}.${currency}`;
}

function storedOf(doc: CatalogDoc): StoredCatalog {
  return {
    tenantId: doc._id,
    catalog: fromStored(doc),
    rev: doc.rev,
    updatedAtMs: doc.updatedAtMs,
  };
}

/** Plain data for understanding and pricing; modifiers resolved per item. */
export function buildView(
  doc: Pick<CatalogDoc, 'categories' | 'items' | 'modifiers'>,
  version: string,
  s: Pick<OrderingSettings, 'currency'>,
): OrderingCatalogView {
  const modifiers = new Map(
    doc.modifiers.map((m) => [
      m.id,
      { id: m.id, name: m.name, aliases: [...m.aliases], priceMinor: m.priceMinor, kind: m.kind },
    ]),
  );
  return {
    version,
    currency: s.currency,
    categories: doc.categories.map((c) => ({ id: c.id, name: c.name, aliases: [...c.aliases] })),
    items: doc.items.map((it) => ({
      id: it.id,
      categoryId: it.categoryId,
      name: it.name,
      aliases: [...it.aliases],
      available: it.available,
      isNew: it.newItem,
      popular: it.popular,
      variants: it.variants.map((v) => ({
        id: v.id,
        name: v.name,
        aliases: [...v.aliases],
        priceMinor: v.priceMinor,
      })),
      ...(it.defaultVariantId ? { defaultVariantId: it.defaultVariantId } : {}),
      modifiers: it.modifierIds.flatMap((id) => {
        const m = modifiers.get(id);
        return m ? [m] : [];
      }),
      ...(it.maxModifiers !== undefined ? { maxModifiers: it.maxModifiers } : {}),
    })),
  };
}
