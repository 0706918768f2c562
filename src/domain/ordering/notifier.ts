import { randomBytes } from 'node:crypto';
import { errorSummary } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type {
  NotificationDoc,
  NotificationModel,
  NotificationStatus,
} from '../../store/models/notification.model.js';
import type { TenantDoc, TenantModel } from '../../store/models/tenant.model.js';
import type { OrderEvent } from './order-view.js';
import {
  HEADER_EVENT_ID,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  signWebhook,
} from './webhook-signature.js';

export * from './webhook-signature.js';

/** A notification as the admin API lists it (the body is not repeated). */
export interface NotificationView {
  id: string;
  tenantId: string;
  type: string;
  orderId?: string;
  url: string;
  status: NotificationStatus;
  attempts: number;
  nextAttemptAtMs?: number;
  lastError?: string;
  createdAtMs: number;
  deliveredAtMs?: number;
}

export interface Notifier {
  /**
   * Records the event for the tenant's webhook (none configured: nothing happens) and sends it
   * soon. Never throws: a failure to record is logged.
   */
  notify(e: OrderEvent): Promise<void>;
  /** Schedules every pending notification (after a restart). */
  start(): Promise<void>;
  /** Cancels scheduled attempts and aborts those in flight (they stay pending); resolves when idle. */
  stop(): Promise<void>;
  list(q: {
    status?: NotificationStatus;
    tenantId?: string;
    limit: number;
    offset: number;
  }): Promise<{ notifications: NotificationView[]; total: number }>;
}

export interface NotifierOptions {
  models: { Notification: NotificationModel; Tenant: TenantModel };
  logger: Logger;
  fetch?: typeof fetch;
  /**
   * Wait after failed attempt n (1-based) is retryDelaysMs[n-1]; after the last delay the next
   * failure marks the notification `failed` (attempts = length + 1).
   * Default 1 s, 5 s, 25 s, 2 min, 10 min, 30 min (7 attempts over ~43 minutes).
   */
  retryDelaysMs?: readonly number[];
  /** Per attempt. Default 10 000. */
  timeoutMs?: number;
  now?: () => number;
}

export const DEFAULT_NOTIFY_RETRY_DELAYS_MS: readonly number[] = [
  1_000, 5_000, 25_000, 120_000, 600_000, 1_800_000,
];

/**
 * Signed webhooks with persisted retries: each event is a `notifications` document (pending →
 * delivered | failed), attempted in this process on timers; `start()` picks up pending ones
 * left by an earlier process. Delivery is at least once (see webhook-signature.ts).
 */
export function createNotifier(o: NotifierOptions): Notifier {
  return new WebhookNotifier(o);
}

/** Outcome of one POST: delivered, aborted by stop(), or why it failed. */
type SendResult = { ok: true } | { ok: false; stopped: true } | { ok: false; error: string };

class WebhookNotifier implements Notifier {
  private readonly M: NotificationModel;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;
  private readonly delays: readonly number[];
  private readonly timeoutMs: number;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private halt = new AbortController();

