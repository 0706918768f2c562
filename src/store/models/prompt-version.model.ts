import { Schema, type Connection, type Model } from 'mongoose';

export interface PromptEntry {
  key: string;
  text: string;
}

/**
 * A published prompt catalog of one locale: immutable once written. Versions count up per locale;
 * the same content is never published twice ((locale, checksum) is unique). Entries are an array
 * because prompt keys contain dots, which cannot be document keys.
 */
export interface PromptVersionDoc {
  locale: string;
  version: number;
  /** Sorted by key. */
  entries: PromptEntry[];
  /** sha256 (hex) of the sorted entries. */
  checksum: string;
  publishedAtMs: number;
}

export const PromptVersionSchema = new Schema<PromptVersionDoc>(
  {
    locale: { type: String, required: true, maxlength: 35 },
    version: { type: Number, required: true, min: 1 },
    entries: {
      type: [new Schema<PromptEntry>({ key: String, text: String }, { _id: false })],
      required: true,
    },
    checksum: { type: String, required: true, match: /^[0-9a-f]{64}$/ },
    publishedAtMs: { type: Number, required: true },
  },
  { collection: 'prompt_versions', versionKey: false },
);
PromptVersionSchema.index(
  { locale: 1, version: -1 },
  { unique: true, name: 'locale_version_unique' },
);
PromptVersionSchema.index(
  { locale: 1, checksum: 1 },
  { unique: true, name: 'locale_checksum_unique' },
);

export type PromptVersionModel = Model<PromptVersionDoc>;

export function promptVersionModel(connection: Connection): PromptVersionModel {
  return (
    (connection.models.PromptVersion as PromptVersionModel | undefined) ??
    connection.model<PromptVersionDoc>('PromptVersion', PromptVersionSchema)
  );
}
