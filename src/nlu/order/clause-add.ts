import { matchAt, type PhraseMatch, quantityAt } from './matcher.js';
import type { OrderIndex } from './order-index.js';
import { itemSimilarity, suggestAlternatives } from './suggest.js';
import type { AddIntent, ModifierChange, UnknownItemIntent } from './types.js';
import { MOD_ADD, MOD_REMOVE, ORDER_VERBS, STOP_WORDS } from './words.js';

/** Suggestions offered for an unknown item. */
const SUGGESTIONS = 3;
/** A fuzzy match's confidence is its mean similarity times this (exact = 1). */
const FUZZY_CONFIDENCE = 0.9;
/** Confidence factor when two catalog items matched the same words equally well. */
const CONTESTED_FACTOR = 0.6;
/** Words before "to" that make it a preposition, not a misheard "two". */
const TO_VERBS = new Set(['want', 'like', 'need', 'going', 'have', 'love', 'able', 'got']);

interface Draft {
  start: number;
  quantity?: number;
  size?: string;
  item?: PhraseMatch;
  category?: PhraseMatch;
  mods: ModifierChange;
  unknown: string[];
}

export interface ScanResult {
  intents: Array<AddIntent | UnknownItemIntent>;
  /** Modifiers heard with no item in this clause (they belong to the previous line). */
  looseModifiers?: ModifierChange;
  /** The polarity in effect at the end of the clause ("no onions and olives"). */
  modMode?: 'add' | 'remove';
}

const newDraft = (start: number): Draft => ({
  start,
  mods: { add: [], remove: [] },
  unknown: [],
});

/** "to"/"too"/"for" heard where a quantity belongs ("to large pepperoni pizzas"). */
function misheardQuantity(index: OrderIndex, tokens: readonly string[], i: number): number {
  const t = tokens[i];
  if (t !== 'to' && t !== 'too' && t !== 'for') return 0;
  const prev = tokens[i - 1];
  if (prev !== undefined && (TO_VERBS.has(prev) || t === 'for')) return 0;
  const next = i + 1;
  const followed = matchAt(index, tokens, next, 'size') ?? matchAt(index, tokens, next, 'item');
  if (!followed) return 0;
  return t === 'for' ? 4 : 2;
}

/**
 * Reads order lines left to right: [quantity] [size] item [category word] [size]
 * [with|no|extra … modifiers]. `modMode` carries the modifier polarity of a previous clause.
 */
export function scanOrder(
  index: OrderIndex,
  tokens: readonly string[],
  startMode?: 'add' | 'remove',
): ScanResult {
  const result: ScanResult = { intents: [] };
  const loose: ModifierChange = { add: [], remove: [] };
  let draft = newDraft(0);
  let modMode = startMode;
  const flush = (at: number): void => {
    const intent = finish(index, tokens, draft);
    if (intent) result.intents.push(intent);
    else {
      loose.add.push(...draft.mods.add);
      loose.remove.push(...draft.mods.remove);
    }
    draft = newDraft(at);
  };
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (modMode || MOD_ADD.has(t)) {
      const m = matchAt(index, tokens, i, 'modifier');
      if (m && m.target.kind === 'modifier') {
        draft.mods[modMode === 'remove' ? 'remove' : 'add'].push(m.target.id);
        i = m.end;
        continue;
      }
    }
    if (MOD_REMOVE.has(t) || MOD_ADD.has(t)) {
      modMode = MOD_REMOVE.has(t) ? 'remove' : 'add';
      i++;
      continue;
    }
    const sized = matchAt(index, tokens, i, 'size');
    const q = sized && sized.end > i + 1 ? undefined : quantityAt(tokens, i);
    const misheard = q ? 0 : misheardQuantity(index, tokens, i);
    if ((q || misheard) && !(t === 'one' && draft.quantity !== undefined && !draft.item)) {
      if (draft.item || draft.quantity !== undefined) flush(i);
      draft.quantity = q ? q.value : misheard;
      modMode = undefined;
      i = q ? q.end : i + 1;
      continue;
    }
    const next = readCatalogWord(index, tokens, i, draft);
    if (next === 'flush') {
      flush(i);
      continue;
    }
    if (next > i) {
      if (draft.item) modMode = undefined;
      i = next;
      continue;
    }
    if (!STOP_WORDS.has(t)) draft.unknown.push(t);
    i++;
  }
  flush(tokens.length);
  if (loose.add.length || loose.remove.length) result.looseModifiers = loose;
  if (modMode) result.modMode = modMode;
  return result;
}

