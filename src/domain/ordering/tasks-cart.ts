import type { CatalogItemView, CatalogView } from '../../nlu/order/catalog-view.js';
import type {
  AddIntent,
  CartLineRef,
  LineTarget,
  ModifierChange,
  ModifyIntent,
  OrderIntent,
  RemoveIntent,
} from '../../nlu/order/types.js';
import { itemOf, type SpokenLine } from './tasks-speech.js';
import type { CartLine } from './types.js';

/**
 * Applying understood intents to the cart the dialog carries in its `cart` slot. Pure: no I/O.
 * Nothing uncertain, unavailable or unknown is ever added here; such requests come back as the
 * turn's `problem` for the flow to confirm or offer alternatives first.
 */

/** Why part of a turn was not applied (only the first one is reported). */
export type TurnProblem =
  /** Matches below the confidence threshold: confirm them before adding. */
  | { kind: 'confirm'; lines: SpokenLine[] }
  /** Unavailable or unknown: `suggestions` (item ids) may be offered, `requested` is what was heard. */
  | { kind: 'unavailable'; requested: string; suggestions: string[]; like?: SpokenLine }
  /** The item comes in several sizes and none was named (or the named one does not exist). */
  | { kind: 'needSize'; line: SpokenLine }
  /** A correction or removal about a line the cart does not have. */
  | { kind: 'noLine' };

export interface TurnResult {
  cart: CartLine[];
  added: CartLine[];
  removed: SpokenLine[];
  updated: CartLine[];
  problem?: TurnProblem;
}

export interface ApplyOptions {
  /** Confirm adds whose confidence × recognizer confidence is below this. */
  confirmBelow: number;
  /** The recognizer's share of confidence, 0..1 (1 for text that was not heard). */
  asrConfidence: number;
  /** Available alternatives to an item (ids, best first). */
  alternatives(item: CatalogItemView): string[];
}

/** The cart in the dialog slot: JSON of CartLine[]; anything malformed reads as empty. */
export function decodeLines(json: unknown): SpokenLine[] {
  if (typeof json !== 'string' || json === '') return [];
  try {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(isLine).map((l) => ({ ...l, modifierIds: [...l.modifierIds] }));
  } catch {
    return [];
  }
}

function isLine(v: unknown): v is SpokenLine {
  const l = v as Partial<SpokenLine> | null;
  return (
    typeof l?.itemId === 'string' &&
    typeof l.quantity === 'number' &&
    Array.isArray(l.modifierIds) &&
    (l.variantId === undefined || typeof l.variantId === 'string')
  );
}

export function completeLines(lines: readonly SpokenLine[]): CartLine[] {
  return lines.filter((l): l is CartLine => l.variantId !== undefined);
}

export function encodeLines(lines: readonly SpokenLine[]): string {
  return lines.length === 0 ? '' : JSON.stringify(lines);
}

export function refsOf(cart: readonly CartLine[]): CartLineRef[] {
  return cart.map((l) => ({ itemId: l.itemId, variantId: l.variantId, quantity: l.quantity }));
}

/** Adds `line`, merging into an identical line (same item, size and modifiers). */
export function addLine(cart: CartLine[], line: CartLine): CartLine[] {
  const key = (l: CartLine) => `${l.itemId}|${l.variantId}|${[...l.modifierIds].sort().join(',')}`;
  const same = cart.findIndex((l) => key(l) === key(line));
  if (same < 0) return [...cart, line];
  return cart.map((l, i) => (i === same ? { ...l, quantity: l.quantity + line.quantity } : l));
}

/** The size to use: named, else the item's default, else its only one; undefined = ask. */
export function variantFor(item: CatalogItemView, named?: string): string | undefined {
  if (named !== undefined && item.variants.some((v) => v.id === named)) return named;
  if (item.defaultVariantId !== undefined) return item.defaultVariantId;
  return item.variants.length === 1 ? item.variants[0]?.id : undefined;
}

/** A line for `item` shaped like `like` (same size name when the item has it, same quantity). */
export function lineLike(view: CatalogView, item: CatalogItemView, like?: SpokenLine): SpokenLine {
  const likeItem = like ? itemOf(view, like.itemId) : undefined;
  const sizeName = likeItem?.variants.find((v) => v.id === like?.variantId)?.name;
  const sameSize = item.variants.find((v) => v.name === sizeName)?.id;
  const variantId = sameSize ?? variantFor(item) ?? item.variants[0]?.id;
  return {
    itemId: item.id,
    quantity: like?.quantity ?? 1,
    modifierIds: [],
    ...(variantId !== undefined ? { variantId } : {}),
  };
}

