import type { CatalogItemView, CatalogView } from '../../nlu/order/catalog-view.js';
import type { QuestionIntent } from '../../nlu/order/types.js';
import { itemNames, itemOf, sizeNames, spokenList } from './tasks-speech.js';

/**
 * Menu questions answered from the catalog. The answer is data for the flow: `answerKind` picks
 * the prompt (prompts/en-US/ordering.json `ordering.answer-<kind>`), the other slots fill it.
 */
export type AnswerKind =
  | 'list'
  | 'category'
  | 'sizes'
  | 'sizesAll'
  | 'price'
  | 'prices'
  | 'new'
  | 'noneNew'
  | 'cheapest'
  | 'popular'
  | 'hasYes'
  | 'hasNo'
  | 'hasUnknown'
  | 'unclear';

export interface Answer {
  answerKind: AnswerKind;
  answerItem: string;
  answerList: string;
  answerPrice: string;
}

type Money = (minor: number) => string;

function answer(kind: AnswerKind, parts: Partial<Omit<Answer, 'answerKind'>> = {}): Answer {
  return { answerKind: kind, answerItem: '', answerList: '', answerPrice: '', ...parts };
}

function available(view: CatalogView, categoryId?: string): CatalogItemView[] {
  return view.items.filter((i) => i.available && (!categoryId || i.categoryId === categoryId));
}

function categoryName(view: CatalogView, id: string | undefined): string {
  return view.categories.find((c) => c.id === id)?.name ?? '';
}

function cheapestPrice(item: CatalogItemView): number {
  return Math.min(...item.variants.map((v) => v.priceMinor));
}

/** Answers one menu question; `alternatives` gives available stand-ins for an item. */
export function answerQuestion(
  view: CatalogView,
  q: QuestionIntent,
  money: Money,
  alternatives: (item: CatalogItemView) => string[],
): Answer {
  switch (q.kind) {
    case 'list':
      return listAnswer(view, q.categoryId);
    case 'sizes':
      return sizesAnswer(view, q.itemId);
    case 'price':
      return priceAnswer(view, q.itemId, q.variantId, money);
    case 'new': {
      const ids = available(view)
        .filter((i) => i.isNew)
        .map((i) => i.id);
      return ids.length
        ? answer('new', { answerList: itemNames(view, ids, 'and') })
        : answer('noneNew');
    }
    case 'cheapest': {
      const items = available(view, q.categoryId);
      const best = items.sort((a, b) => cheapestPrice(a) - cheapestPrice(b))[0];
      if (!best) return answer('unclear');
      return answer('cheapest', { answerItem: best.name, answerPrice: money(cheapestPrice(best)) });
    }
    case 'popular': {
      const ids = available(view, q.categoryId)
        .filter((i) => i.popular)
        .map((i) => i.id);
      const list = ids.length ? ids : available(view, q.categoryId).map((i) => i.id);
      return answer('popular', { answerList: itemNames(view, list.slice(0, 3), 'and') });
    }
    case 'has':
      return hasAnswer(view, q.itemId, q.heard, alternatives);
  }
}

function listAnswer(view: CatalogView, categoryId?: string): Answer {
  if (categoryId) {
    const ids = available(view, categoryId).map((i) => i.id);
    return answer('category', {
      answerItem: categoryName(view, categoryId),
      answerList: itemNames(view, ids, 'and'),
    });
  }
  const cats = view.categories.filter((c) => available(view, c.id).length > 0);
  return answer('list', { answerList: spokenList(cats.map((c) => c.aliases[0] ?? c.name)) });
}

function sizesAnswer(view: CatalogView, itemId?: string): Answer {
  const item = itemId ? itemOf(view, itemId) : undefined;
  if (item) return answer('sizes', { answerItem: item.name, answerList: sizeNames(item, 'and') });
  const names: string[] = [];
  for (const i of available(view)) {
    if (i.variants.length < 2) continue;
    for (const v of i.variants) if (!names.includes(v.name)) names.push(v.name);
  }
  return names.length ? answer('sizesAll', { answerList: spokenList(names) }) : answer('unclear');
}

function priceAnswer(
  view: CatalogView,
  itemId: string | undefined,
  variantId: string | undefined,
  money: Money,
): Answer {
  const item = itemId ? itemOf(view, itemId) : undefined;
  if (!item) return answer('unclear');
  const variant =
    item.variants.find((v) => v.id === variantId) ??
    (item.variants.length === 1 ? item.variants[0] : undefined);
  if (variant) {
    const name = item.variants.length > 1 ? `${variant.name} ${item.name}` : item.name;
    return answer('price', { answerItem: name, answerPrice: money(variant.priceMinor) });
  }
  const list = item.variants.map((v) => `${v.name} ${money(v.priceMinor)}`);
  return answer('prices', { answerItem: item.name, answerList: spokenList(list) });
}

function hasAnswer(
  view: CatalogView,
  itemId: string | undefined,
  heard: string,
  alternatives: (item: CatalogItemView) => string[],
): Answer {
  const item = itemId ? itemOf(view, itemId) : undefined;
  if (!item) return answer('hasUnknown', { answerItem: heard });
  if (item.available) return answer('hasYes', { answerItem: item.name });
  return answer('hasNo', {
    answerItem: item.name,
    answerList: itemNames(view, alternatives(item).slice(0, 3)),
  });
}
