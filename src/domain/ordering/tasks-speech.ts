import type { CatalogItemView, CatalogView } from '../../nlu/order/catalog-view.js';
import { NUMBER_WORDS } from '../../nlu/order/words.js';
import type { CartLine } from './types.js';

/**
 * Spoken forms of cart lines assembled from catalog names ("two large pepperoni pizzas"). These
 * are lists of catalog words, not dialog wording: every sentence around them lives in
 * prompts/<locale>/ordering.json and reaches the caller through slots.
 */

/** A cart line, or a pending one whose size is still being asked (no `variantId`). */
export type SpokenLine = Omit<CartLine, 'variantId'> & { variantId?: string };

export function quantityWord(n: number): string {
  return NUMBER_WORDS[n] ?? String(n);
}

/** "pizza" → "pizzas", "box" → "boxes", "berry" → "berries"; names already plural are kept. */
export function pluralize(name: string): string {
  const words = name.split(' ');
  const last = words.pop() ?? '';
  let plural: string;
  if (/(s|x|z|ch|sh)$/.test(last)) plural = last.endsWith('s') ? last : `${last}es`;
  else if (/[^aeiou]y$/.test(last)) plural = `${last.slice(0, -1)}ies`;
  else plural = `${last}s`;
  return [...words, plural].join(' ');
}

/** Joins spoken parts: "a", "a and b", "a, b and c" (or "or"). */
export function spokenList(parts: readonly string[], conjunction = 'and'): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} ${conjunction} ${parts[parts.length - 1]}`;
}

export function itemOf(view: CatalogView, itemId: string): CatalogItemView | undefined {
  return view.items.find((i) => i.id === itemId);
}

/** The size word to say for a line: only when the item comes in sizes and this is not its default. */
function sizeWord(item: CatalogItemView, variantId: string | undefined): string | undefined {
  if (item.variants.length < 2 || variantId === undefined) return undefined;
  if (variantId === item.defaultVariantId) return undefined;
  return item.variants.find((v) => v.id === variantId)?.name;
}

/** Names of a line's modifiers split into additions and removals ("onions" of kind remove). */
function modifierWords(item: CatalogItemView, ids: readonly string[]): [string[], string[]] {
  const adds: string[] = [];
  const removals: string[] = [];
  for (const id of ids) {
    const m = item.modifiers.find((x) => x.id === id) as
      (CatalogItemView['modifiers'][number] & { kind?: string }) | undefined;
    if (m) (m.kind === 'remove' ? removals : adds).push(m.name);
  }
  return [adds, removals];
}

/** "two large pepperoni pizzas with extra cheese, no onions"; an unknown item reads as "". */
export function describeLine(view: CatalogView, line: SpokenLine): string {
  const item = itemOf(view, line.itemId);
  if (!item) return '';
  const name = line.quantity === 1 ? item.name : pluralize(item.name);
  const size = sizeWord(item, line.variantId);
  const [adds, removals] = modifierWords(item, line.modifierIds);
  // Removals are named as said ("no onions"): "one large veggie pizza with olives, no onions".
  const head = [quantityWord(line.quantity), size, name].filter(Boolean).join(' ');
  const withAdds = adds.length > 0 ? `${head} with ${spokenList(adds)}` : head;
  return removals.length > 0 ? `${withAdds}, ${spokenList(removals)}` : withAdds;
}

/** Every line, spoken as one list ("two large pepperoni pizzas and one coke"). */
export function describeLines(view: CatalogView, lines: readonly SpokenLine[]): string {
  return spokenList(lines.map((l) => describeLine(view, l)).filter(Boolean));
}

/** Item names as a spoken list, e.g. for alternatives ("cheese pizza or veggie pizza"). */
export function itemNames(view: CatalogView, ids: readonly string[], conjunction = 'or'): string {
  return spokenList(
    ids.flatMap((id) => {
      const item = itemOf(view, id);
      return item ? [item.name] : [];
    }),
    conjunction,
  );
}

/** The sizes of an item as a spoken list ("small, medium or large"). */
export function sizeNames(item: CatalogItemView, conjunction = 'or'): string {
  return spokenList(
    item.variants.map((v) => v.name),
    conjunction,
  );
}
