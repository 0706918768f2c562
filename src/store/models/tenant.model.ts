import { Schema, type Connection, type Model } from 'mongoose';
import { E164, HH_MM, TENANT_ID, isValidTimeZone } from './validators.js';

/** A dialled number of a tenant and the flow that answers it (absent: the tenant's default). */
export interface TenantNumber {
  e164: string;
  flowId?: string;
}

/** Opening hours for one weekday (0 = Sunday), wall-clock in the tenant's time zone. */
export interface BusinessHours {
  day: number;
  open: string;
  close: string;
}

/**
 * A business. `_id` is the tenant id (a slug); every other document of tenant data carries it as
 * `tenantId`. A tenant has at least one number, and a number reaches at most one tenant (unique
 * multikey index on `numbers.e164`; an empty array would collide with other empty arrays).
 */
export interface TenantDoc {
  _id: string;
  name: string;
  numbers: TenantNumber[];
  /** IANA time zone, e.g. `America/New_York`. */
  timeZone: string;
  businessHours: BusinessHours[];
  locale: string;
  voice?: string;
  /** Flow for numbers that name none. */
  defaultFlowId?: string;
  createdAtMs: number;
}

const NumberSchema = new Schema<TenantNumber>(
  {
    e164: { type: String, required: true, match: E164 },
    flowId: { type: String, maxlength: 64 },
  },
  { _id: false },
);

const HoursSchema = new Schema<BusinessHours>(
  {
    day: { type: Number, required: true, min: 0, max: 6 },
    open: { type: String, required: true, match: HH_MM },
    close: { type: String, required: true, match: HH_MM },
  },
  { _id: false },
);

export const TenantSchema = new Schema<TenantDoc>(
  {
    _id: { type: String, required: true, match: TENANT_ID },
    name: { type: String, required: true, minlength: 1, maxlength: 200 },
    numbers: {
      type: [NumberSchema],
      validate: {
        validator: (ns: TenantNumber[]) =>
          ns.length > 0 && new Set(ns.map((n) => n.e164)).size === ns.length,
        message: 'at least one number, each listed once',
      },
    },
    timeZone: {
      type: String,
      required: true,
      validate: { validator: isValidTimeZone, message: 'not an IANA time zone' },
    },
    businessHours: { type: [HoursSchema], default: [] },
    locale: { type: String, required: true, default: 'en-US' },
    voice: { type: String },
    defaultFlowId: { type: String, maxlength: 64 },
    createdAtMs: { type: Number, required: true },
  },
  { collection: 'tenants', versionKey: false, strict: 'throw' },
);
TenantSchema.index({ 'numbers.e164': 1 }, { unique: true, name: 'number_unique' });

export type TenantModel = Model<TenantDoc>;

export function tenantModel(connection: Connection): TenantModel {
  return (
    (connection.models.Tenant as TenantModel | undefined) ??
    connection.model<TenantDoc>('Tenant', TenantSchema)
  );
}
