import { AppError } from '../errors.js';
import type { Models } from '../store/models/index.js';
import type { BusinessHours, TenantDoc } from '../store/models/tenant.model.js';
import { E164 } from '../store/models/validators.js';

/** What a call needs to know about the business it reached. */
export interface TenantProfile {
  id: string;
  name: string;
  timeZone: string;
  locale: string;
  voice?: string;
  businessHours: BusinessHours[];
}

/** A dialled number resolved: the tenant, and the flow answering this number (if it names one). */
export interface NumberRoute {
  tenant: TenantProfile;
  flowId?: string;
}

export interface TenantDirectoryOptions {
  /** How long a lookup (found or not) is reused. Default 30 000. */
  cacheMs?: number;
  /** Cached numbers at most (oldest dropped first). Default 10 000. */
  maxEntries?: number;
  now?: () => number;
}

interface Cached {
  route: NumberRoute | undefined;
  atMs: number;
}

/**
 * Resolves the tenant from the dialled number. There is no default tenant: a number nobody owns
 * resolves to undefined. Lookups are cached for `cacheMs`; while the database fails, an expired
 * entry is served rather than turning callers away, and without one STORE_UNAVAILABLE is thrown.
 */
export class TenantDirectory {
  private readonly cache = new Map<string, Cached>();
  private readonly cacheMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly models: Pick<Models, 'Tenant' | 'TenantNumber'>,
    opts: TenantDirectoryOptions = {},
  ) {
    this.cacheMs = opts.cacheMs ?? 30_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  async byNumber(dialled: string): Promise<NumberRoute | undefined> {
    if (!E164.test(dialled)) return undefined;
    const hit = this.cache.get(dialled);
    if (hit && this.now() - hit.atMs < this.cacheMs) return hit.route;
    let route: NumberRoute | undefined;
    try {
      route = await this.lookup(dialled);
    } catch (err) {
      if (hit) return hit.route;
      throw new AppError('STORE_UNAVAILABLE', 'tenant lookup failed', undefined, { cause: err });
    }
    this.remember(dialled, route);
    return route;
  }

  /** Forgets cached lookups (after numbers were reassigned). */
  clear(): void {
    this.cache.clear();
  }

  private async lookup(dialled: string): Promise<NumberRoute | undefined> {
    const num = await this.models.TenantNumber.findById(dialled).lean().exec();
    if (!num) return undefined;
    const tenant = await this.models.Tenant.findById(num.tenantId).lean<TenantDoc>().exec();
    if (!tenant) return undefined;
    const flowId = num.flowId ?? tenant.defaultFlowId;
    return { tenant: toProfile(tenant), ...(flowId ? { flowId } : {}) };
  }

  private remember(dialled: string, route: NumberRoute | undefined): void {
    this.cache.delete(dialled);
    this.cache.set(dialled, { route, atMs: this.now() });
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}

function toProfile(t: TenantDoc): TenantProfile {
  return {
    id: t._id,
    name: t.name,
    timeZone: t.timeZone,
    locale: t.locale,
    businessHours: (t.businessHours ?? []).map(({ day, open, close }) => ({ day, open, close })),
    ...(t.voice ? { voice: t.voice } : {}),
  };
}
