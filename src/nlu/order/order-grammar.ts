import { NUMBER_WORDS } from './words.js';
import type { SpeechGrammar } from '../../speech-grammar.js';
import type { CatalogView } from './catalog-view.js';
import { ORDINALS, QUANTITY_PHRASES } from './words.js';

/**
 * Speech expectations while a caller orders: keyterms for cloud recognizers and a structured
 * grammar for the offline one. Both are pure functions of the view: cache them by view.version.
 */

/** Most keyterms returned by orderPhrases (cloud keyterm lists are capped). */
export const MAX_ORDER_PHRASES = 100;

const COMMAND_KEYTERMS = [
  "that's all",
  "that's it",
  'nothing else',
  'make that',
  'remove',
  'take off',
  'start over',
  'same as last time',
  'my usual',
  'how much',
  'what sizes',
];

const ONES = NUMBER_WORDS.slice(0, 20);
const TENS = 'x x twenty thirty forty fifty sixty seventy eighty ninety'.split(' ');

function numberWords(digits: string): string {
  const n = Number(digits);
  if (digits.length > 2) return [...digits].map((d) => ONES[Number(d)]).join(' ');
  if (n < 20) return ONES[n]!;
  return [TENS[Math.floor(n / 10)]!, ...(n % 10 ? [ONES[n % 10]!] : [])].join(' ');
}

