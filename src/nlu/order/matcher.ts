import { tokenSimilarity } from '../fuzzy.js';
import {
  type AliasEntry,
  type AliasTarget,
  FUZZY_THRESHOLD,
  fuzzyCandidates,
  type OrderIndex,
} from './order-index.js';
import { MAX_QUANTITY, QUANTITY_PHRASES, STOP_WORDS } from './words.js';

/** A catalog phrase found at tokens[start, end). `score` = mean token similarity in (0, 1]. */
export interface PhraseMatch {
  target: AliasTarget;
  start: number;
  end: number;
  score: number;
  /** Another target matched the same words equally well. */
  contested: boolean;
}

export type AliasKind = AliasTarget['kind'];

/** Two adjacent tokens heard for one catalog word ("pepper only" for "pepperoni"). */
const MIN_JOINED_LENGTH = 6;
const WORD = /^[a-z]+$/;
/** Two tokens that may be one catalog word split by the recognizer: content words only. */
const joinable = (a: string, b: string | undefined): b is string =>
  b !== undefined && WORD.test(a) && WORD.test(b) && !STOP_WORDS.has(a) && !STOP_WORDS.has(b);

const byKind = (index: OrderIndex, kind: AliasKind): ReadonlyMap<string, readonly AliasEntry[]> =>
  kind === 'item'
    ? index.itemsByFirst
    : kind === 'category'
      ? index.categoriesByFirst
      : kind === 'size'
        ? index.sizesByFirst
        : index.modifiersByFirst;

/** How well `word` of an alias matches at tokens[at]: one token, or two joined. */
function wordAt(tokens: readonly string[], at: number, word: string): [number, number] {
  const t = tokens[at];
  if (t === undefined) return [0, 0];
  if (t === word) return [1, 1];
  let best: [number, number] = [0, 0];
  if (!STOP_WORDS.has(t)) {
    const s = tokenSimilarity(t, word);
    if (s >= FUZZY_THRESHOLD) best = [s, 1];
  }
  const next = tokens[at + 1];
  if (joinable(t, next) && t.length + next.length >= MIN_JOINED_LENGTH && best[0] < 1) {
    const s = tokenSimilarity(t + next, word);
    if (s >= FUZZY_THRESHOLD && s > best[0]) best = [s, 2];
  }
  return best;
}

/** Remaining alias words after the first, matched from tokens[at]; undefined if any misses. */
function matchRest(tokens: readonly string[], at: number, rest: readonly string[]) {
  let pos = at;
  let sum = 0;
  for (const word of rest) {
    const [s, used] = wordAt(tokens, pos, word);
    if (used === 0) return undefined;
    sum += s;
    pos += used;
  }
  return { end: pos, sum };
}

/** First-word candidates at tokens[start]: [catalog word, similarity, tokens used]. */
function firstWords(index: OrderIndex, tokens: readonly string[], start: number) {
  const t = tokens[start]!;
  const out: Array<[string, number, number]> = [];
  if (STOP_WORDS.has(t)) {
    if (index.vocab.has(t)) out.push([t, 1, 1]);
  } else {
    for (const c of fuzzyCandidates(index, t)) out.push([c.token, c.similarity, 1]);
  }
  const next = tokens[start + 1];
  if (joinable(t, next) && t.length + next.length >= MIN_JOINED_LENGTH) {
    for (const c of fuzzyCandidates(index, t + next)) {
      if (c.similarity < 1) out.push([c.token, c.similarity, 2]);
      else out.push([c.token, 0.95, 2]); // "pepper oni": joined exactly, still a guess
    }
  }
  return out;
}

/**
 * The best catalog phrase of `kind` starting exactly at tokens[start]: most alias words matched
 * (weighted by similarity), then the higher mean similarity. Undefined when none matches.
 */
export function matchAt(
  index: OrderIndex,
  tokens: readonly string[],
  start: number,
  kind: AliasKind,
): PhraseMatch | undefined {
  if (start >= tokens.length) return undefined;
  const entries = byKind(index, kind);
  let best: PhraseMatch | undefined;
  let bestWeight = 0;
  for (const [word, sim, used] of firstWords(index, tokens, start)) {
    for (const entry of entries.get(word) ?? []) {
      const rest = matchRest(tokens, start + used, entry.tokens.slice(1));
      if (!rest) continue;
      const weight = sim + rest.sum;
      const score = weight / entry.tokens.length;
      if (!best || weight > bestWeight + 1e-9) {
        best = { target: entry.target, start, end: rest.end, score, contested: false };
        bestWeight = weight;
      } else if (Math.abs(weight - bestWeight) < 1e-9 && !sameTarget(best.target, entry.target)) {
        best.contested = best.end === rest.end || best.contested;
      }
    }
  }
  return best;
}

function sameTarget(a: AliasTarget, b: AliasTarget): boolean {
  return a.kind === b.kind && ('id' in a ? a.id : a.key) === ('id' in b ? b.id : b.key);
}

const QUANTITIES = QUANTITY_PHRASES.map(([p, n]) => [p.split(' '), n] as const);

/** A spoken or digit quantity at tokens[start] ("a couple of", "twelve", "3"). */
export function quantityAt(
  tokens: readonly string[],
  start: number,
): { value: number; end: number } | undefined {
  const t = tokens[start];
  if (t === undefined) return undefined;
  if (/^[0-9]+$/.test(t)) {
    const value = Number(t);
    return value >= 1 && value <= MAX_QUANTITY ? { value, end: start + 1 } : undefined;
  }
  for (const [words, value] of QUANTITIES) {
    if (words.every((w, i) => tokens[start + i] === w)) return { value, end: start + words.length };
  }
  return undefined;
}

/** Whether `phrase` (normalised words) occurs at tokens[start]. */
export function phraseAt(tokens: readonly string[], start: number, phrase: readonly string[]) {
  return phrase.length > 0 && phrase.every((w, i) => tokens[start + i] === w);
}

/** Every start of `phrase` in tokens. */
export function findPhrase(tokens: readonly string[], phrase: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + phrase.length <= tokens.length; i++) {
    if (phraseAt(tokens, i, phrase)) out.push(i);
  }
  return out;
}
