import { readFile } from 'node:fs/promises';
import type { SpeechGrammar } from '../../speech-grammar.js';
import { ProviderError } from '../../errors.js';
import {
  collect,
  JsgfSyntaxError,
  type Node,
  parseBody,
  serialize,
  simplifyAlts,
} from './pocketsphinx-jsgf.js';

/**
 * Hint phrases → a JSGF grammar for the pocketsphinx front end.
 *
 * The grammar accepts exactly one of the phrases, optionally preceded by one lead-in and
 * followed by one tail from small fixed lists ("i want to order please"). Every word must be in
 * the pronunciation dictionary: words that are not are dropped from their phrase, and a phrase
 * left with no words is skipped (both reported in `dropped` / `skipped`). The decoder starts
 * with an empty dictionary; the stream sends it the pronunciations of `words` first.
 */

/** Lead-ins callers put before the answer. Kept small: each one is another path for noise. */
export const LEAD_INS: readonly string[] = ['i want to', "i'd like to", 'i need', 'can i'];

/** Tails callers put after the answer. */
export const TAILS: readonly string[] = ['please'];

/** Phrases used when a dialog state expects nothing in particular (empty hints). */
export const DEFAULT_PHRASES: readonly string[] = [
  'yes',
  'no',
  'help',
  'repeat',
  'cancel',
  'goodbye',
  'operator',
  'agent',
  'representative',
  'talk to a person',
  'main menu',
];

export interface Grammar {
  /** JSGF source for the front end's 'G' message. */
  jsgf: string;
  /** The phrases the grammar accepts, normalized, in hint order, without duplicates. */
  phrases: string[];
  /** Every word that occurs in a phrase (confidence is computed over these, not fillers). */
  phraseWords: ReadonlySet<string>;
  /** Every word the grammar uses (phrases and fillers): the decoder needs their pronunciations. */
  words: string[];
  /** Hints that produced no usable phrase (every word outside the dictionary). */
  skipped: string[];
  /** Words removed from phrases because the dictionary does not have them. */
  dropped: string[];
}

/** Pronunciation dictionary: word → phone strings ("HH AH L OW"), the first one primary. */
export type Lexicon = ReadonlyMap<string, readonly string[]>;

/** Reads a pocketsphinx dictionary ("word PHONES" lines; "word(2) PHONES" = alternate). */
export async function loadLexicon(path: string): Promise<Map<string, string[]>> {
  const text = await readFile(path, 'utf8');
  const words = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^(\S+?)(?:\(\d+\))?\s+(\S.*?)\s*$/.exec(line);
    if (!m) continue;
    const word = m[1]!.toLowerCase();
    const prons = words.get(word);
    if (prons) prons.push(m[2]!);
    else words.set(word, [m[2]!]);
  }
  return words;
}

/** Dictionary lines for the front end's 'D' message (alternates as "word(2)"). */
export function dictionaryLines(words: Iterable<string>, lexicon: Lexicon): string {
  const lines: string[] = [];
  for (const w of words) {
    (lexicon.get(w) ?? []).forEach((phones, i) =>
      lines.push(`${i ? `${w}(${i + 1})` : w} ${phones}`),
    );
  }
  return lines.join('\n');
}

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** 0..999999 in words ("21" → "twenty one"); longer digit runs are read digit by digit. */
export function numberToWords(digits: string): string {
  const n = Number(digits);
  if (digits.length > 6 || !Number.isInteger(n)) {
    return [...digits].map((d) => ONES[Number(d)] ?? '').join(' ');
  }
  const below1000 = (x: number): string[] => {
    const out: string[] = [];
    if (x >= 100) out.push(ONES[Math.floor(x / 100)]!, 'hundred');
    const r = x % 100;
    if (r >= 20) out.push(TENS[Math.floor(r / 10)]!, ...(r % 10 ? [ONES[r % 10]!] : []));
    else if (r > 0 || x === 0) out.push(ONES[r]!);
    return out;
  };
  if (n < 1000) return below1000(n).join(' ');
  const rest = n % 1000;
  return [...below1000(Math.floor(n / 1000)), 'thousand', ...(rest ? below1000(rest) : [])].join(
    ' ',
  );
}

/**
 * Lowercase word tokens in dictionary spelling: accents removed, typographic apostrophes made
 * ASCII ("I’d" → "i'd"), "&" → "and", digit runs spelled out, other punctuation dropped. Hyphens
 * are kept inside a token (the dictionary has "e-mail"); `resolveWords` splits them if needed.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/&/g, ' and ')
    .replace(/\d+/g, (d) => ` ${numberToWords(d)} `)
    .replace(/[^a-z'\- ]+/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^['-]+|['-]+$/g, ''))
    .filter((w) => w.length > 0)
    .join(' ');
}

/** Dictionary words for a normalized phrase; unknown words go to `dropped`. */
function resolveWords(phrase: string, lexicon: Lexicon, dropped: string[]): string[] {
  const out: string[] = [];
  for (const token of phrase.split(' ')) {
    if (lexicon.has(token)) {
      out.push(token);
      continue;
    }
    for (const part of token.split('-').filter(Boolean)) {
      if (lexicon.has(part)) out.push(part);
      else dropped.push(part);
    }
  }
  return out;
}

/** JSGF alternatives; every token is a dictionary word ([a-z'-]), which JSGF accepts bare. */
function alternatives(phrases: readonly string[]): string {
  return phrases.map((p) => `( ${p} )`).join(' | ');
}

/**
 * Builds the grammar for `hints` (DEFAULT_PHRASES when `hints` has no usable phrase).
 * `fillers: false` leaves out the lead-ins and tails (for measurements).
 */