  constructor(private readonly o: NotifierOptions) {
    this.M = o.models.Notification;
    this.now = o.now ?? Date.now;
    this.fetch = o.fetch ?? fetch;
    this.delays = o.retryDelaysMs ?? DEFAULT_NOTIFY_RETRY_DELAYS_MS;
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  notify = async (e: OrderEvent): Promise<void> => {
    try {
      const tenant = await this.o.models.Tenant.findById(e.order.tenantId).lean<TenantDoc>().exec();
      const url = tenant?.ordering?.webhook?.url;
      if (!url) return;
      const id = `evt_${randomBytes(12).toString('hex')}`;
      const at = this.now();
      const body = JSON.stringify({
        id,
        type: e.type,
        createdAt: new Date(at).toISOString(),
        tenantId: e.order.tenantId,
        order: e.order,
      });
      await this.M.create({
        ...{ _id: id, tenantId: e.order.tenantId, type: e.type, orderId: e.order.id, url, body },
        ...{
          status: 'pending',
          attempts: 0,
          nextAttemptAtMs: at,
          createdAtMs: at,
          updatedAtMs: at,
        },
      });
      this.schedule(id, at);
    } catch (err) {
      this.o.logger.error(
        { err: errorSummary(err), orderId: e.order.id, type: e.type },
        'notification not recorded',
      );
    }
  };

  start = async (): Promise<void> => {
    if (this.halt.signal.aborted) this.halt = new AbortController();
    const pending = await this.M.find({ status: 'pending' })
      .select({ _id: 1, nextAttemptAtMs: 1 })
      .lean()
      .exec();
    for (const p of pending) this.schedule(p._id, p.nextAttemptAtMs);
  };

  stop = async (): Promise<void> => {
    this.halt.abort();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  };

  list: Notifier['list'] = async (q) => {
    const filter: Record<string, unknown> = {};
    if (q.status) filter.status = q.status;
    if (q.tenantId) filter.tenantId = q.tenantId;
    const [docs, total] = await Promise.all([
      this.M.find(filter)
        .sort({ createdAtMs: -1 })
        .skip(q.offset)
        .limit(q.limit)
        .lean<NotificationDoc[]>()
        .exec(),
      this.M.countDocuments(filter).exec(),
    ]);
    return { notifications: docs.map(viewOf), total };
  };

  private schedule(id: string, atMs: number): void {
    if (this.halt.signal.aborted || this.timers.has(id)) return;
    const run = () => {
      this.timers.delete(id);
      const p = this.attempt(id).catch((err: unknown) => {
        this.o.logger.warn(
          { err: errorSummary(err), notificationId: id },
          'notification attempt failed',
        );
      });
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    };
    const t = setTimeout(run, Math.max(0, atMs - this.now()));
    t.unref();
    this.timers.set(id, t);
  }

  /** One attempt; records the outcome guarded by the attempt count read (no double counting). */
  private async attempt(id: string): Promise<void> {
    const doc = await this.M.findById(id).lean<NotificationDoc>().exec();
    if (!doc || doc.status !== 'pending') return;
    const tenant = await this.o.models.Tenant.findById(doc.tenantId).lean<TenantDoc>().exec();
    const secret = tenant?.ordering?.webhook?.secret;
    const result: SendResult = secret
      ? await this.send(doc, secret)
      : { ok: false, error: 'webhook no longer configured' };
    if (!result.ok && 'stopped' in result) return;
    const attempts = doc.attempts + 1;
    const guard = { _id: id, status: 'pending' as const, attempts: doc.attempts };
    const at = this.now();
    if (result.ok) {
      await this.M.updateOne(guard, {
        $set: { status: 'delivered', attempts, deliveredAtMs: at, updatedAtMs: at },
        $unset: { lastError: 1 },
      }).exec();
      return;
    }
    const delay = secret ? this.delays[attempts - 1] : undefined;
    const next = at + (delay ?? 0);
    await this.M.updateOne(guard, {
      $set: {
        ...{ status: delay === undefined ? 'failed' : 'pending', attempts, nextAttemptAtMs: next },
        ...{ lastError: result.error.slice(0, 500), updatedAtMs: at },
      },
    }).exec();
    if (delay === undefined) {
      this.o.logger.warn({ notificationId: id, attempts }, 'notification failed for good');
    } else this.schedule(id, next);
  }

  private async send(doc: NotificationDoc, secret: string): Promise<SendResult> {
    const ts = Math.floor(this.now() / 1000);
    try {
      const res = await this.fetch(doc.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [HEADER_EVENT_ID]: doc._id,
          [HEADER_TIMESTAMP]: String(ts),
          [HEADER_SIGNATURE]: signWebhook(secret, ts, doc.body),
        },
        body: doc.body,
        redirect: 'manual',
        signal: AbortSignal.any([this.halt.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true };
      return { ok: false, error: `HTTP ${res.status}` };
    } catch (err) {
      if (this.halt.signal.aborted) return { ok: false, stopped: true };
      return { ok: false, error: errorSummary(err).message || 'request failed' };
    }
  }
}

function viewOf(d: NotificationDoc): NotificationView {
  return {
    id: d._id,
    tenantId: d.tenantId,
    type: d.type,
    ...(d.orderId ? { orderId: d.orderId } : {}),
    url: d.url,
    status: d.status,
    attempts: d.attempts,
    ...(d.status === 'pending' ? { nextAttemptAtMs: d.nextAttemptAtMs } : {}),
    ...(d.lastError ? { lastError: d.lastError } : {}),
    createdAtMs: d.createdAtMs,
    ...(d.deliveredAtMs ? { deliveredAtMs: d.deliveredAtMs } : {}),
  };
}
