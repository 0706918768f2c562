import { resolveVariant, round } from './clause-add.js';
import { findPhrase, matchAt, type PhraseMatch } from './matcher.js';
import type { OrderIndex } from './order-index.js';
import type { QuestionIntent } from './types.js';
import { QUESTION_STARTS, STOP_WORDS } from './words.js';

const has = (tokens: readonly string[], phrase: string): boolean =>
  findPhrase(tokens, phrase.split(' ')).length > 0;
const hasAny = (tokens: readonly string[], phrases: readonly string[]): boolean =>
  phrases.some((p) => has(tokens, p));

const CHEAP = ['cheap', 'cheapest', 'cheaper', 'inexpensive', 'least expensive', 'lowest price'];
const PRICE = ['how much', 'price', 'cost', 'costs'];
const POPULAR = ['popular', 'recommend', 'best', 'favorite', 'favourite', 'bestseller', 'good'];
const NEW = ['new', 'special', 'newest'];
const LIST = ['menu', 'kind of', 'type of', 'kinds of', 'types of', 'option', 'choice', 'have'];

/** Question words that open a clause ("what", "how much", "do you have", "any specials"). */
export function looksLikeQuestion(tokens: readonly string[]): boolean {
  const first = tokens[0];
  if (first === undefined || !QUESTION_STARTS.has(first)) return false;
  if (first === 'do' || first === 'does' || first === 'is' || first === 'are') {
    return hasAny(tokens, ['you have', 'you got', 'there', 'it come', 'come in', 'you sell']);
  }
  return true;
}

/** The first catalog phrase of `kind` in tokens. */
function find(index: OrderIndex, tokens: readonly string[], kind: 'item' | 'category' | 'size') {
  for (let i = 0; i < tokens.length; i++) {
    const m = matchAt(index, tokens, i, kind);
    if (m) return m;
  }
  return undefined;
}

const idOf = (m: PhraseMatch | undefined): string | undefined =>
  m && 'id' in m.target ? m.target.id : undefined;

/** Classifies a question clause. Undefined when it is not about the menu. */
export function parseQuestion(
  index: OrderIndex,
  tokens: readonly string[],
): QuestionIntent | undefined {
  const item = find(index, tokens, 'item');
  const itemId = idOf(item);
  const categoryId = idOf(find(index, tokens, 'category'));
  const opt = <K extends string>(k: K, v: string | undefined) =>
    (v === undefined ? {} : { [k]: v }) as Partial<Record<K, string>>;
  const confidence = item && item.score < 1 ? round(0.9 * item.score) : 1;
  if (hasAny(tokens, CHEAP)) {
    return { type: 'question', kind: 'cheapest', confidence, ...opt('categoryId', categoryId) };
  }
  if (hasAny(tokens, PRICE)) {
    const size = find(index, tokens, 'size');
    const variantId =
      itemId && size?.target.kind === 'size'
        ? resolveVariant(index, itemId, size.target.key)
        : itemId
          ? resolveVariant(index, itemId, undefined)
          : undefined;
    return {
      type: 'question',
      kind: 'price',
      confidence,
      ...opt('itemId', itemId),
      ...opt('variantId', variantId),
    };
  }
  if (hasAny(tokens, ['size', 'how big', 'what size'])) {
    return { type: 'question', kind: 'sizes', confidence, ...opt('itemId', itemId) };
  }
  if (hasAny(tokens, NEW)) return { type: 'question', kind: 'new', confidence: 1 };
  if (hasAny(tokens, POPULAR)) {
    return { type: 'question', kind: 'popular', confidence, ...opt('categoryId', categoryId) };
  }
  if (item && hasAny(tokens, ['have', 'got', 'sell', 'is there', 'any'])) {
    const heard = tokens.slice(item.start, item.end).join(' ');
    return { type: 'question', kind: 'has', confidence, heard, ...opt('itemId', itemId) };
  }
  if (categoryId || hasAny(tokens, LIST)) {
    if (!categoryId && !item) {
      const content = tokens.filter((t) => !STOP_WORDS.has(t) && !LIST.includes(t));
      if (content.length && has(tokens, 'you have') && !has(tokens, 'what')) {
        return { type: 'question', kind: 'has', confidence: 1, heard: content.join(' ') };
      }
    }
    return { type: 'question', kind: 'list', confidence: 1, ...opt('categoryId', categoryId) };
  }
  return undefined;
}
