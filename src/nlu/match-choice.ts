import { parseSpokenDigits } from './digits.js';
import { tokenSimilarity } from './fuzzy.js';
import { tokenize } from './normalize.js';
import { impliedPhrases } from './yes-no.js';

/**
 * What the current state accepts. Structural, so the dialog's ExpectSpec (src/dialog/types.ts)
 * fits without nlu importing dialog.
 */
export interface ExpectSpec {
  readonly choices: readonly {
    readonly id: string;
    readonly phrases: readonly string[];
    readonly dtmf?: string;
  }[];
}

/** Which expected choice an input selects, with a match confidence in [0, 1]. */
export interface ChoiceMatch {
  choiceId: string;
  confidence: number;
}

/** Scores: the whole utterance is a phrase; a phrase inside a longer utterance; a spoken keypad digit. */
const SCORE_EXACT = 1;
const SCORE_EMBEDDED = 0.9;
const SCORE_SPOKEN_KEY = 0.9;
/** A fuzzy hit scores FUZZY_WEIGHT × mean token similarity: always below 0.6, so it gets confirmed. */
const FUZZY_WEIGHT = 0.6;
const FUZZY_MIN_SIMILARITY = 0.75;
/** When a different choice was also heard, the winner's confidence is scaled by this. */
const CONTESTED_FACTOR = 0.5;

interface Hit {
  choiceId: string;
  start: number;
  end: number;
  score: number;
}

/**
 * Match an utterance against the expected choices (their phrases, implied yes/no synonyms, and a
 * spoken keypad digit such as "three" for dtmf "3"). Returns undefined when nothing matched or
 * two different choices tie. Never returns an id that is not in `expect.choices`. Pure.
 */
export function matchChoice(text: string, expect: ExpectSpec): ChoiceMatch | undefined {
  const tokens = tokenize(text);
  if (tokens.length === 0) return undefined;
  const hits: Hit[] = [];
  for (const choice of expect.choices) {
    for (const phrase of [...choice.phrases, ...impliedPhrases(choice.id)]) {
      hits.push(...findPhrase(tokens, tokenize(phrase), choice.id));
    }
  }
  const key = spokenKey(text, expect);
  if (key) hits.push({ choiceId: key, start: 0, end: tokens.length, score: SCORE_SPOKEN_KEY });
  return decide(dropContained(hits));
}

/** A keypad choice selected by saying its digit ("three" → the choice with dtmf "3"). */
function spokenKey(text: string, expect: ExpectSpec): string | undefined {
  const digits = parseSpokenDigits(text);
  if (digits === undefined || digits.length !== 1) return undefined;
  return expect.choices.find((c) => c.dtmf === digits)?.id;
}

/** Every window of `tokens` that matches `phrase` token by token, exactly or fuzzily. */
function findPhrase(tokens: string[], phrase: string[], choiceId: string): Hit[] {
  const hits: Hit[] = [];
  if (phrase.length === 0 || phrase.length > tokens.length) return hits;
  for (let start = 0; start + phrase.length <= tokens.length; start++) {
    const sims = phrase.map((p, i) => tokenSimilarity(tokens[start + i] ?? '', p));
    if (sims.some((s) => s < FUZZY_MIN_SIMILARITY)) continue;
    const exact = sims.every((s) => s === 1);
    const whole = phrase.length === tokens.length;
    const mean = sims.reduce((a, b) => a + b, 0) / sims.length;
    const score = exact ? (whole ? SCORE_EXACT : SCORE_EMBEDDED) : FUZZY_WEIGHT * mean;
    hits.push({ choiceId, start, end: start + phrase.length, score });
  }
  return hits;
}

/**
 * Drops a hit when another choice's hit covers the same words and is longer ("correct" inside
 * "not correct") or scores higher over them (fuzzy "correct" under exact "incorrect").
 */
function dropContained(hits: Hit[]): Hit[] {
  const beats = (o: Hit, h: Hit): boolean =>
    o.choiceId !== h.choiceId &&
    o.start <= h.start &&
    o.end >= h.end &&
    (o.end - o.start > h.end - h.start || o.score > h.score);
  return hits.filter((h) => !hits.some((o) => beats(o, h)));
}

/** Best score per choice; a tie between choices is no match; a contested winner is discounted. */
function decide(hits: Hit[]): ChoiceMatch | undefined {
  const best = new Map<string, number>();
  for (const h of hits) best.set(h.choiceId, Math.max(best.get(h.choiceId) ?? 0, h.score));
  const ranked = [...best.entries()].sort((a, b) => b[1] - a[1]);
  const [first, second] = ranked;
  if (!first) return undefined;
  if (second && second[1] === first[1]) return undefined;
  const confidence = second ? first[1] * CONTESTED_FACTOR : first[1];
  return { choiceId: first[0], confidence };
}

/** The choice bound to a keypad digit, with confidence 1; undefined when no choice uses it. */
export function matchDtmf(digit: string, expect: ExpectSpec): ChoiceMatch | undefined {
  const choice = expect.choices.find((c) => c.dtmf === digit);
  return choice ? { choiceId: choice.id, confidence: 1 } : undefined;
}