/** A removable default ingredient ("onions"): on a line it means "without". */
export function isRemoval(item: CatalogItemView, id: string): boolean {
  const m = item.modifiers.find((x) => x.id === id) as { kind?: string } | undefined;
  return m?.kind === 'remove';
}

/**
 * Modifier ids for a line: everything named to add (toppings, and removals like "no onions"),
 * plus, for an ingredient named to take off, the item's removal of it (a removal modifier whose
 * name contains the ingredient's name).
 */
function modifiersFor(item: CatalogItemView, change: ModifierChange): string[] {
  const byId = (id: string) => item.modifiers.find((m) => m.id === id);
  const ids = change.add.filter((id) => byId(id) !== undefined);
  for (const id of change.remove) {
    const m = byId(id);
    if (!m) continue;
    if (isRemoval(item, id)) ids.push(id);
    else {
      const removal = item.modifiers.find((r) => isRemoval(item, r.id) && r.name.includes(m.name));
      if (removal) ids.push(removal.id);
    }
  }
  return [...new Set(ids)];
}

/** Applies one turn's add/modify/remove/unknown intents in the order heard. */
export function applyIntents(
  view: CatalogView,
  start: readonly CartLine[],
  intents: readonly OrderIntent[],
  o: ApplyOptions,
): TurnResult {
  const r: TurnResult = { cart: [...start], added: [], removed: [], updated: [] };
  const uncertain: SpokenLine[] = [];
  const flag = (p: TurnProblem) => (r.problem ??= p);
  for (const intent of intents) {
    if (intent.type === 'add') applyAdd(view, r, intent, o, uncertain, flag);
    else if (intent.type === 'modify') applyModify(view, r, intent, flag);
    else if (intent.type === 'remove') applyRemove(r, intent, flag);
    else if (intent.type === 'unknownItem') {
      flag({ kind: 'unavailable', requested: intent.heard, suggestions: intent.suggestions });
    }
  }
  if (uncertain.length > 0 && r.problem?.kind !== 'confirm') {
    // Confirmation comes first: it is about what the caller just said.
    r.problem = { kind: 'confirm', lines: uncertain };
  }
  return r;
}

function applyAdd(
  view: CatalogView,
  r: TurnResult,
  a: AddIntent,
  o: ApplyOptions,
  uncertain: SpokenLine[],
  flag: (p: TurnProblem) => void,
): void {
  const item = itemOf(view, a.itemId);
  if (!item) return;
  // A size word the item doesn't have means "ask" — unless there is only one size to have.
  const askSize = a.unknownSize !== undefined && item.variants.length > 1;
  const variantId = askSize ? undefined : variantFor(item, a.variantId);
  const line: SpokenLine = {
    itemId: item.id,
    quantity: Math.max(1, Math.round(a.quantity)),
    modifierIds: modifiersFor(item, a.modifiers),
    ...(variantId !== undefined ? { variantId } : {}),
  };
  if (!a.available || !item.available) {
    flag({
      kind: 'unavailable',
      requested: item.name,
      suggestions: o.alternatives(item),
      like: line,
    });
    return;
  }
  if (a.confidence * o.asrConfidence < o.confirmBelow) {
    uncertain.push(line);
    return;
  }
  if (line.variantId === undefined) {
    flag({ kind: 'needSize', line });
    return;
  }
  const complete = line as CartLine;
  r.cart = addLine(r.cart, complete);
  r.added.push(complete);
}

/** Index of the cart line a correction is about, or -1. */
export function targetIndex(cart: readonly CartLine[], t: LineTarget): number {
  if (t === 'last') return cart.length - 1;
  if ('index' in t) return t.index >= 0 && t.index < cart.length ? t.index : -1;
  for (let i = cart.length - 1; i >= 0; i--) if (cart[i]?.itemId === t.itemId) return i;
  return -1;
}

