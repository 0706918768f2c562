import { Schema, type Connection, type Model } from 'mongoose';
import { TENANT_ID } from './validators.js';

/**
 * One tenant's menu. `_id` is the tenant id (one catalog per tenant, served by the `_id` index).
 * Prices are integer minor units of the tenant's currency (settings.ordering.currency).
 * Modifiers are declared once per catalog and referenced by items (`modifierIds`); a modifier of
 * kind `remove` is a removable default ingredient ("no onions"): spoken name includes the "no",
 * price is always 0. `rev` counts writes: every write bumps it, and conditional updates on it
 * keep concurrent writers from losing each other's changes.
 * References (categoryId, defaultVariantId, modifierIds) are checked by domain/ordering/catalog.ts.
 */
export interface CatalogCategory {
  id: string;
  name: string;
  aliases: string[];
}

export interface CatalogVariant {
  id: string;
  name: string;
  aliases: string[];
  priceMinor: number;
}

export type ModifierKind = 'add' | 'remove';

export interface CatalogModifier {
  id: string;
  name: string;
  aliases: string[];
  kind: ModifierKind;
  priceMinor: number;
}

export interface CatalogItem {
  id: string;
  categoryId: string;
  name: string;
  aliases: string[];
  description?: string;
  available: boolean;
  /** The item's "new" flag (`isNew` would collide with mongoose's Document#isNew). */
  newItem: boolean;
  popular: boolean;
  variants: CatalogVariant[];
  defaultVariantId?: string;
  modifierIds: string[];
  /** Most `add` modifiers on one unit; absent: no limit beyond the listed modifiers. */
  maxModifiers?: number;
}

export interface CatalogDoc {
  _id: string;
  categories: CatalogCategory[];
  items: CatalogItem[];
  modifiers: CatalogModifier[];
  rev: number;
  updatedAtMs: number;
}

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

const CategorySchema = new Schema<CatalogCategory>(
  {
    id: { type: String, required: true, match: ID },
    name: { type: String, required: true, maxlength: 100 },
    aliases: { type: [String], default: [] },
  },
  { _id: false, strict: 'throw' },
);

const VariantSchema = new Schema<CatalogVariant>(
  {
    id: { type: String, required: true, match: ID },
    name: { type: String, required: true, maxlength: 100 },
    aliases: { type: [String], default: [] },
    priceMinor: { type: Number, required: true, min: 0 },
  },
  { _id: false, strict: 'throw' },
);

const ModifierSchema = new Schema<CatalogModifier>(
  {
    id: { type: String, required: true, match: ID },
    name: { type: String, required: true, maxlength: 100 },
    aliases: { type: [String], default: [] },
    kind: { type: String, required: true, enum: ['add', 'remove'] },
    priceMinor: { type: Number, required: true, min: 0 },
  },
  { _id: false, strict: 'throw' },
);

const ItemSchema = new Schema<CatalogItem>(
  {
    id: { type: String, required: true, match: ID },
    categoryId: { type: String, required: true, match: ID },
    name: { type: String, required: true, maxlength: 100 },
    aliases: { type: [String], default: [] },
    description: { type: String, maxlength: 500 },
    available: { type: Boolean, default: true },
    newItem: { type: Boolean, default: false },
    popular: { type: Boolean, default: false },
    variants: { type: [VariantSchema], required: true },
    defaultVariantId: { type: String, match: ID },
    modifierIds: { type: [String], default: [] },
    maxModifiers: { type: Number, min: 0 },
  },
  { _id: false, strict: 'throw' },
);

export const CatalogSchema = new Schema<CatalogDoc>(
  {
    _id: { type: String, required: true, match: TENANT_ID },
    categories: { type: [CategorySchema], default: [] },
    items: { type: [ItemSchema], default: [] },
    modifiers: { type: [ModifierSchema], default: [] },
    rev: { type: Number, required: true, min: 1 },
    updatedAtMs: { type: Number, required: true },
  },
  { collection: 'catalogs', versionKey: false, strict: 'throw' },
);

export type CatalogModel = Model<CatalogDoc>;

export function catalogModel(connection: Connection): CatalogModel {
  return (
    (connection.models.Catalog as CatalogModel | undefined) ??
    connection.model<CatalogDoc>('Catalog', CatalogSchema)
  );
}
