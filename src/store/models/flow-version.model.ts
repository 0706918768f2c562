import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A published flow: immutable once written. (flowId, version) is unique; publishing the same
 * (flowId, version) with different content is refused (bump `version` in the flow file).
 * The definition is kept as JSON text because flow documents may use keys with dots.
 */
export interface FlowVersionDoc {
  flowId: string;
  version: number;
  description?: string;
  /** The flow file's JSON, as published. */
  json: string;
  /** sha256 (hex) of the canonical JSON. */
  checksum: string;
  publishedAtMs: number;
}

export const FlowVersionSchema = new Schema<FlowVersionDoc>(
  {
    flowId: { type: String, required: true, maxlength: 64 },
    version: { type: Number, required: true, min: 1 },
    description: String,
    json: { type: String, required: true },
    checksum: { type: String, required: true, match: /^[0-9a-f]{64}$/ },
    publishedAtMs: { type: Number, required: true },
  },
  { collection: 'flow_versions', versionKey: false },
);
FlowVersionSchema.index({ flowId: 1, version: -1 }, { unique: true, name: 'flow_version_unique' });

export type FlowVersionModel = Model<FlowVersionDoc>;

export function flowVersionModel(connection: Connection): FlowVersionModel {
  return (
    (connection.models.FlowVersion as FlowVersionModel | undefined) ??
    connection.model<FlowVersionDoc>('FlowVersion', FlowVersionSchema)
  );
}
