/**
 * Fixed English word lists of the order parser, in normalised form (see nlu/normalize.ts:
 * apostrophes dropped, plural "s" stripped from words longer than three letters, so "that's"
 * is "that" and "olives" is "olive").
 */

/** Spoken quantities, longest phrases first. "to"/"too"/"for" are handled by the parser. */
/** "zero" … "twenty": index = value. Shared by the parser, the grammar and spoken read-backs. */
export const NUMBER_WORDS: readonly string[] = (
  'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen ' +
  'fifteen sixteen seventeen eighteen nineteen twenty'
).split(' ');

export const QUANTITY_PHRASES: ReadonlyArray<readonly [string, number]> = [
  ['half a dozen', 6],
  ['a couple of', 2],
  ['a couple', 2],
  ['couple of', 2],
  ['a dozen', 12],
  ['a pair of', 2],
  ['a few', 3],
  ['dozen', 12],
  ['a', 1],
  ['an', 1],
  ['one', 1],
  ['single', 1],
  ['two', 2],
  ['three', 3],
  ['four', 4],
  ['five', 5],
  ['six', 6],
  ['seven', 7],
  ['eight', 8],
  ['nine', 9],
  ['ten', 10],
  ['eleven', 11],
  ['twelve', 12],
  ['thirteen', 13],
  ['fourteen', 14],
  ['fifteen', 15],
  ['sixteen', 16],
  ['seventeen', 17],
  ['eighteen', 18],
  ['nineteen', 19],
  ['twenty', 20],
];

/** Largest quantity accepted for one line (a digit run above it is not a quantity). */
export const MAX_QUANTITY = 99;

/** Ordinals for "the second one"; `last` is handled as the last line. */
export const ORDINALS: Readonly<Record<string, number>> = {
  first: 0,
  '1st': 0,
  second: 1,
  '2nd': 1,
  third: 2,
  '3rd': 2,
  fourth: 3,
  '4th': 3,
  fifth: 4,
  '5th': 4,
  sixth: 5,
  seventh: 6,
  eighth: 7,
};

/** Phrases that end ordering, bring back the last order, or clear the cart. */
export const COMMAND_PHRASES: ReadonlyArray<readonly [string, 'done' | 'reorder' | 'startOver']> = [
  ['that all', 'done'],
  ['that it', 'done'],
  ['that everything', 'done'],
  ['that will be all', 'done'],
  ['thatll be all', 'done'],
  ['that will be it', 'done'],
  ['that be all', 'done'],
  ['nothing else', 'done'],
  ['nothing more', 'done'],
  ['im done', 'done'],
  ['i am done', 'done'],
  ['were done', 'done'],
  ['all done', 'done'],
  ['no thank you', 'done'],
  ['no thank', 'done'],
  ['im good', 'done'],
  ['same as last time', 'reorder'],
  ['same thing as last time', 'reorder'],
  ['same order as last time', 'reorder'],
  ['what i had last time', 'reorder'],
  ['same as before', 'reorder'],
  ['my usual', 'reorder'],
  ['the usual', 'reorder'],
  ['my regular', 'reorder'],
  ['my last order', 'reorder'],
  ['start over', 'startOver'],
  ['start again', 'startOver'],
  ['begin again', 'startOver'],
  ['cancel everything', 'startOver'],
  ['cancel the order', 'startOver'],
  ['cancel my order', 'startOver'],
  ['cancel the whole order', 'startOver'],
  ['cancel the whole thing', 'startOver'],
  ['clear the order', 'startOver'],
  ['clear my order', 'startOver'],
  ['clear everything', 'startOver'],
  ['forget everything', 'startOver'],
  ['scrap the whole order', 'startOver'],
];

/** Words that split an utterance into clauses ("a pizza and a coke"). */
export const CLAUSE_BREAKS = new Set(['and', 'plus', 'also', 'then', 'but', 'oh']);
/** Words that start a clause of their own and stay in it ("… actually make it large"). */
export const CLAUSE_STARTS = new Set(['actually', 'instead', 'remove', 'cancel', 'change']);

export const QUESTION_STARTS = new Set([
  'what',
  'which',
  'how',
  'do',
  'does',
  'is',
  'are',
  'any',
  'anything',
  'tell',
  'whats',
]);

export const REMOVE_VERBS = new Set([
  'remove',
  'delete',
  'drop',
  'cancel',
  'scratch',
  'lose',
  'take',
  'get',
  'dont',
  'minus',
]);
export const MODIFY_VERBS = new Set(['make', 'change', 'switch', 'swap', 'update', 'actually']);

/** Words that add a modifier; words that take one off. */
export const MOD_ADD = new Set(['with', 'extra', 'add', 'more', 'plus', 'double']);
export const MOD_REMOVE = new Set(['no', 'without', 'hold', 'minus', 'skip', 'not', 'less']);

/** Words that make an unmatched phrase look like an attempt to order something. */
export const ORDER_VERBS = new Set([
  'get',
  'have',
  'want',
  'like',
  'order',
  'take',
  'need',
  'give',
]);

/**
 * Function words: never fuzzy-matched to catalog words, never reported as an unknown item.
 * (Catalog phrases may still contain them: they match exactly.)
 */
export const STOP_WORDS = new Set([
  ...[...ORDER_VERBS, ...MODIFY_VERBS, ...REMOVE_VERBS, ...MOD_ADD, ...MOD_REMOVE],
  ...[...CLAUSE_BREAKS, ...CLAUSE_STARTS, ...QUESTION_STARTS],
  ...'i id ill im me my we wed well you your can could would will may might please thank thanks'.split(
    ' ',
  ),
  ...'um uh er erm hmm so ok okay yeah yes yep sure hi hello hey right just like let lets gonna'.split(
    ' ',
  ),
  ...'wanna going go to too for of the a an some that this it its those these them one on in'.split(
    ' ',
  ),
  ...'be is are was there here have has had order love maybe think also else really now'.split(' '),
  ...'same size all it thing one instead into top side time last'.split(' '),
]);
