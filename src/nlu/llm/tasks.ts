import { z } from 'zod';
import { AppError, ProviderError, errorSummary, isAbortError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { chooseInstructions, supportAnswerInstructions } from './instructions.js';
import type {
  LlmAnswerTiming,
  LlmClient,
  LlmTaskHandler,
  LlmTaskResult,
  LlmTaskSpec,
  LlmTool,
  LlmToolCall,
} from './types.js';

export { extractStructured, type StructuredRequest, type StructuredTool } from './structured.js';

/**
 * Dialog tasks backed by the language model. Registered only when an LLM is configured; a flow
 * reaching them without one gets the runner's `unavailable`. Provider failures and timeouts
 * throw (the runner's `error`: the flow re-prompts); nothing here has side effects.
 */
export const LLM_TASK_SPECS: LlmTaskSpec[] = [
  {
    name: 'nlu.choose',
    description: 'Asks the language model which expected choice the caller meant.',
    outcomes: ['match', 'noMatch'],
    input: { text: "the caller's words", choices: 'the expected choices: [{id, phrases}]' },
    slots: {
      llmChoice: 'id of the choice (always one of the input ids)',
      llmConfidence: "the model's confidence, 0 to 1",
    },
    timeoutMs: 3000,
  },
  {
    name: 'support.answer',
    description: 'Speaks a short answer to a free question, sentence by sentence as it streams.',
    outcomes: ['answered'],
    input: {
      question: "the caller's question (or `text` when it interprets a listen)",
      faq: "the tenant's reference text (optional)",
    },
    timeoutMs: 5000,
  },
];

export interface LlmTaskOptions {
  /** The business the answers speak for. */
  businessName: string;
  /** Most sentences spoken from one answer; default 4. */
  maxAnswerSentences?: number;
  /** Latency accounting for every answer (also logged at debug as `llm.answer_timing`). */
  onAnswerTiming?: (timing: LlmAnswerTiming) => void;
}

export function createLlmTasks(
  client: LlmClient,
  opts: LlmTaskOptions,
): Map<string, LlmTaskHandler> {
  return new Map<string, LlmTaskHandler>([
    ['nlu.choose', (input, _ctx, signal) => choose(client, input, signal)],
    ['support.answer', (input, ctx, signal) => supportAnswer(client, opts, input, ctx, signal)],
  ]);
}

const ChooseInput = z.object({
  text: z.string(),
  choices: z
    .array(z.object({ id: z.string().min(1), phrases: z.array(z.string()).default([]) }))
    .min(1),
});

/** Example phrases per choice sent to the model (keeps the prompt short). */
const MAX_PHRASES = 8;

async function choose(
  client: LlmClient,
  input: Readonly<Record<string, unknown>>,
  signal: AbortSignal,
): Promise<LlmTaskResult> {
  const { text, choices } = parseInput(ChooseInput, input, 'nlu.choose');
  if (text.trim() === '') return { outcome: 'noMatch' };
  const ids = choices.map((c) => c.id);
  const none = ids.includes('none') ? 'no_match' : 'none';
  const shown = choices.map((c) => ({ id: c.id, phrases: c.phrases.slice(0, MAX_PHRASES) }));
  const call = await client.extract({
    instructions: chooseInstructions(shown, none),
    utterance: text,
    tools: [chooseTool([...ids, none])],
    signal,
  });
  const picked = validChoice(call, ids);
  if (!picked) return { outcome: 'noMatch' };
  return { outcome: 'match', slots: { llmChoice: picked.id, llmConfidence: picked.confidence } };
}

function chooseTool(ids: string[]): LlmTool {
  return {
    name: 'choose',
    description: 'Record which option the caller meant.',
    parameters: {
      type: 'object',
      properties: {
        choice: { type: 'string', enum: ids },
        // no minimum/maximum: not every strict-schema implementation accepts them (clamped below)
        confidence: { type: 'number', description: 'From 0 (a guess) to 1 (certain).' },
      },
      required: ['choice', 'confidence'],
      additionalProperties: false,
    },
    strict: true,
  };
}

/** The model's pick if it is one of `ids`; a missing or odd confidence counts as 0.5. */
export function validChoice(
  call: LlmToolCall | null,
  ids: readonly string[],
): { id: string; confidence: number } | undefined {
  if (call?.name !== 'choose') return undefined;
  const { choice, confidence } = call.args;
  if (typeof choice !== 'string' || !ids.includes(choice)) return undefined;
  const c = typeof confidence === 'number' && Number.isFinite(confidence) ? confidence : 0.5;
  return { id: choice, confidence: Math.min(1, Math.max(0, c)) };
}

/** `question`, or `text` when the task interprets a listen (the caller's words are the question). */
const AnswerInput = z
  .object({
    question: z.string().optional(),
    text: z.string().optional(),
    faq: z.string().optional(),
  })
  .transform((i) => ({ question: i.question ?? i.text ?? '', faq: i.faq }));

/**
 * Resolves once the first sentence is ready (failures before it throw); `speech` yields it and
 * the rest as they stream. A failure after the first sentence ends the speech early (logged).
 * The request stays open until `speech` is consumed or returned, or `signal` aborts.
 */
async function supportAnswer(
  client: LlmClient,
  opts: LlmTaskOptions,
  input: Readonly<Record<string, unknown>>,
  ctx: { logger: Logger },
  signal: AbortSignal,
): Promise<LlmTaskResult> {
  const { question, faq } = parseInput(AnswerInput, input, 'support.answer');
  if (question.trim() === '') throw new AppError('BAD_REQUEST', 'support.answer: empty question');
  const sentences = client.answer({
    instructions: supportAnswerInstructions(opts.businessName),
    ...(faq?.trim() ? { context: faq } : {}),
    question,
    signal,
    onTiming: (timing) => {
      ctx.logger.debug({ llm: timing }, 'llm.answer_timing');
      opts.onAnswerTiming?.(timing);
    },
  });
  const it = sentences[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) throw new ProviderError(client.id, true, 'language model gave an empty answer');
  const max = Math.max(1, opts.maxAnswerSentences ?? 4);
  return { outcome: 'answered', speech: speakRest(it, first.value, max, ctx.logger) };
}

async function* speakRest(
  it: AsyncIterator<string>,
  first: string,
  max: number,
  logger: Logger,
): AsyncGenerator<string> {
  try {
    yield first;
    for (let n = 1; n < max; n++) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  } catch (err) {
    if (!isAbortError(err)) logger.warn({ err: errorSummary(err) }, 'llm.answer_cut');
  } finally {
    await it.return?.();
  }
}

function parseInput<T>(schema: z.ZodType<T>, input: unknown, task: string): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError('BAD_REQUEST', `${task}: invalid input`, { task });
  return r.data;
}
