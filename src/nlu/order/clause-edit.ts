import { resolveVariant, scanOrder } from './clause-add.js';
import { matchAt, quantityAt } from './matcher.js';
import type { OrderIndex } from './order-index.js';
import type { LineTarget, ModifyIntent, ParseContext, RemoveIntent } from './types.js';
import { ORDINALS } from './words.js';

const PRONOUNS = new Set(['that', 'it', 'this', 'them', 'those', 'one']);

interface TargetRead {
  target: LineTarget;
  end: number;
  /** The item the target refers to, when known (for resolving a size). */
  itemId?: string;
  /** A quantity before the target's item ("remove one coke"). */
  quantity?: number;
}

/** The cart line a phrase at tokens[i] refers to: pronoun, ordinal, or an item name. */
export function readTarget(
  index: OrderIndex,
  tokens: readonly string[],
  i: number,
  ctx: ParseContext,
): TargetRead | undefined {
  let at = i;
  while (tokens[at] === 'the' || tokens[at] === 'my') at++;
  const t = tokens[at];
  if (t === undefined) return undefined;
  const cart = ctx.cart ?? [];
  const last = cart[cart.length - 1]?.itemId ?? ctx.lastItemRef;
  if (t === 'last' || t === 'other' || (t === 'number' && tokens[at + 1] !== undefined)) {
    const n = t === 'number' ? quantityAt(tokens, at + 1)?.value : undefined;
    const end = skipNoun(index, tokens, at + (n ? 2 : 1));
    if (n) return withItem({ target: { index: n - 1 }, end }, cart);
    return { target: 'last', end, ...(last ? { itemId: last } : {}) };
  }
  const ordinal = ORDINALS[t];
  if (ordinal !== undefined) {
    const cat = matchAt(index, tokens, at + 1, 'category');
    const end = skipNoun(index, tokens, at + 1);
    const idx =
      cat?.target.kind === 'category' ? nthInCategory(index, ctx, cat.target.id, ordinal) : ordinal;
    return withItem({ target: { index: idx }, end }, cart);
  }
  if (PRONOUNS.has(t) && !(t === 'one' && matchAt(index, tokens, at + 1, 'item'))) {
    const end = t !== 'one' && tokens[at + 1] === 'one' ? at + 2 : at + 1;
    return { target: 'last', end, ...(last ? { itemId: last } : {}) };
  }
  const q = quantityAt(tokens, at);
  const itemAt = q ? q.end : at;
  const item = matchAt(index, tokens, itemAt, 'item');
  if (item?.target.kind !== 'item') return undefined;
  const cat = matchAt(index, tokens, item.end, 'category');
  return {
    target: { itemId: item.target.id },
    end: cat ? cat.end : item.end,
    itemId: item.target.id,
    ...(q ? { quantity: q.value } : {}),
  };
}

/** After an ordinal: "one", a category word, or an item name. */
function skipNoun(index: OrderIndex, tokens: readonly string[], at: number): number {
  if (tokens[at] === 'one') return at + 1;
  const m = matchAt(index, tokens, at, 'category') ?? matchAt(index, tokens, at, 'item');
  return m ? m.end : at;
}

function withItem(read: TargetRead, cart: ParseContext['cart'] & object): TargetRead {
  const idx = typeof read.target === 'object' && 'index' in read.target ? read.target.index : -1;
  const itemId = cart[idx]?.itemId;
  return itemId ? { ...read, itemId } : read;
}

/** Cart index of the n-th (0-based) line whose item is in `categoryId`; n when not found. */
function nthInCategory(index: OrderIndex, ctx: ParseContext, categoryId: string, n: number) {
  const cart = ctx.cart ?? [];
  const positions = cart
    .map((line, i) => [i, index.items.get(line.itemId)?.categoryId] as const)
    .filter(([, c]) => c === categoryId)
    .map(([i]) => i);
  return positions[n] ?? n;
}

/** "make the second one medium", "change the pepperoni to large", "actually three". */
export function parseModify(
  index: OrderIndex,
  tokens: readonly string[],
  ctx: ParseContext,
): ModifyIntent | undefined {
  let at = 0;
  while (tokens[at] === 'actually' || tokens[at] === 'no' || tokens[at] === 'um') at++;
  if (['make', 'change', 'switch', 'swap', 'update'].includes(tokens[at] ?? '')) at++;
  const read = readTarget(index, tokens, at, ctx);
  const cart = ctx.cart ?? [];
  const targetItem = read?.itemId ?? cart[cart.length - 1]?.itemId ?? ctx.lastItemRef;
  at = read ? read.end : at;
  const setting = readSetting(index, tokens.slice(at), targetItem);
  if (!setting) return undefined;
  const { confidence, ...set } = setting;
  return { type: 'modify', target: read?.target ?? 'last', set, confidence };
}

/** The new quantity, size, item or modifiers of a line ("two large", "medium", "with olives"). */
function readSetting(index: OrderIndex, tokens: readonly string[], itemId: string | undefined) {
  const words = tokens.filter((t) => t !== 'a' && t !== 'an' && t !== 'to' && t !== 'into');
  const scan = scanOrder(index, words);
  const line = scan.intents.find((x) => x.type === 'add');
  const set: ModifyIntent['set'] & { confidence: number } = { confidence: 1 };
  if (line?.type === 'add') {
    if (line.itemId !== itemId) set.itemId = line.itemId;
    set.confidence = line.confidence;
    if (line.variantId && line.unknownSize === undefined) set.variantId = line.variantId;
    if (line.modifiers.add.length || line.modifiers.remove.length) set.modifiers = line.modifiers;
  }
  const q = words.map((_, i) => quantityAt(words, i)).find((x) => x !== undefined);
  if (q) set.quantity = q.value;
  const sizeAt = words.findIndex((_, i) => matchAt(index, words, i, 'size'));
  const size = sizeAt >= 0 ? matchAt(index, words, sizeAt, 'size') : undefined;
  if (size?.target.kind === 'size' && !set.variantId) {
    const variantId = itemId
      ? resolveVariant(index, set.itemId ?? itemId, size.target.key)
      : undefined;
    if (variantId) set.variantId = variantId;
    else set.size = size.target.key;
  }
  if (scan.looseModifiers) set.modifiers = scan.looseModifiers;
  const changed = Object.keys(set).length > 1;
  return changed ? set : undefined;
}

/** "remove the coke", "take off the garlic bread", "cancel the second one", "no coke". */
export function parseRemove(
  index: OrderIndex,
  tokens: readonly string[],
  ctx: ParseContext,
): RemoveIntent | undefined {
  let at = 0;
  const skip = new Set(['remove', 'delete', 'drop', 'cancel', 'scratch', 'lose', 'no', 'not']);
  const phrases = [
    ['take', 'off'],
    ['take', 'out'],
    ['take', 'away'],
    ['get', 'rid', 'of'],
    ['dont', 'want'],
    ['i', 'dont', 'want'],
    ['do', 'not', 'want'],
  ];
  for (;;) {
    const p = phrases.find((ph) => ph.every((w, k) => tokens[at + k] === w));
    if (p) at += p.length;
    else if (skip.has(tokens[at] ?? '') || tokens[at] === 'take') at++;
    else break;
  }
  const read = readTarget(index, tokens, at, ctx);
  if (!read) return undefined;
  const intent: RemoveIntent = { type: 'remove', target: read.target, confidence: 1 };
  if (read.quantity !== undefined && tokens[at] !== 'a' && tokens[at] !== 'an') {
    intent.quantity = read.quantity;
  }
  return intent;
}