/** Dictionary spelling of a catalog phrase: lowercase words [a-z'-], numbers spelled out. */
export function spokenWords(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2018\u2019`´]/g, "'")
    .replace(/&/g, ' and ')
    .replace(/\d+/g, (d) => ` ${numberWords(d)} `)
    .replace(/[^a-z' -]+/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^['-]+|['-]+$/g, ''))
    .filter((w) => w.length > 0)
    .join(' ');
}

function dedupe(list: readonly string[]): string[] {
  return [...new Set(list.map(spokenWords).filter((p) => p.length > 0))];
}

/**
 * Keyterms for cloud STT, most useful first: item names (popular first), sizes, modifiers,
 * categories, ordering commands, then item aliases. Deduplicated, at most `max`.
 */
export function orderPhrases(view: CatalogView, max = MAX_ORDER_PHRASES): string[] {
  const items = [...view.items].sort((a, b) => Number(b.popular) - Number(a.popular));
  const all = [
    ...items.map((i) => i.name),
    ...view.items.flatMap((i) => i.variants.map((v) => v.name)),
    ...view.items.flatMap((i) => i.modifiers.map((m) => m.name)),
    ...view.categories.map((c) => c.name),
    ...COMMAND_KEYTERMS,
    ...items.flatMap((i) => i.aliases),
  ];
  return dedupe(all).slice(0, max);
}

/** Plural spelling of a phrase's last word ("pizza" → "pizzas"), or undefined. */
function plural(phrase: string, has: (w: string) => boolean): string | undefined {
  const words = phrase.split(' ');
  const last = words[words.length - 1]!;
  if (last.endsWith('s')) return undefined;
  const forms = [`${last}s`, `${last}es`, last.endsWith('y') ? `${last.slice(0, -1)}ies` : ''];
  const form = forms.find((f) => f && has(f));
  return form ? [...words.slice(0, -1), form].join(' ') : undefined;
}

/** JSGF alternatives over phrases whose every word the recognizer knows. */
function alternatives(phrases: readonly string[], has: (w: string) => boolean): string {
  const usable = dedupe(phrases).filter((p) => p.split(' ').every(has));
  return usable.length ? usable.map((p) => `( ${p} )`).join(' | ') : '';
}

function catalogRules(view: CatalogView, has: (w: string) => boolean): Record<string, string> {
  const itemPhrases = view.items.flatMap((i) => {
    const category = view.categories.find((c) => c.id === i.categoryId);
    const short = category
      ? spokenWords(i.name).replace(new RegExp(` ${spokenWords(category.name)}$`), '')
      : '';
    return [i.name, ...i.aliases, short].map(spokenWords).filter(Boolean);
  });
  // Plurals of full names and one-word aliases only ("pepperoni pizzas", "cokes").
  const names = new Set(view.items.map((i) => spokenWords(i.name)));
  const withPlurals = itemPhrases
    .flatMap((p) => [p, names.has(p) || !p.includes(' ') ? (plural(p, has) ?? '') : ''])
    .filter(Boolean);
  const categories = view.categories.flatMap((c) => [c.name, ...c.aliases]);
  return {
    item: alternatives(withPlurals, has),
    size: alternatives(
      view.items.flatMap((i) => i.variants.flatMap((v) => [v.name, ...v.aliases])),
      has,
    ),
    mod: alternatives(
      view.items.flatMap((i) => i.modifiers.flatMap((m) => [m.name, ...m.aliases])),
      has,
    ),
    category: alternatives(
      categories.flatMap((c) => [c, plural(spokenWords(c), has) ?? '']).filter(Boolean),
      has,
    ),
  };
}

/**
 * Kept small on purpose: each rule reference is expanded into its own copy when pocketsphinx
 * compiles the grammar, and its decoding cost grows with the word ends active per frame. `<item>`
 * is referenced three times outside `<line>`; corrections and removals share one `<target>`;
 * the lead-ins are multi-word (single-word fillers such as "okay" soak up noise as false
 * matches). Measured on the demo menu: see ORDER_DECODER_ARGS in stt/providers/pocketsphinx.ts.
 */
const FIXED_RULES: Record<string, string> = {
  fillerLead:
    "( i'd like ) | ( can i get ) | ( can i have ) | ( give me ) | ( i want ) | ( i'll have ) | ( i'll take )",
  fillerTail: '( please ) | ( thank you ) | ( thanks )',
  order: '<line> ( and <line> )*',
  line: '[ <qty> ] [ <size> ] <item> [ <mods> ]',
  mods: '( with | without | no ) <mod> [ and <mod> ]',
  target: '( that ) | ( it ) | ( the ( <ordinal> | <item> ) [ one ] )',
  setting: '<qty> | <size> | ( <qty> <size> )',
  edit: '( ( make | change ) <target> [ to ] <setting> ) | ( ( remove | ( take off ) | cancel ) <target> ) | ( actually <setting> )',
  question:
    "( what ( <category> | sizes ) do you have ) | ( how much is ( that | ( [ a ] [ <size> ] <item> ) ) ) | ( what's ( new | cheapest | popular | ( on the menu ) ) ) | ( what do you ( recommend | have ) ) | ( do you have [ a | an | any ] <item> )",
  done: "( [ no ] ( ( that's all ) | ( that's it ) | ( that's everything ) | ( nothing else ) | ( that'll be all ) | ( i'm done ) ) ) | ( no thanks ) | ( no thank you )",
  reorder: '( the same as last time ) | ( my usual ) | ( the usual )',
  startOver: '( start over ) | ( start again ) | ( cancel everything ) | ( cancel my order )',
  utterance:
    '[ <fillerLead> ] ( <order> | <edit> | <question> | <done> | <reorder> | <startOver> ) [ <fillerTail> ]',
};

/**
 * A grammar for ordering from `view`: "[i'd like] [qty] [size] item [pizzas] [with mod (and
 * mod)*] (and …)*", corrections ("make the second one medium"), removals ("remove the coke"),
 * menu questions, and done / reorder / start-over phrases. Rules named `filler*` hold words
 * that do not count towards recognition confidence. `lexiconHas` (the recognizer's dictionary)
 * drops catalog phrases with unknown words and picks plural spellings; omitted = keep all.
 */
export function orderGrammar(
  view: CatalogView,
  lexiconHas?: (w: string) => boolean,
): SpeechGrammar {
  const has = lexiconHas ?? (() => true);
  const quantities = QUANTITY_PHRASES.map(([p]) => p).filter((p) => p !== 'half a dozen');
  const rules: Record<string, string> = {
    ...FIXED_RULES,
    ...catalogRules(view, has),
    qty: alternatives(quantities, has),
    ordinal: alternatives(
      [...Object.keys(ORDINALS).filter((o) => /^[a-z]+$/.test(o)), 'last'],
      has,
    ),
  };
  return { root: 'utterance', rules };
}
