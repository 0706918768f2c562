import { tokenize } from '../normalize.js';
import type { CatalogItemView } from './catalog-view.js';
import { bigrams, type OrderIndex } from './order-index.js';

/**
 * Similarity in [0, 1] of heard words to an item: the best Dice coefficient of character
 * bigrams against its name and aliases ("calzone" is nearer "cola" than "tiramisu"). O(bigrams).
 */
export function itemSimilarity(
  index: OrderIndex,
  heard: readonly string[],
  item: CatalogItemView,
): number {
  const grams = bigrams(heard);
  let best = 0;
  for (const name of index.itemGrams.get(item.id) ?? []) {
    let shared = 0;
    for (const g of grams) if (name.has(g)) shared++;
    best = Math.max(best, (2 * shared) / Math.max(grams.size + name.size, 1));
  }
  return best;
}

/** Rank: similarity, then popular, then catalog order (stable sort). */
function rank(candidates: CatalogItemView[], score: (i: CatalogItemView) => number): string[] {
  return candidates
    .map((item) => ({ item, s: score(item) + (item.popular ? 0.05 : 0) }))
    .sort((a, b) => b.s - a.s)
    .map((x) => x.item.id);
}

/**
 * Up to `n` available items to offer instead of an unavailable item (same category first, then
 * similar names) or instead of words that named nothing (`{ heard }`: most similar names).
 * Never includes the item itself. Pure.
 */
export function suggestAlternatives(
  index: OrderIndex,
  of: string | { heard: string },
  n: number,
): string[] {
  const available = index.view.items.filter((i) => i.available);
  if (typeof of !== 'string') {
    const heard = tokenize(of.heard);
    return rank(available, (i) => itemSimilarity(index, heard, i)).slice(0, n);
  }
  const item = index.items.get(of);
  if (!item) return rank(available, (i) => itemSimilarity(index, tokenize(of), i)).slice(0, n);
  const name = tokenize(item.name);
  const others = available.filter((i) => i.id !== item.id);
  return rank(
    others,
    (i) => (i.categoryId === item.categoryId ? 1 : 0) + itemSimilarity(index, name, i),
  ).slice(0, n);
}
