import type { SpeechGrammar } from '../speech-grammar.js';
import type { SttHintOptions } from '../stt/types.js';
import type { ExpectSpec } from '../dialog/types.js';
import type { VocabularyResult } from '../dialog/task-types.js';

/** The phrases a listen expects: its choices' phrases (globals are among them). */
export function hintsOf(expect: ExpectSpec): string[] {
  return expect.choices.flatMap((c) => c.phrases);
}

export interface RecognizerHints {
  hints: string[];
  opts: SttHintOptions;
}

/**
 * What the recognizer should expect for `expect`, with a dynamic vocabulary merged in: its
 * phrases join the hints, and its grammar is widened to also accept the listen's own phrases
 * (so "that's all" or "repeat" still work inside an order grammar).
 */
export function recognizerHints(expect: ExpectSpec, vocab?: VocabularyResult): RecognizerHints {
  const own = hintsOf(expect);
  const opts: SttHintOptions = { endpointing: expect.endpointing };
  if (!vocab) return { hints: own, opts };
  const hints = [...new Set([...own, ...vocab.phrases])];
  if (vocab.grammar) opts.grammar = withPhrases(vocab.grammar, own);
  return { hints, opts };
}

const WORDS = /^[a-z' -]+$/;

/** `grammar` whose root also accepts any of `phrases` (those that are plain words). */
export function withPhrases(grammar: SpeechGrammar, phrases: readonly string[]): SpeechGrammar {
  const usable = [
    ...new Set(
      phrases.map((p) => p.toLowerCase().replace(/\s+/g, ' ').trim()).filter((p) => WORDS.test(p)),
    ),
  ];
  if (usable.length === 0) return grammar;
  const rules: Record<string, string> = {
    ...grammar.rules,
    listenPhrases: usable.map((p) => `( ${p} )`).join(' | '),
    listenRoot: `<${grammar.root}> | <listenPhrases>`,
  };
  return { root: 'listenRoot', rules };
}
