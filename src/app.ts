import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { AppError, errorSummary } from './errors.js';
import type { CallStore } from './call/call-store.js';
import type { CallRegistry } from './call/call-registry.js';
import { adminAuth } from './http/admin-auth.js';
import { callsRouter } from './http/calls.routes.js';
import { catalogRouter } from './http/catalog.routes.js';
import { ordersRouter } from './http/orders.routes.js';
import { tenantSettingsRouter } from './http/tenant-settings.routes.js';
import type { OrderingSettingsService } from './domain/ordering/settings.js';
import type { Ordering } from './domain/ordering/index.js';
import type { RuntimeStats } from './http/stats.js';
import { twilioRouter, type CallStatusEvent } from './http/twilio.routes.js';
import type { Admission, IncomingCall } from './call/call-admission.js';
import type { RecorderStats } from './call/call-recorder.js';
import type { MediaStats } from './telephony/twilio/media-server.js';
import type { Metrics } from './metrics/metrics.js';
import { metricsRouter } from './http/metrics.routes.js';
import type { ProviderHealthSnapshot } from './providers/health.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  store: CallStore;
  registry: CallRegistry;
  stats: RuntimeStats;
  mediaStats(): MediaStats;
  onStatus(e: CallStatusEvent): void;
  /** Tenant resolution at the voice webhook (see twilioRouter); absent: calls are not tagged. */
  admit?(call: IncomingCall): Promise<Admission>;
  /** The call recorder's counters, shown under `recorder` in /api/stats. */
  recorderStats?(): RecorderStats;
  /** Phone ordering: mounts the catalog, orders and notifications admin API when present. */
  ordering?: Ordering;
  /** Mounts GET/PATCH /api/tenants/:tenantId/settings/ordering when present. */
  orderingSettings?: OrderingSettingsService;
  /** Prometheus metrics served at GET /metrics behind the admin guard; absent: no route. */
  metrics?: Metrics;
  /** Cloud provider circuit states, shown under `providers` in /health. */
  providerHealth?(): readonly ProviderHealthSnapshot[];
}

/** The HTTP surface (webhooks, admin API, health). Builds the app; never listens. */
export function buildApp(d: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    twilioRouter({
      config: d.config,
      logger: d.logger,
      onStatus: d.onStatus,
      ...(d.admit ? { admit: d.admit } : {}),
    }),
  );
  app.get('/health', (_req, res) => {
    res.json({
      status: 'ok',
      liveCalls: d.registry.size,
      liveStreams: d.mediaStats().liveStreams,
      ...(d.providerHealth
        ? { providers: Object.fromEntries(d.providerHealth().map((p) => [p.provider, p.state])) }
        : {}),
    });
  });
  const api = express.Router();
  api.use(adminAuth(d.config.adminApiToken));
  api.use(callsRouter(d.store));
  if (d.ordering) {
    api.use(catalogRouter(d.ordering));
    api.use(ordersRouter(d.ordering));
  }
  if (d.orderingSettings) api.use(tenantSettingsRouter(d.orderingSettings));
  api.get('/stats', (_req, res) => {
    res.json({
      liveCalls: d.registry.size,
      media: d.mediaStats(),
      runtime: d.stats.snapshot(),
      ...(d.recorderStats ? { recorder: d.recorderStats() } : {}),
    });
  });
  api.post('/stats/reset', (_req, res) => {
    d.stats.reset();
    res.status(204).end();
  });
  app.use('/api', api);
  if (d.metrics) app.use(metricsRouter(d.metrics, adminAuth(d.config.adminApiToken)));
  app.use((_req, res) => {
    res.status(404).json({ code: 'NOT_FOUND', message: 'no such route' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // body-parser marks malformed or oversized bodies with a 4xx `status`.
    const bodyStatus = (err as { status?: unknown }).status;
    if (typeof bodyStatus === 'number' && bodyStatus >= 400 && bodyStatus < 500) {
      res.status(bodyStatus).json({ code: 'BAD_REQUEST', message: 'malformed request body' });
      return;
    }
    const status = err instanceof AppError && err.code === 'BAD_REQUEST' ? 400 : 500;
    d.logger.error({ err: errorSummary(err) }, 'request failed');
    res
      .status(status)
      .json({ code: err instanceof AppError ? err.code : 'INTERNAL', message: 'request failed' });
  });
  return app;
}
