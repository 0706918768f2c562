/** Rules-based understanding of one caller input within the current dialog state. Pure. */
export { matchChoice, matchDtmf, type ChoiceMatch, type ExpectSpec } from './match-choice.js';
export { parseSpokenDigits } from './digits.js';
export { normalizeText, tokenize } from './normalize.js';
export { editDistance, tokenSimilarity } from './fuzzy.js';
export { YES_PHRASES, NO_PHRASES, impliedPhrases } from './yes-no.js';
