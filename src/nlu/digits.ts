import { tokenize } from './normalize.js';

const WORD_DIGITS: Record<string, string> = {
  zero: '0',
  oh: '0',
  o: '0',
  one: '1',
  two: '2',
  to: '2',
  too: '2',
  three: '3',
  four: '4',
  for: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
};

/**
 * Digits spoken one by one ("one two three", "4 5 6", "oh seven") → "123", "456", "07".
 * Returns undefined when any token is not a digit word or numeral, or nothing was said.
 */
export function parseSpokenDigits(text: string): string | undefined {
  const tokens = tokenize(text);
  if (tokens.length === 0) return undefined;
  let out = '';
  for (const t of tokens) {
    if (/^[0-9]+$/.test(t)) out += t;
    else if (WORD_DIGITS[t] !== undefined) out += WORD_DIGITS[t];
    else return undefined;
  }
  return out;
}
