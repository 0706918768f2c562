import { Router } from 'express';
import { z } from 'zod';
import type { CallStore } from '../call/call-store.js';

const ListQuery = z
  .object({
    from: z
      .string()
      .regex(/^\+?[0-9]{3,16}$/, 'must be a phone number like +15550001111')
      .optional(),
    since: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
    outcome: z.string().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

/** GET /api/calls (paged, filtered) and GET /api/calls/:callSid. Mounted behind adminAuth. */
export function callsRouter(store: CallStore): Router {
  const r = Router();
  r.get('/calls', async (req, res) => {
    const q = ListQuery.safeParse(req.query);
    if (!q.success) {
      const problems = q.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
      res.status(400).json({ code: 'BAD_REQUEST', message: problems.join('; '), problems });
      return;
    }
    const { from, since, outcome, limit, offset } = q.data;
    const page = await store.list({
      limit,
      offset,
      ...(from ? { from } : {}),
      ...(since ? { sinceMs: Date.parse(since) } : {}),
      ...(outcome ? { outcome } : {}),
    });
    res.json({ ...page, limit, offset });
  });
  r.get('/calls/:callSid', async (req, res) => {
    if (!/^CA[0-9a-fA-F]{32}$/.test(req.params.callSid)) {
      res
        .status(400)
        .json({ code: 'BAD_REQUEST', message: 'callSid must be CA + 32 hex characters' });
      return;
    }
    const call = await store.get(req.params.callSid);
    if (!call) {
      res.status(404).json({ code: 'NOT_FOUND', message: 'no such call' });
      return;
    }
    res.json(call);
  });
  return r;
}