export function buildGrammar(
  hints: readonly string[],
  lexicon: Lexicon,
  opts: { fillers?: boolean } = {},
): Grammar {
  const dropped: string[] = [];
  const skipped: string[] = [];
  const phrases: string[] = [];
  for (const hint of hints) {
    const words = resolveWords(normalizeText(hint), lexicon, dropped);
    if (words.length === 0) skipped.push(hint);
    else if (!phrases.includes(words.join(' '))) phrases.push(words.join(' '));
  }
  if (phrases.length === 0) {
    for (const p of DEFAULT_PHRASES) {
      const words = resolveWords(p, lexicon, []);
      if (words.length) phrases.push(words.join(' '));
    }
  }
  const usable = (list: readonly string[]): string[] =>
    list.filter((p) => p.split(' ').every((w) => lexicon.has(w)));
  const leads = opts.fillers === false ? [] : usable(LEAD_INS);
  const tails = opts.fillers === false ? [] : usable(TAILS);
  const lines = ['#JSGF V1.0;', 'grammar ivr;'];
  const head = leads.length ? '[ <lead> ] ' : '';
  const tail = tails.length ? ' [ <tail> ]' : '';
  lines.push(`public <utterance> = ${head}<phrase>${tail};`);
  lines.push(`<phrase> = ${alternatives(phrases)};`);
  if (leads.length) lines.push(`<lead> = ${alternatives(leads)};`);
  if (tails.length) lines.push(`<tail> = ${alternatives(tails)};`);
  const phraseWords = new Set(phrases.flatMap((p) => p.split(' ')));
  const words = [...new Set([...phrases, ...leads, ...tails].flatMap((p) => p.split(' ')))];
  return { jsgf: `${lines.join('\n')}\n`, phrases, phraseWords, words, skipped, dropped };
}

/** Rules whose names start with this hold fillers: their words do not count for confidence. */
export const FILLER_RULE_PREFIX = 'filler';

/**
 * A structured SpeechGrammar → the same Grammar the stream uses. Words missing from the
 * dictionary are dropped (reported in `dropped`; see pocketsphinx-jsgf.ts for how emptied parts
 * and rules are removed); rules that fail entirely or are referenced but undefined are reported
 * in `skipped` as `<name>`. When the root fails, the grammar of DEFAULT_PHRASES is returned
 * (with those reports). `phrases` is empty (a structured grammar is not a phrase list);
 * `phraseWords` = the words of rules not named `filler…`. Throws ProviderError
 * (BAD_REQUEST) on a syntax error.
 */
export function buildStructuredGrammar(grammar: SpeechGrammar, lexicon: Lexicon): Grammar {
  const parsed = new Map<string, Node[][]>();
  try {
    for (const [name, body] of Object.entries(grammar.rules)) parsed.set(name, parseBody(body));
    parseBody(`<${grammar.root}>`);
  } catch (err) {
    if (!(err instanceof JsgfSyntaxError)) throw err;
    throw new ProviderError('pocketsphinx', false, 'invalid speech grammar', {
      code: 'BAD_REQUEST',
      cause: err,
    });
  }
  const dropped: string[] = [];
  const memo = new Map<string, string[]>();
  const resolve = (word: string): string[] => {
    let words = memo.get(word);
    if (!words) {
      words = resolveWords(normalizeText(word), lexicon, dropped);
      memo.set(word, words);
    }
    return words;
  };
  // Rules fail in dependency order: repeat until no further rule fails.
  const failed = new Set<string>([...collectRefs(parsed)].filter((r) => !parsed.has(r)));
  const skipped = [...failed].map((r) => `<${r}>`);
  const simplified = new Map<string, Node[][]>();
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, alts] of parsed) {
      if (failed.has(name)) continue;
      const s = simplifyAlts(alts, resolve, (r) => failed.has(r));
      if (s) simplified.set(name, s);
      else {
        failed.add(name);
        skipped.push(`<${name}>`);
        changed = true;
      }
    }
  }
  if (failed.has(grammar.root)) return { ...buildGrammar([], lexicon), skipped, dropped };
  return assembleStructured(grammar.root, simplified, failed, { skipped, dropped });
}

function collectRefs(parsed: ReadonlyMap<string, Node[][]>): Set<string> {
  const refs = new Set<string>();
  for (const alts of parsed.values()) collect(alts, new Set(), refs);
  return refs;
}

/** JSGF text of the rules reachable from `root`, root public and first. */
function assembleStructured(
  root: string,
  rules: ReadonlyMap<string, Node[][]>,
  failed: ReadonlySet<string>,
  report: { skipped: string[]; dropped: string[] },
): Grammar {
  const reachable = [root];
  const words = new Set<string>();
  const phraseWords = new Set<string>();
  for (let i = 0; i < reachable.length; i++) {
    const name = reachable[i]!;
    const refs = new Set<string>();
    const own = new Set<string>();
    collect(rules.get(name) ?? [], own, refs);
    for (const w of own) {
      words.add(w);
      if (!name.startsWith(FILLER_RULE_PREFIX)) phraseWords.add(w);
    }
    for (const r of refs) if (!failed.has(r) && !reachable.includes(r)) reachable.push(r);
  }
  const lines = ['#JSGF V1.0;', 'grammar ivr;'];
  for (const name of reachable) {
    const body = serialize(rules.get(name) ?? []);
    lines.push(`${name === root ? 'public ' : ''}<${name}> = ${body};`);
  }
  return {
    jsgf: `${lines.join('\n')}\n`,
    phrases: [],
    phraseWords,
    words: [...words],
    skipped: report.skipped,
    dropped: report.dropped,
  };
}
