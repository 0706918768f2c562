import { Schema, type Connection, type Model } from 'mongoose';
import { E164, TENANT_ID } from './validators.js';

/** One past call of a customer, newest last in `lastInteractions`. */
export interface Interaction {
  callSid: string;
  atMs: number;
  flowId?: string;
  outcome?: string;
}

/**
 * A caller known to one tenant, identified by (tenantId, phone). The same person calling two
 * businesses is two customers: nothing here is shared across tenants. `_id` is
 * customerKey(tenantId, phone): FerretDB v1 serves `_id` lookups from an index but scans the
 * collection for any other filter, and the voice webhook looks the caller up on every call.
 */
export interface CustomerDoc {
  _id: string;
  tenantId: string;
  /** E.164. */
  phone: string;
  name?: string;
  notes?: string;
  /** Free-form settings the flows may read (e.g. `language`, `usualOrder`); keys without dots. */
  preferences?: Map<string, string>;
  /** At most CUSTOMER_INTERACTIONS_KEPT, oldest first. */
  lastInteractions: Interaction[];
  callCount: number;
  lastCallAtMs?: number;
  /** Bumped by every read-modify-write of lastInteractions (optimistic concurrency). */
  rev: number;
  createdAtMs: number;
}

/** How many past interactions a customer document keeps. */
export const CUSTOMER_INTERACTIONS_KEPT = 10;

const InteractionSchema = new Schema<Interaction>(
  {
    callSid: { type: String, required: true },
    atMs: { type: Number, required: true },
    flowId: String,
    outcome: String,
  },
  { _id: false },
);

/** The `_id` of the customer `phone` of `tenantId`. */
export function customerKey(tenantId: string, phone: string): string {
  return `${tenantId}|${phone}`;
}

export const CustomerSchema = new Schema<CustomerDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true, match: TENANT_ID },
    phone: { type: String, required: true, match: E164 },
    name: { type: String, maxlength: 100 },
    notes: { type: String, maxlength: 2000 },
    preferences: { type: Map, of: String },
    lastInteractions: { type: [InteractionSchema], default: [] },
    callCount: { type: Number, default: 0 },
    lastCallAtMs: Number,
    rev: { type: Number, default: 0 },
    createdAtMs: { type: Number, required: true },
  },
  { collection: 'customers', versionKey: false },
);
CustomerSchema.index({ tenantId: 1, phone: 1 }, { unique: true, name: 'tenant_phone_unique' });

export type CustomerModel = Model<CustomerDoc>;

export function customerModel(connection: Connection): CustomerModel {
  return (
    (connection.models.Customer as CustomerModel | undefined) ??
    connection.model<CustomerDoc>('Customer', CustomerSchema)
  );
}
