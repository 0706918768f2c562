import { Schema, type Connection, type Model } from 'mongoose';
import { E164, TENANT_ID } from './validators.js';

/**
 * A dialled number and the tenant it reaches, with the flow that answers it (absent: the
 * tenant's default flow). `_id` is the E.164 number, so a number reaches at most one tenant on
 * every server: FerretDB v1 does not enforce unique indexes over array fields, which rules out
 * a unique `numbers.e164` inside the tenant document.
 */
export interface TenantNumberDoc {
  _id: string;
  tenantId: string;
  flowId?: string;
  createdAtMs: number;
}

export const TenantNumberSchema = new Schema<TenantNumberDoc>(
  {
    _id: { type: String, required: true, match: E164 },
    tenantId: { type: String, required: true, match: TENANT_ID },
    flowId: { type: String, maxlength: 64 },
    createdAtMs: { type: Number, required: true },
  },
  { collection: 'tenant_numbers', versionKey: false, strict: 'throw' },
);
TenantNumberSchema.index({ tenantId: 1 }, { name: 'tenant' });

export type TenantNumberModel = Model<TenantNumberDoc>;

export function tenantNumberModel(connection: Connection): TenantNumberModel {
  return (
    (connection.models.TenantNumber as TenantNumberModel | undefined) ??
    connection.model<TenantNumberDoc>('TenantNumber', TenantNumberSchema)
  );
}
