import { z } from 'zod';
import type { OrderingSettings, TenantDoc, TenantModel } from '../../store/models/tenant.model.js';
import { settingsOf } from './catalog.js';
import { OrderingError } from './types.js';

/**
 * The ordering settings as the admin API shows them. The webhook secret is never returned: only
 * its last 4 characters. `stored` false: the tenant has none and runs on the defaults.
 */
export interface OrderingSettingsView extends Omit<OrderingSettings, 'webhook'> {
  tenantId: string;
  stored: boolean;
  webhook: { url: string; hasSecret: true; secretLast4: string } | null;
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

/** https anywhere; plain http only to this machine (local receivers, tests). No credentials. */
function webhookUrlProblem(s: string): string | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return 'must be an absolute URL';
  }
  if (u.username || u.password) return 'must not carry credentials';
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:' && LOCAL_HOSTS.has(u.hostname)) return undefined;
  return 'must be an https URL (http only for localhost or 127.0.0.1)';
}

const WebhookUrl = z
  .string()
  .max(2000)
  .regex(/^\S+$/, 'must not contain spaces')
  .superRefine((s, ctx) => {
    const problem = webhookUrlProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * PATCH body: every field optional; `webhook` null removes it; a webhook object may omit `url` or
 * `secret` when the tenant already has a webhook (the stored value is kept).
 */
export const OrderingSettingsPatchSchema = z
  .object({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD')
      .refine((c) => CURRENCIES.has(c), 'not an ISO 4217 currency'),
    taxRateBps: z.number().int().min(0).max(10_000),
    deliveryFeeMinor: z.number().int().min(0),
    pickupMinutes: z.number().int().min(1).max(600),
    deliveryMinutes: z.number().int().min(1).max(600),
    deliveryEnabled: z.boolean(),
    webhook: z
      .object({ url: WebhookUrl, secret: z.string().min(16).max(200) })
      .partial()
      .strict()
      .nullable(),
  })
  .partial()
  .strict();
export type OrderingSettingsPatch = z.infer<typeof OrderingSettingsPatchSchema>;

/** `path: message` per problem; unknown fields are named one by one (`webhook.foo: unknown field`). */
export function patchProblems(error: z.ZodError): string[] {
  return error.issues.flatMap((i) => {
    const at = i.path.map(String);
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => `${[...at, k].join('.')}: unknown field`);
    }
    return [`${at.join('.') || 'body'}: ${i.message}`];
  });
}

export interface OrderingSettingsService {
  /** undefined: no such tenant. */
  get(tenantId: string): Promise<OrderingSettingsView | undefined>;
  /**
   * Merges a validated patch into the stored settings (the defaults when none are stored) and
   * returns the result; undefined: no such tenant. Orders priced and notifications recorded after
   * it resolves use the new values (they read the tenant document; the catalog view's currency
   * follows within the catalog service's recheck interval). `problems` (nothing written): a
   * webhook is being added without its url or secret. Throws OrderingError concurrent-write when
   * other writers won every attempt.
   */
  update(tenantId: string, patch: OrderingSettingsPatch): Promise<UpdateResult | undefined>;
}

export type UpdateResult = { settings: OrderingSettingsView } | { problems: string[] };

const WRITE_ATTEMPTS = 4;

/**
 * Settings over the tenants collection. Updates of one tenant are serialized in this process and
 * guarded by the values read across processes (FerretDB does not apply a guarded updateOne
 * atomically under concurrency, MongoDB does).
 */
export function createOrderingSettingsService(Tenant: TenantModel): OrderingSettingsService {
  const read = (tenantId: string) =>
    Tenant.findById(tenantId).select({ ordering: 1 }).lean<Pick<TenantDoc, 'ordering'>>().exec();
  const queues = new Map<string, Promise<unknown>>();
  const update = async (tenantId: string, patch: OrderingSettingsPatch) => {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const t = await read(tenantId);
      if (!t) return undefined;
      if (Object.keys(patch).length === 0) return { settings: viewOf(tenantId, t) };
      const next = merge(settingsOf(t), patch);
      if (Array.isArray(next)) return { problems: next };
      const r = await Tenant.updateOne(
        { _id: tenantId, ...guardOf(t.ordering) },
        { $set: { ordering: next } },
        { runValidators: true },
      ).exec();
      if (r.matchedCount === 1) return { settings: viewOf(tenantId, { ordering: next }) };
    }
    throw new OrderingError('concurrent-write', 'settings changed under every attempt');
  };
  return {
    get: async (tenantId) => {
      const t = await read(tenantId);
      return t ? viewOf(tenantId, t) : undefined;
    },
    update: (tenantId, patch) => {
      const run = (queues.get(tenantId) ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => update(tenantId, patch));
      queues.set(tenantId, run);
      void run
        .finally(() => {
          if (queues.get(tenantId) === run) queues.delete(tenantId);
        })
        .catch(() => undefined);
      return run;
    },
  };
}

/** The new settings, or the problems of a webhook added without its url or secret. */
function merge(cur: OrderingSettings, patch: OrderingSettingsPatch): OrderingSettings | string[] {
  const { webhook, ...rest } = patch;
  const next: OrderingSettings = { ...cur, ...rest };
  delete next.webhook;
  const hook = webhook === undefined ? cur.webhook : webhook === null ? undefined : webhook;
  if (hook) {
    const url = hook.url ?? cur.webhook?.url;
    const secret = hook.secret ?? cur.webhook?.secret;
    if (!url || !secret) {
      const missing = [...(url ? [] : ['webhook.url']), ...(secret ? [] : ['webhook.secret'])];
      return missing.map((m) => `${m}: required (no webhook is configured yet)`);
    }
    next.webhook = { url, secret };
  }
  return next;
}

/** Filter matching the tenant only while its ordering settings are still `o`. */
function guardOf(o: OrderingSettings | undefined): Record<string, unknown> {
  if (!o) return { ordering: null };
  const g: Record<string, unknown> = {};
  for (const k of SCALAR_KEYS) g[`ordering.${k}`] = o[k];
  if (o.webhook) {
    g['ordering.webhook.url'] = o.webhook.url;
    g['ordering.webhook.secret'] = o.webhook.secret;
  } else g['ordering.webhook'] = null;
  return g;
}

const SCALAR_KEYS = [
  'currency',
  'taxRateBps',
  'deliveryFeeMinor',
  'pickupMinutes',
  'deliveryMinutes',
  'deliveryEnabled',
] as const;

function viewOf(tenantId: string, t: Pick<TenantDoc, 'ordering'>): OrderingSettingsView {
  const s = settingsOf(t);
  const { webhook, ...rest } = s;
  return {
    tenantId,
    stored: !!t.ordering,
    ...rest,
    webhook: webhook
      ? { url: webhook.url, hasSecret: true, secretLast4: webhook.secret.slice(-4) }
      : null,
  };
}
