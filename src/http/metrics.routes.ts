import express, { type RequestHandler } from 'express';
import type { Metrics } from '../metrics/metrics.js';

/**
 * GET /metrics: Prometheus exposition text (Content-Type from the registry, text/plain;
 * version=0.0.4) behind `auth` (the admin guard: bearer token, or loopback without a token).
 */
export function metricsRouter(metrics: Metrics, auth: RequestHandler): express.Router {
  const router = express.Router();
  router.get('/metrics', auth, async (_req, res) => {
    const { contentType, body } = await metrics.render();
    res.set('Content-Type', contentType).send(body);
  });
  return router;
}