/** Size, item or category word at tokens[i] into the draft: the next index, or 'flush'. */
function readCatalogWord(
  index: OrderIndex,
  tokens: readonly string[],
  i: number,
  draft: Draft,
): number | 'flush' {
  const size = matchAt(index, tokens, i, 'size');
  const item = matchAt(index, tokens, i, 'item');
  const sizeFirst = size && (!item || size.end >= item.end || (size.score >= 1 && item.score < 1));
  if (size && size.target.kind === 'size' && sizeFirst) {
    if (draft.item && draft.size !== undefined) return 'flush';
    draft.size = size.target.key;
    return size.end;
  }
  if (item) {
    if (draft.item) return 'flush';
    draft.item = item;
    const cat = matchAt(index, tokens, item.end, 'category');
    return cat ? cat.end : item.end;
  }
  const cat = matchAt(index, tokens, i, 'category');
  if (cat) {
    if (draft.item) return cat.end;
    draft.category = cat;
    return cat.end;
  }
  if (draft.item) {
    const mod = matchAt(index, tokens, i, 'modifier');
    if (mod && mod.target.kind === 'modifier') {
      draft.mods.add.push(mod.target.id);
      return mod.end;
    }
  }
  return i;
}

function finish(
  index: OrderIndex,
  tokens: readonly string[],
  d: Draft,
): AddIntent | UnknownItemIntent | undefined {
  if (d.item && d.item.target.kind === 'item')
    return toAdd(index, tokens, d, d.item, d.item.target.id);
  const orderish =
    d.quantity !== undefined || d.size !== undefined || tokens.some((t) => ORDER_VERBS.has(t));
  if (d.category && d.category.target.kind === 'category') {
    const categoryId = d.category.target.id;
    const inCategory = index.view.items.filter((i) => i.categoryId === categoryId && i.available);
    const heard = [...d.unknown, ...tokens.slice(d.category.start, d.category.end)];
    const score = new Map(
      inCategory.map((i) => [
        i.id,
        d.unknown.length ? itemSimilarity(index, heard, i) : Number(i.popular),
      ]),
    );
    const ranked = inCategory.sort((a, b) => score.get(b.id)! - score.get(a.id)!);
    return {
      type: 'unknownItem',
      heard: heard.join(' '),
      suggestions: ranked.slice(0, SUGGESTIONS).map((i) => i.id),
    };
  }
  if (d.unknown.length && orderish) {
    const heard = d.unknown.join(' ');
    return {
      type: 'unknownItem',
      heard,
      suggestions: suggestAlternatives(index, { heard }, SUGGESTIONS),
    };
  }
  return undefined;
}

function toAdd(
  index: OrderIndex,
  tokens: readonly string[],
  d: Draft,
  match: PhraseMatch,
  itemId: string,
): AddIntent {
  const item = index.items.get(itemId)!;
  const offered = new Set(item.modifiers.map((m) => m.id));
  const intent: AddIntent = {
    type: 'add',
    itemId: item.id,
    quantity: d.quantity ?? 1,
    modifiers: {
      add: d.mods.add.filter((m) => offered.has(m)),
      remove: d.mods.remove.filter((m) => offered.has(m)),
    },
    confidence: round(
      (match.score >= 1 ? 1 : FUZZY_CONFIDENCE * match.score) *
        (match.contested ? CONTESTED_FACTOR : 1),
    ),
    heard: tokens.slice(match.start, match.end).join(' '),
    available: item.available,
  };
  const variantId = resolveVariant(index, item.id, d.size);
  if (variantId) intent.variantId = variantId;
  else if (d.size !== undefined) intent.unknownSize = d.size;
  return intent;
}

/** A confidence rounded to 3 decimals (stable in logs and tests). */
export const round = (x: number): number => Math.round(x * 1000) / 1000;

/** The item's variant named by `size`; the only variant when the item has one. */
export function resolveVariant(
  index: OrderIndex,
  itemId: string,
  size: string | undefined,
): string | undefined {
  const item = index.items.get(itemId);
  if (!item) return undefined;
  if (size !== undefined) return index.variantsByItem.get(itemId)?.get(size);
  return item.variants.length === 1 ? item.variants[0]!.id : undefined;
}
