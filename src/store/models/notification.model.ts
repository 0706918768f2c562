import { Schema, type Connection, type Model } from 'mongoose';
import { TENANT_ID } from './validators.js';

export type NotificationStatus = 'pending' | 'delivered' | 'failed';

/**
 * One business notification (a signed webhook POST) and its delivery state. `_id` is the event
 * id sent as `X-Ivr-Event-Id` (receivers dedupe on it: delivery is at least once). `body` is the
 * exact JSON sent on every attempt; the signature is recomputed per attempt with a fresh
 * timestamp. The secret is read from the tenant's settings at send time, never copied here.
 */
export interface NotificationDoc {
  _id: string;
  tenantId: string;
  type: string;
  orderId?: string;
  url: string;
  body: string;
  status: NotificationStatus;
  attempts: number;
  /** When the next attempt is due (pending only). */
  nextAttemptAtMs: number;
  lastError?: string;
  createdAtMs: number;
  updatedAtMs: number;
  deliveredAtMs?: number;
}

export const NotificationSchema = new Schema<NotificationDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true, match: TENANT_ID },
    type: { type: String, required: true, maxlength: 64 },
    orderId: { type: String, maxlength: 64 },
    url: { type: String, required: true, maxlength: 2000 },
    body: { type: String, required: true },
    status: { type: String, required: true, enum: ['pending', 'delivered', 'failed'] },
    attempts: { type: Number, required: true, min: 0 },
    nextAttemptAtMs: { type: Number, required: true },
    lastError: { type: String, maxlength: 500 },
    createdAtMs: { type: Number, required: true },
    updatedAtMs: { type: Number, required: true },
    deliveredAtMs: Number,
  },
  { collection: 'notifications', versionKey: false, strict: 'throw' },
);
NotificationSchema.index({ status: 1, nextAttemptAtMs: 1 }, { name: 'status_due' });
NotificationSchema.index({ tenantId: 1, createdAtMs: -1 }, { name: 'tenant_created' });

export type NotificationModel = Model<NotificationDoc>;

export function notificationModel(connection: Connection): NotificationModel {
  return (
    (connection.models.Notification as NotificationModel | undefined) ??
    connection.model<NotificationDoc>('Notification', NotificationSchema)
  );
}
