import type { SpeechGrammar } from '../speech-grammar.js';
import type { SttHintOptions, SttStream } from '../stt/types.js';
import type { ExpectSpec } from '../dialog/types.js';
import type { VocabularyResult } from '../dialog/task-types.js';
import type { CallTasks } from './task-runner.js';

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

/**
 * Gives `stt` the listen's expectations at once, then again with its dynamic vocabulary once
 * resolved (skipped if the dialog has moved on: `current()` is no longer `expect`).
 */
export function applyHints(
  stt: SttStream | undefined,
  expect: ExpectSpec,
  tasks: CallTasks,
  current: () => ExpectSpec | undefined,
): void {
  const own = recognizerHints(expect);
  stt?.setHints(own.hints, own.opts);
  if (!expect.vocabulary || !stt) return;
  void tasks.vocabulary(expect.vocabulary).then((vocab) => {
    if (!vocab || current() !== expect) return;
    const merged = recognizerHints(expect, vocab);
    stt.setHints(merged.hints, merged.opts);
  });
}
