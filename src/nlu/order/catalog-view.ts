/**
 * The part of a tenant's catalog that understanding needs. Produced by domain/ from the stored
 * catalog (prices in integer minor units, e.g. cents); consumed by the order parser and the
 * grammar builder. Plain data: build once per catalog version and reuse across calls.
 */
export interface CatalogView {
  /** Changes whenever the catalog changes (cache key for indexes and grammars). */
  version: string;
  currency: string;
  categories: readonly CatalogCategoryView[];
  items: readonly CatalogItemView[];
}

export interface CatalogCategoryView {
  id: string;
  /** Spoken name, singular ("pizza"), and aliases ("pizzas", "pies"). */
  name: string;
  aliases: readonly string[];
}

export interface CatalogItemView {
  id: string;
  categoryId: string;
  /** Spoken name ("pepperoni pizza") and aliases ("pepperoni", "pepperonis"). */
  name: string;
  aliases: readonly string[];
  /** Switched off for the day: recognised, but not orderable (offer alternatives). */
  available: boolean;
  isNew: boolean;
  popular: boolean;
  /** At least one; a single variant means the item has no size choice. */
  variants: readonly CatalogVariantView[];
  /** Id of the variant used when the caller names none; absent = ask. */
  defaultVariantId?: string;
  modifiers: readonly CatalogModifierView[];
  /** Most modifiers a caller may add to one unit (e.g. 5 toppings). */
  maxModifiers?: number;
}

export interface CatalogVariantView {
  id: string;
  /** "large"; aliases ("big", "family size"). */
  name: string;
  aliases: readonly string[];
  priceMinor: number;
}

export interface CatalogModifierView {
  id: string;
  /** "extra cheese", aliases ("more cheese"); a removal is named "no onions". */
  name: string;
  /** `remove` takes a default ingredient off (priced 0); default `add`. */
  kind?: 'add' | 'remove';
  aliases: readonly string[];
  /** Price per unit of the item; 0 for removals. */
  priceMinor: number;
}
