/**
 * Built-in synonyms for the reserved choice ids `yes` and `no`. A choice with one of these ids
 * matches its own phrases plus these. Words are in the pocketsphinx en-US dictionary, so the
 * same lists can be sent as recognizer hints.
 */
export const YES_PHRASES: readonly string[] = [
  'yes',
  'yeah',
  'yep',
  'yup',
  'sure',
  'correct',
  'right',
  'thats right',
  'okay',
  'ok',
  'affirmative',
  'absolutely',
  'of course',
  'yes please',
];

export const NO_PHRASES: readonly string[] = [
  'no',
  'nope',
  'nah',
  'negative',
  'wrong',
  'incorrect',
  'not correct',
  'not right',
  'thats wrong',
  'no thanks',
  'not really',
];

/** Synonyms implied by a choice id; empty for ids other than `yes` and `no`. */
export function impliedPhrases(choiceId: string): readonly string[] {
  if (choiceId === 'yes') return YES_PHRASES;
  if (choiceId === 'no') return NO_PHRASES;
  return [];
}
