import { NUMBER_WORDS } from './words.js';
import { tokenSimilarity } from '../fuzzy.js';
import { tokenize } from '../normalize.js';
import type { CatalogItemView, CatalogModifierView, CatalogView } from './catalog-view.js';

/** What a phrase of the catalog names. */
export type AliasTarget =
  | { kind: 'item'; id: string }
  | { kind: 'category'; id: string }
  | { kind: 'size'; key: string }
  | { kind: 'modifier'; id: string };

export interface AliasEntry {
  tokens: readonly string[];
  target: AliasTarget;
}

/**
 * Precomputed lookup structures for one CatalogView. Build once per `view.version` and share
 * across calls; parsing never mutates it except `fuzzyMemo`, a bounded cache of pure results.
 */
export interface OrderIndex {
  view: CatalogView;
  items: ReadonlyMap<string, CatalogItemView>;
  /** Character bigrams of each item's normalised name and aliases (for suggestions). */
  itemGrams: ReadonlyMap<string, readonly ReadonlySet<string>[]>;
  /** Every modifier by id (the first definition when items share an id). */
  modifiers: ReadonlyMap<string, CatalogModifierView>;
  /** Alias entries by their first token, per kind. */
  itemsByFirst: ReadonlyMap<string, readonly AliasEntry[]>;
  categoriesByFirst: ReadonlyMap<string, readonly AliasEntry[]>;
  sizesByFirst: ReadonlyMap<string, readonly AliasEntry[]>;
  modifiersByFirst: ReadonlyMap<string, readonly AliasEntry[]>;
  /** Size key (normalised variant name or alias) → variant id, per item. */
  variantsByItem: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Catalog tokens (fuzzy candidates) grouped by length. */
  vocabByLength: ReadonlyMap<number, readonly string[]>;
  vocab: ReadonlySet<string>;
  /** Alias token sequences that contain a clause word ("mac and cheese"): never split inside. */
  joinedAliases: readonly (readonly string[])[];
  fuzzyMemo: Map<string, readonly FuzzyCandidate[]>;
}

export interface FuzzyCandidate {
  token: string;
  similarity: number;
}

/** Per-token similarity a fuzzy match needs (see tokenSimilarity). */
export const FUZZY_THRESHOLD = 0.72;
const FUZZY_MEMO_LIMIT = 20000;
const CLAUSE_WORDS = new Set(['and', 'plus', 'also', 'then', 'with']);
/** Number words in catalog phrases also match as digits ("twelve inch" = "12 inch"). */
const NUMBER_DIGITS = new Map(NUMBER_WORDS.slice(1).map((w, k) => [w, String(k + 1)]));

export function buildOrderIndex(view: CatalogView): OrderIndex {
  const items = new Map(view.items.map((i) => [i.id, i]));
  const modifiers = new Map<string, CatalogModifierView>();
  const variantsByItem = new Map<string, Map<string, string>>();
  const entries: AliasEntry[] = [];
  const add = (phrase: string, target: AliasTarget): void => {
    const tokens = tokenize(phrase);
    if (tokens.length === 0) return;
    entries.push({ tokens, target });
    const digits = tokens.map((t) => NUMBER_DIGITS.get(t) ?? t);
    if (digits.some((t, k) => t !== tokens[k])) entries.push({ tokens: digits, target });
  };
  const categoryTokens = new Map<string, string[]>();
  for (const c of view.categories) {
    for (const p of [c.name, ...c.aliases]) add(p, { kind: 'category', id: c.id });
    categoryTokens.set(c.id, tokenize(c.name));
  }
  for (const item of view.items) {
    for (const p of itemPhrases(item, categoryTokens.get(item.categoryId) ?? []))
      add(p, { kind: 'item', id: item.id });
    const variants = new Map<string, string>();
    for (const v of item.variants) {
      for (const p of [v.name, ...v.aliases]) {
        const key = tokenize(p).join(' ');
        if (!key) continue;
        if (!variants.has(key)) variants.set(key, v.id);
        add(p, { kind: 'size', key });
      }
    }
    variantsByItem.set(item.id, variants);
    for (const m of item.modifiers) {
      if (!modifiers.has(m.id)) modifiers.set(m.id, m);
      for (const p of [m.name, ...m.aliases]) add(p, { kind: 'modifier', id: m.id });
    }
  }
  return assemble(view, items, modifiers, variantsByItem, dedupe(entries));
}

