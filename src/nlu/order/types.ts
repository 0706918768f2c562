/**
 * Results of understanding one caller utterance while ordering. Plain JSON-serialisable data:
 * ids refer to the CatalogView the index was built from.
 */

/** A line already in the caller's cart, in cart order (what "the second one" counts over). */
export interface CartLineRef {
  itemId: string;
  variantId?: string;
  quantity: number;
}

export interface ParseContext {
  cart?: readonly CartLineRef[];
  /** The item the caller talked about last (what "it" and "that" mean when the cart is empty). */
  lastItemRef?: string;
}

/** Which cart line a correction or removal is about. `index` is 0-based into `ctx.cart`. */
export type LineTarget = 'last' | { index: number } | { itemId: string };

export interface ModifierChange {
  /** Modifier ids to add / to take off, in the order heard. */
  add: string[];
  remove: string[];
}

export interface AddIntent {
  type: 'add';
  itemId: string;
  variantId?: string;
  /** A size the caller named that this item does not come in (normalised words). */
  unknownSize?: string;
  quantity: number;
  modifiers: ModifierChange;
  /** 0..1: 1 for an exact name or alias, lower for fuzzy matches. */
  confidence: number;
  /** The words that named the item (normalised). */
  heard: string;
  /** False when the item is switched off today: offer suggestAlternatives(). */
  available: boolean;
}

export interface ModifyIntent {
  type: 'modify';
  target: LineTarget;
  set: {
    variantId?: string;
    /** The size heard when it could not be resolved to a variant of the target. */
    size?: string;
    quantity?: number;
    /** Replace the item ("change the pepperoni to a hawaiian"). */
    itemId?: string;
    modifiers?: ModifierChange;
  };
  confidence: number;
}

export interface RemoveIntent {
  type: 'remove';
  target: LineTarget;
  /** How many to take off; absent = the whole line. */
  quantity?: number;
  confidence: number;
}

export type QuestionIntent = { type: 'question'; confidence: number } & (
  | { kind: 'list'; categoryId?: string }
  | { kind: 'sizes'; itemId?: string }
  | { kind: 'price'; itemId?: string; variantId?: string }
  | { kind: 'new' }
  | { kind: 'cheapest'; categoryId?: string }
  | { kind: 'popular'; categoryId?: string }
  /** "do you have a hawaiian" */
  | { kind: 'has'; itemId?: string; heard: string }
);

export interface UnknownItemIntent {
  type: 'unknownItem';
  heard: string;
  /** Item ids, most similar first (available items only). */
  suggestions: string[];
}

export type CommandIntent = {
  type: 'done' | 'reorder' | 'startOver';
  confidence: number;
};

export type OrderIntent =
  AddIntent | ModifyIntent | RemoveIntent | QuestionIntent | UnknownItemIntent | CommandIntent;

export interface OrderParse {
  /** In the order the caller said them. Empty = nothing order-related understood. */
  intents: OrderIntent[];
  /** The normalised utterance the intents were read from. */
  text: string;
}
