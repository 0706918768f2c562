import { Schema, type Connection, type Model } from 'mongoose';
import { HH_MM, TENANT_ID, isValidTimeZone } from './validators.js';

/** Opening hours for one weekday (0 = Sunday), wall-clock in the tenant's time zone. */
export interface BusinessHours {
  day: number;
  open: string;
  close: string;
}

/** A business notification endpoint (see domain/ordering/notifier.ts for the signature). */
export interface OrderingWebhook {
  url: string;
  /** HMAC-SHA256 key shared with the business. Never returned by the admin API. */
  secret: string;
}

/**
 * How a business takes phone orders. Amounts are integer minor units of `currency`;
 * `taxRateBps` is basis points (875 = 8.75 %).
 */
export interface OrderingSettings {
  currency: string;
  taxRateBps: number;
  deliveryFeeMinor: number;
  pickupMinutes: number;
  deliveryMinutes: number;
  deliveryEnabled: boolean;
  webhook?: OrderingWebhook;
}

/**
 * A business. `_id` is the tenant id (a slug); every other document of tenant data carries it as
 * `tenantId`. The numbers that reach it are TenantNumber documents (see tenant-number.model.ts).
 */
export interface TenantDoc {
  _id: string;
  name: string;
  /** IANA time zone, e.g. `America/New_York`. */
  timeZone: string;
  businessHours: BusinessHours[];
  locale: string;
  voice?: string;
  /** The flow answering numbers that name none. */
  defaultFlowId?: string;
  /** Phone ordering; absent: the defaults of domain/ordering (USD, no tax, pickup only). */
  ordering?: OrderingSettings;
  createdAtMs: number;
}

const HoursSchema = new Schema<BusinessHours>(
  {
    day: { type: Number, required: true, min: 0, max: 6 },
    open: { type: String, required: true, match: HH_MM },
    close: { type: String, required: true, match: HH_MM },
  },
  { _id: false },
);

const OrderingSchema = new Schema<OrderingSettings>(
  {
    currency: { type: String, required: true, match: /^[A-Z]{3}$/ },
    taxRateBps: { type: Number, required: true, min: 0, max: 10_000 },
    deliveryFeeMinor: { type: Number, required: true, min: 0 },
    pickupMinutes: { type: Number, required: true, min: 0, max: 24 * 60 },
    deliveryMinutes: { type: Number, required: true, min: 0, max: 24 * 60 },
    deliveryEnabled: { type: Boolean, required: true },
    webhook: {
      type: new Schema<OrderingWebhook>(
        {
          url: { type: String, required: true, match: /^https?:\/\/\S+$/, maxlength: 2000 },
          secret: { type: String, required: true, minlength: 16, maxlength: 200 },
        },
        { _id: false, strict: 'throw' },
      ),
    },
  },
  { _id: false, strict: 'throw' },
);

export const TenantSchema = new Schema<TenantDoc>(
  {
    _id: { type: String, required: true, match: TENANT_ID },
    name: { type: String, required: true, minlength: 1, maxlength: 200 },
    timeZone: {
      type: String,
      required: true,
      validate: { validator: isValidTimeZone, message: 'not an IANA time zone' },
    },
    businessHours: { type: [HoursSchema], default: [] },
    locale: { type: String, required: true, default: 'en-US' },
    voice: { type: String },
    defaultFlowId: { type: String, maxlength: 64 },
    ordering: { type: OrderingSchema },
    createdAtMs: { type: Number, required: true },
  },
  { collection: 'tenants', versionKey: false, strict: 'throw' },
);

export type TenantModel = Model<TenantDoc>;

export function tenantModel(connection: Connection): TenantModel {
  return (
    (connection.models.Tenant as TenantModel | undefined) ??
    connection.model<TenantDoc>('Tenant', TenantSchema)
  );
}