/** Name, aliases, and the name without its category word ("pepperoni pizza" → "pepperoni"). */
function itemPhrases(item: CatalogItemView, categoryTokens: string[]): string[] {
  const phrases = [item.name, ...item.aliases];
  const name = tokenize(item.name);
  const cat = categoryTokens.join(' ');
  if (cat && name.length > categoryTokens.length && name.join(' ').endsWith(` ${cat}`)) {
    phrases.push(name.slice(0, name.length - categoryTokens.length).join(' '));
  }
  return phrases;
}

function dedupe(entries: AliasEntry[]): AliasEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const key = `${e.target.kind}|${'id' in e.target ? e.target.id : e.target.key}|${e.tokens.join(' ')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function assemble(
  view: CatalogView,
  items: Map<string, CatalogItemView>,
  modifiers: Map<string, CatalogModifierView>,
  variantsByItem: Map<string, Map<string, string>>,
  entries: AliasEntry[],
): OrderIndex {
  const byKind = (kind: AliasTarget['kind']): Map<string, AliasEntry[]> => {
    const map = new Map<string, AliasEntry[]>();
    for (const e of entries.filter((x) => x.target.kind === kind)) {
      const first = e.tokens[0]!;
      const list = map.get(first);
      if (list) list.push(e);
      else map.set(first, [e]);
    }
    // Longest aliases first: the matcher keeps the first of equal scores.
    for (const list of map.values()) list.sort((a, b) => b.tokens.length - a.tokens.length);
    return map;
  };
  const vocab = new Set(entries.flatMap((e) => e.tokens));
  const vocabByLength = new Map<number, string[]>();
  for (const t of vocab) {
    const list = vocabByLength.get(t.length);
    if (list) list.push(t);
    else vocabByLength.set(t.length, [t]);
  }
  const joinedAliases = entries
    .filter((e) => e.tokens.length > 2 && e.tokens.slice(1, -1).some((t) => CLAUSE_WORDS.has(t)))
    .map((e) => e.tokens);
  const itemGrams = new Map(
    view.items.map((i) => [i.id, [i.name, ...i.aliases].map((p) => bigrams(tokenize(p)))] as const),
  );
  return {
    view,
    items,
    itemGrams,
    modifiers,
    itemsByFirst: byKind('item'),
    categoriesByFirst: byKind('category'),
    sizesByFirst: byKind('size'),
    modifiersByFirst: byKind('modifier'),
    variantsByItem,
    vocabByLength,
    vocab,
    joinedAliases,
    fuzzyMemo: new Map(),
  };
}

/**
 * Catalog tokens similar to `token` (similarity ≥ FUZZY_THRESHOLD), best first; the token itself
 * first when it is a catalog token. Tokens shorter than four letters only match exactly.
 */
export function fuzzyCandidates(index: OrderIndex, token: string): readonly FuzzyCandidate[] {
  const memo = index.fuzzyMemo.get(token);
  if (memo) return memo;
  const out: FuzzyCandidate[] = [];
  if (index.vocab.has(token)) out.push({ token, similarity: 1 });
  if (token.length >= 4) {
    const spread = Math.floor(token.length * (1 - FUZZY_THRESHOLD)) + 1;
    for (let len = token.length - spread; len <= token.length + spread; len++) {
      for (const cand of index.vocabByLength.get(len) ?? []) {
        if (cand === token) continue;
        const similarity = tokenSimilarity(token, cand);
        if (similarity >= FUZZY_THRESHOLD) out.push({ token: cand, similarity });
      }
    }
    out.sort((a, b) => b.similarity - a.similarity);
  }
  if (index.fuzzyMemo.size >= FUZZY_MEMO_LIMIT) index.fuzzyMemo.clear();
  index.fuzzyMemo.set(token, out);
  return out;
}

/** Character bigrams of words, each word padded with spaces ("coke" → " c", "co", …, "e "). */
export function bigrams(words: readonly string[]): Set<string> {
  const grams = new Set<string>();
  for (const w of words) {
    const padded = ` ${w} `;
    for (let i = 0; i + 1 < padded.length; i++) grams.add(padded.slice(i, i + 2));
  }
  return grams;
}
