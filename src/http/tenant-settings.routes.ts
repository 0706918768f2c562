import express, { Router } from 'express';
import {
  OrderingSettingsPatchSchema,
  patchProblems,
  type OrderingSettingsService,
} from '../domain/ordering/settings.js';
import { TENANT_ID } from '../store/models/validators.js';
import { orderingErrors, sendProblems } from './catalog.routes.js';

const TENANT_PROBLEM = 'tenantId: must be a tenant id (lowercase letters, digits and dashes)';
const NO_TENANT = { code: 'NOT_FOUND', reason: 'no-tenant', message: 'no such tenant' };

/**
 * A tenant's ordering settings, mounted behind adminAuth. The webhook secret is write-only: reads
 * show `webhook: {url, hasSecret, secretLast4}` or null.
 *   GET   /tenants/:tenantId/settings/ordering  → the settings (defaults when none stored); 404
 *   PATCH /tenants/:tenantId/settings/ordering  body: any of currency, taxRateBps,
 *         deliveryFeeMinor, pickupMinutes, deliveryMinutes, deliveryEnabled, webhook ({url,
 *         secret}; null removes it) → the updated settings; 400 naming each bad or unknown
 *         field (`taxRateBps: …`, `colour: unknown field`); 404 no tenant
 */
export function tenantSettingsRouter(settings: OrderingSettingsService): Router {
  const r = Router();
  const path = '/tenants/:tenantId/settings/ordering';
  r.get(path, async (req, res) => {
    if (!TENANT_ID.test(req.params.tenantId)) return sendProblems(res, [TENANT_PROBLEM]);
    const view = await settings.get(req.params.tenantId);
    if (!view) return void res.status(404).json(NO_TENANT);
    res.json(view);
  });
  r.patch(path, express.json({ limit: '16kb' }), async (req, res) => {
    if (!TENANT_ID.test(req.params.tenantId)) return sendProblems(res, [TENANT_PROBLEM]);
    const body = OrderingSettingsPatchSchema.safeParse(req.body ?? {});
    if (!body.success) return sendProblems(res, patchProblems(body.error));
    const result = await settings.update(req.params.tenantId, body.data);
    if (!result) return void res.status(404).json(NO_TENANT);
    if ('problems' in result) return sendProblems(res, result.problems);
    res.json(result.settings);
  });
  r.use('/tenants', orderingErrors);
  return r;
}
