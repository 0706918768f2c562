import { Router, type Response } from 'express';
import { z } from 'zod';
import type { CallStore } from '../call/call-store.js';
import { AppError } from '../errors.js';
import { CALL_SID, TENANT_ID } from '../store/models/validators.js';

/** `+` in a query string decodes to a space: `from=+1555…` arrives as ` 1555…`. */
const Phone = z
  .string()
  .trim()
  .regex(/^\+?[1-9][0-9]{1,14}$/, 'must be an E.164 phone number like +15550001111')
  .transform((s) => (s.startsWith('+') ? s : `+${s}`));

const Tenant = z
  .string()
  .regex(TENANT_ID, 'must be a tenant id (lowercase letters, digits and dashes)');

const ListQuery = z
  .object({
    tenant: Tenant.optional(),
    from: Phone.optional(),
    since: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
    outcome: z.string().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .strict();

const GetQuery = z.object({ tenant: Tenant.optional() }).strict();

/**
 * GET /api/calls (paged, filtered, newest first) and GET /api/calls/:callSid. Mounted behind
 * adminAuth. `tenant` scopes either to one tenant's calls: a call of another tenant is not
 * listed, and reading it answers 404. Bad parameters answer 400 naming each problem; an
 * unreadable store 503. A list served from memory only (database down) says `degraded: true`.
 */
export function callsRouter(store: CallStore): Router {
  const r = Router();
  r.get('/calls', async (req, res) => {
    const q = ListQuery.safeParse(req.query);
    if (!q.success) return badRequest(res, q.error);
    const { tenant, from, since, outcome, limit, offset } = q.data;
    const page = await store.list({
      limit,
      offset,
      ...(tenant ? { tenantId: tenant } : {}),
      ...(from ? { from } : {}),
      ...(since ? { sinceMs: Date.parse(since) } : {}),
      ...(outcome ? { outcome } : {}),
    });
    res.json({ ...page, limit, offset });
  });
  r.get('/calls/:callSid', async (req, res) => {
    if (!CALL_SID.test(req.params.callSid)) {
      const message = 'callSid: must be CA + 32 hex characters';
      res.status(400).json({ code: 'BAD_REQUEST', message, problems: [message] });
      return;
    }
    const q = GetQuery.safeParse(req.query);
    if (!q.success) return badRequest(res, q.error);
    const call = await store.get(
      req.params.callSid,
      q.data.tenant ? { tenantId: q.data.tenant } : {},
    );
    if (!call) {
      res.status(404).json({ code: 'NOT_FOUND', message: 'no such call' });
      return;
    }
    res.json(call);
  });
  r.use('/calls', storeUnavailable);
  return r;
}

function badRequest(res: Response, error: z.ZodError): void {
  const problems = error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
  res.status(400).json({ code: 'BAD_REQUEST', message: problems.join('; '), problems });
}

/** STORE_UNAVAILABLE → 503 (the app's error handler answers anything else). */
function storeUnavailable(err: unknown, _req: unknown, res: Response, next: (e: unknown) => void) {
  if (!(err instanceof AppError) || err.code !== 'STORE_UNAVAILABLE') return next(err);
  res.status(503).json({ code: 'STORE_UNAVAILABLE', message: 'call records unavailable; retry' });
}
