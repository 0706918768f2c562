import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Ordering } from '../domain/ordering/index.js';
import { OrderingError } from '../domain/ordering/types.js';
import { TENANT_ID } from '../store/models/validators.js';

const ITEM_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const AvailabilityBody = z.object({ available: z.boolean() }).strict();

/** 400 naming every problem, as `path: message` strings (the admin API's shape). */
export function sendProblems(res: Response, problems: string[]): void {
  res.status(400).json({ code: 'BAD_REQUEST', message: problems.join('; '), problems });
}

export function zodProblems(error: z.ZodError, root: string): string[] {
  return error.issues.map((i) => `${i.path.join('.') || root}: ${i.message}`);
}

/** Checks `:tenantId` (and `:itemId` when present); answers 400 itself and returns false. */
function paramsOk(req: Request, res: Response): boolean {
  const problems: string[] = [];
  const { tenantId, itemId } = req.params as { tenantId?: string; itemId?: string };
  if (tenantId !== undefined && !TENANT_ID.test(tenantId)) {
    problems.push('tenantId: must be a tenant id (lowercase letters, digits and dashes)');
  }
  if (itemId !== undefined && !ITEM_ID.test(itemId)) {
    problems.push('itemId: must be an item id (lowercase letters, digits and dashes)');
  }
  if (problems.length) sendProblems(res, problems);
  return problems.length === 0;
}

/**
 * Catalog administration, mounted behind adminAuth:
 *   GET   /tenants/:tenantId/catalog                 → {tenantId, rev, updatedAtMs, catalog}; 404
 *   PUT   /tenants/:tenantId/catalog                 body: the catalog (see catalog-schema.ts);
 *         400 lists every problem with its path (`items.3.categoryId: no such category`); 404 no tenant
 *   PATCH /tenants/:tenantId/catalog/items/:itemId   body {available: boolean}; 404 no such item
 */
export function catalogRouter(ordering: Ordering): Router {
  const r = Router();
  const json = express.json({ limit: '1mb' });
  r.get('/tenants/:tenantId/catalog', async (req, res) => {
    if (!paramsOk(req, res)) return;
    const stored = await ordering.catalog.get(req.params.tenantId);
    if (!stored) return void res.status(404).json({ code: 'NOT_FOUND', message: 'no catalog' });
    res.json(stored);
  });
  r.put('/tenants/:tenantId/catalog', json, async (req, res) => {
    if (!paramsOk(req, res)) return;
    res.json(await ordering.catalog.put(req.params.tenantId, req.body ?? {}));
  });
  r.patch('/tenants/:tenantId/catalog/items/:itemId', json, async (req, res) => {
    if (!paramsOk(req, res)) return;
    const body = AvailabilityBody.safeParse(req.body ?? {});
    if (!body.success) return sendProblems(res, zodProblems(body.error, 'body'));
    const { tenantId, itemId } = req.params;
    const found = await ordering.catalog.setAvailability(tenantId, itemId, body.data.available);
    if (!found) return void res.status(404).json({ code: 'NOT_FOUND', message: 'no such item' });
    res.json({ tenantId, itemId, available: body.data.available });
  });
  r.use('/tenants', orderingErrors);
  return r;
}

/** OrderingError → 400 (with its problems) or 404; anything else to the app's handler. */
export function orderingErrors(err: unknown, _req: Request, res: Response, next: NextFunction) {
  if (!(err instanceof OrderingError)) return next(err);
  if (err.code === 'NOT_FOUND') {
    res.status(404).json({ code: 'NOT_FOUND', reason: err.reason, message: err.message });
    return;
  }
  if (err.code !== 'BAD_REQUEST') return next(err);
  const problems = (err.details?.problems as string[] | undefined) ?? [err.message];
  res.status(400).json({ code: 'BAD_REQUEST', reason: err.reason, message: err.message, problems });
}