function applyModify(
  view: CatalogView,
  r: TurnResult,
  m: ModifyIntent,
  flag: (p: TurnProblem) => void,
): void {
  const i = targetIndex(r.cart, m.target);
  const line = r.cart[i];
  if (typeof m.target === 'object' && 'index' in m.target && !fitsSize(view, line, m.set)) {
    // "make the second one medium" about the second of "two large pepperoni pizzas".
    const split = resizeUnit(view, r.cart, m.target.index, m.set);
    if (split) {
      r.cart = split.cart;
      r.updated.push(split.line);
      return;
    }
  }
  if (!line) return void flag({ kind: 'noLine' });
  let next: CartLine = { ...line, modifierIds: [...line.modifierIds] };
  const newItem = m.set.itemId !== undefined ? itemOf(view, m.set.itemId) : undefined;
  if (newItem) {
    const shaped = lineLike(view, newItem, line);
    if (!newItem.available || shaped.variantId === undefined) {
      flag({ kind: 'unavailable', requested: newItem.name, suggestions: [], like: line });
      return;
    }
    next = { ...next, itemId: newItem.id, variantId: shaped.variantId, modifierIds: [] };
  }
  const item = itemOf(view, next.itemId);
  if (!item) return;
  if (m.set.variantId !== undefined && item.variants.some((v) => v.id === m.set.variantId)) {
    next.variantId = m.set.variantId;
  } else if (m.set.size !== undefined) {
    return void flag({ kind: 'needSize', line: { ...next, variantId: undefined } });
  }
  if (m.set.quantity !== undefined && m.set.quantity >= 1) next.quantity = m.set.quantity;
  if (m.set.modifiers) {
    // "no extra cheese" takes an addition off; "no onions" adds the removal.
    const change = m.set.modifiers;
    const drop = new Set(change.remove.filter((id) => !isRemoval(item, id)));
    const kept = next.modifierIds.filter((id) => !drop.has(id));
    next.modifierIds = [...new Set([...kept, ...modifiersFor(item, change)])];
  }
  r.cart = r.cart.map((l, j) => (j === i ? next : l));
  r.updated.push(next);
}

/** The variant of `item` that a size change names (a variant id, or a heard size word). */
function sizeOf(item: CatalogItemView, set: ModifyIntent['set']): string | undefined {
  if (set.variantId !== undefined && item.variants.some((v) => v.id === set.variantId)) {
    return set.variantId;
  }
  const heard = set.size?.toLowerCase().trim();
  if (!heard) return undefined;
  return item.variants.find((v) => v.name === heard || v.aliases.includes(heard))?.id;
}

/** True unless the change is a size change that the line's item does not come in. */
function fitsSize(
  view: CatalogView,
  line: CartLine | undefined,
  set: ModifyIntent['set'],
): boolean {
  if (set.size === undefined && set.variantId === undefined) return line !== undefined;
  const item = line ? itemOf(view, line.itemId) : undefined;
  return item !== undefined && sizeOf(item, set) !== undefined;
}

/**
 * A size change of one unit counted across lines (units 0-based, in cart order): that unit is
 * split off its line with the new size. Undefined when no such unit or it has no such size.
 */
function resizeUnit(
  view: CatalogView,
  cart: readonly CartLine[],
  unit: number,
  set: ModifyIntent['set'],
): { cart: CartLine[]; line: CartLine } | undefined {
  let before = 0;
  for (let j = 0; j < cart.length; j++) {
    const line = cart[j]!;
    if (unit >= before + line.quantity) {
      before += line.quantity;
      continue;
    }
    const item = itemOf(view, line.itemId);
    const variantId = item ? sizeOf(item, set) : undefined;
    if (!variantId || variantId === line.variantId) return undefined;
    const changed: CartLine = {
      ...line,
      quantity: 1,
      variantId,
      modifierIds: [...line.modifierIds],
    };
    const rest = line.quantity > 1 ? [{ ...line, quantity: line.quantity - 1 }] : [];
    return { cart: [...cart.slice(0, j), ...rest, changed, ...cart.slice(j + 1)], line: changed };
  }
  return undefined;
}

function applyRemove(r: TurnResult, m: RemoveIntent, flag: (p: TurnProblem) => void): void {
  const i = targetIndex(r.cart, m.target);
  const line = r.cart[i];
  if (!line) return void flag({ kind: 'noLine' });
  const take = m.quantity !== undefined ? Math.min(m.quantity, line.quantity) : line.quantity;
  r.removed.push({ ...line, quantity: take });
  r.cart =
    take >= line.quantity
      ? r.cart.filter((_, j) => j !== i)
      : r.cart.map((l, j) => (j === i ? { ...l, quantity: l.quantity - take } : l));
}
