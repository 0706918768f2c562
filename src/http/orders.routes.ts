import { Router, type Response } from 'express';
import express from 'express';
import { z } from 'zod';
import { ORDER_ID, type Ordering } from '../domain/ordering/index.js';
import { ORDER_STATUSES } from '../store/models/order.model.js';
import { TENANT_ID } from '../store/models/validators.js';
import { orderingErrors, sendProblems, zodProblems } from './catalog.routes.js';

/** `+` in a query string decodes to a space: `phone=+1555…` arrives as ` 1555…`. */
const Phone = z
  .string()
  .trim()
  .regex(/^\+?[1-9][0-9]{1,14}$/, 'must be an E.164 phone number like +15550001111')
  .transform((s) => (s.startsWith('+') ? s : `+${s}`));
const Tenant = z
  .string()
  .regex(TENANT_ID, 'must be a tenant id (lowercase letters, digits and dashes)');
const Limit = z.coerce.number().int().min(1).max(200).default(50);
const Offset = z.coerce.number().int().min(0).max(100_000).default(0);

const ListQuery = z
  .object({
    tenant: Tenant.optional(),
    status: z.enum(ORDER_STATUSES).optional(),
    phone: Phone.optional(),
    since: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
    limit: Limit,
    offset: Offset,
  })
  .strict();
const TenantQuery = z.object({ tenant: Tenant.optional() }).strict();
const StatusBody = z.object({ status: z.enum(ORDER_STATUSES) }).strict();
const NotificationsQuery = z
  .object({
    tenant: Tenant.optional(),
    status: z.enum(['pending', 'delivered', 'failed']).optional(),
    limit: Limit,
    offset: Offset,
  })
  .strict();

function badId(res: Response, id: string): boolean {
  if (ORDER_ID.test(id)) return false;
  sendProblems(res, ['id: must be an order id (ord_ + 24 hex characters)']);
  return true;
}

/**
 * Orders and notifications, mounted behind adminAuth. `tenant` scopes every route to one
 * tenant: another tenant's order is not listed and answers 404.
 *   GET  /orders?tenant&status&phone&since&limit&offset  → {orders, total, limit, offset}, newest first
 *   GET  /orders/:id                                     → the order; 404
 *   POST /orders/:id/status  body {status}               → {order, changed}; 409 illegal transition
 *   GET  /notifications?tenant&status&limit&offset       → {notifications, total, limit, offset}
 * Bad parameters answer 400 naming each one.
 */
export function ordersRouter(ordering: Ordering): Router {
  const r = Router();
  r.get('/orders', async (req, res) => {
    const q = ListQuery.safeParse(req.query);
    if (!q.success) return sendProblems(res, zodProblems(q.error, 'query'));
    const { tenant, status, phone, since, limit, offset } = q.data;
    const page = await ordering.orders.list({
      limit,
      offset,
      ...(tenant ? { tenantId: tenant } : {}),
      ...(status ? { status } : {}),
      ...(phone ? { phone } : {}),
      ...(since ? { since: Date.parse(since) } : {}),
    });
    res.json({ ...page, limit, offset });
  });
  r.get('/orders/:id', async (req, res) => {
    if (badId(res, req.params.id)) return;
    const q = TenantQuery.safeParse(req.query);
    if (!q.success) return sendProblems(res, zodProblems(q.error, 'query'));
    const order = await ordering.orders.get(req.params.id, q.data.tenant);
    if (!order) return void res.status(404).json({ code: 'NOT_FOUND', message: 'no such order' });
    res.json(order);
  });
  r.post('/orders/:id/status', express.json({ limit: '16kb' }), async (req, res) => {
    if (badId(res, req.params.id)) return;
    const q = TenantQuery.safeParse(req.query);
    if (!q.success) return sendProblems(res, zodProblems(q.error, 'query'));
    const body = StatusBody.safeParse(req.body ?? {});
    if (!body.success) return sendProblems(res, zodProblems(body.error, 'body'));
    const result = await ordering.orders.advance(q.data.tenant, req.params.id, body.data.status);
    if (result.ok) return void res.json({ order: result.order, changed: result.changed });
    if (result.reason === 'not-found') {
      return void res.status(404).json({ code: 'NOT_FOUND', message: 'no such order' });
    }
    res.status(409).json({
      code: 'CONFLICT',
      reason: result.reason,
      message: `an order that is ${result.order.status} cannot become ${body.data.status}`,
      status: result.order.status,
    });
  });
  r.get('/notifications', async (req, res) => {
    const q = NotificationsQuery.safeParse(req.query);
    if (!q.success) return sendProblems(res, zodProblems(q.error, 'query'));
    const { tenant, status, limit, offset } = q.data;
    const page = await ordering.notifier.list({
      limit,
      offset,
      ...(tenant ? { tenantId: tenant } : {}),
      ...(status ? { status } : {}),
    });
    res.json({ ...page, limit, offset });
  });
  r.use('/orders', orderingErrors);
  return r;
}
