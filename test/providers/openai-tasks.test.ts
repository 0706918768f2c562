import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import type { TaskHandlers, TaskResult, TaskSpec } from '../../src/dialog/task-types.js';
import { ProviderError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import {
  createLlmTasks,
  extractStructured,
  LLM_TASK_SPECS,
  type LlmTaskOptions,
} from '../../src/nlu/llm/tasks.js';
import type { LlmAnswerTiming } from '../../src/nlu/llm/types.js';
import { createOpenAiLlmClient } from '../../src/nlu/providers/openai.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';

let fake: FakeOpenAi;
const ctx = { callSid: 'CA123', logger: silentLogger() };
const signal = () => new AbortController().signal;
const client = (timeoutMs = 5000) =>
  createOpenAiLlmClient({ apiKey: fake.apiKey, baseUrl: fake.url, model: 'gpt-test', timeoutMs });
/** Typed as the dialog's own contract: the composition root registers these as-is. */
const tasks = (timeoutMs = 5000, opts: Partial<LlmTaskOptions> = {}): TaskHandlers =>
  createLlmTasks(client(timeoutMs), { businessName: 'Luigi’s', ...opts });
const run = (name: string, input: Record<string, unknown>, timeoutMs = 5000, s = signal()) =>
  tasks(timeoutMs).get(name)!(input, ctx, s);

const CHOICES = [
  { id: 'order', phrases: ['order', 'place an order'], dtmf: '1' },
  { id: 'support', phrases: ['support', 'help'] },
];
const choose = (text: string, timeoutMs?: number) =>
  run('nlu.choose', { text, choices: CHOICES }, timeoutMs);

async function speak(result: TaskResult): Promise<string[]> {
  const out: string[] = [];
  for await (const s of result.speech ?? []) out.push(s);
  return out;
}

beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterEach(() => {
  fake.requests.length = 0;
});
afterAll(async () => {
  await fake.close();
});

describe('LLM task specs', () => {
  it('are dialog TaskSpecs covering the handlers', () => {
    const specs: TaskSpec[] = LLM_TASK_SPECS;
    expect(specs.map((s) => s.name).sort()).toEqual([...tasks().keys()].sort());
  });
});

describe('nlu.choose', () => {
  it('matches through a forced `choose` tool whose enum is the choice ids plus none', async () => {
    fake.enqueue({ toolCall: { name: 'choose', args: { choice: 'support', confidence: 0.85 } } });
    await expect(choose('my pizza never arrived')).resolves.toEqual({
      outcome: 'match',
      slots: { llmChoice: 'support', llmConfidence: 0.85 },
    });
    const req = fake.requests[0]!;
    expect(req.tools).toMatchObject([
      {
        type: 'function',
        function: {
          name: 'choose',
          parameters: { properties: { choice: { enum: ['order', 'support', 'none'] } } },
        },
      },
    ]);
    expect(req.toolChoice).toEqual({ type: 'function', function: { name: 'choose' } });
    const [system, user] = req.messages as Array<{ role: string; content: string }>;
    expect(system!.content).toContain('place an order');
    expect(user).toEqual({ role: 'user', content: 'my pizza never arrived' });
  });

  it.each([
    ['an id that is not offered', { choice: 'refund', confidence: 1 }],
    ['"none"', { choice: 'none', confidence: 0.9 }],
    ['a non-string choice', { choice: 3, confidence: 0.9 }],
  ])('answers noMatch for %s', async (_what, args) => {
    fake.enqueue({ toolCall: { name: 'choose', args } });
    await expect(choose('give me my money back')).resolves.toEqual({ outcome: 'noMatch' });
  });

  it('answers noMatch when the model calls no tool, and for silence without asking', async () => {
    fake.enqueue({ text: 'Sure!' });
    await expect(choose('hmm')).resolves.toEqual({ outcome: 'noMatch' });
    await expect(choose('  ')).resolves.toEqual({ outcome: 'noMatch' });
    expect(fake.requests).toHaveLength(1);
  });

  it('throws LLM_TIMEOUT promptly when the model is slow (the runner answers error)', async () => {
    fake.enqueue({ hang: true });
    const err = await choose('order please', 150).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('LLM_TIMEOUT');
  });

  it('uses another sentinel when a choice is itself called "none"', async () => {
    fake.enqueue({ toolCall: { name: 'choose', args: { choice: 'none', confidence: 0.7 } } });
    const choices = [{ id: 'none', phrases: ['none of these'] }, ...CHOICES];
    await expect(run('nlu.choose', { text: 'none of them', choices })).resolves.toMatchObject({
      outcome: 'match',
      slots: { llmChoice: 'none' },
    });
    expect(fake.requests[0]!.tools).toMatchObject([
      {
        function: {
          parameters: {
            properties: { choice: { enum: ['none', 'order', 'support', 'no_match'] } },
          },
        },
      },
    ]);
  });

  it('rejects malformed input with BAD_REQUEST', async () => {
    await expect(run('nlu.choose', { text: 'x', choices: [] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});

describe('support.answer', () => {
  const faq = 'Open 11 to 10 daily. Delivery within 3 miles costs $2.50.';
  const answerText =
    'We deliver within three miles. Delivery costs $2.50. Anything else I can help with?';

  it('streams a short answer sentence by sentence, grounded in the tenant FAQ', async () => {
    fake.enqueue({ text: answerText });
    const timings: LlmAnswerTiming[] = [];
    const handlers = tasks(5000, { onAnswerTiming: (t) => timings.push(t) });
    const result = await handlers.get('support.answer')!(
      { question: 'Do you deliver?', faq },
      ctx,
      signal(),
    );
    expect(result.outcome).toBe('answered');
    expect(await speak(result)).toEqual([
      'We deliver within three miles.',
      'Delivery costs $2.50.',
      'Anything else I can help with?',
    ]);
    expect(timings).toMatchObject([{ sentences: 3, completed: true }]);
    const [system, user] = fake.requests[0]!.messages as Array<{ content: string }>;
    expect(system!.content).toContain(faq);
    expect(system!.content).toContain('Luigi’s');
    expect(user!.content).toBe('Do you deliver?');
  });

  it('resolves at the first sentence, before the model has finished', async () => {
    fake.enqueue({ text: answerText, holdAfterChunks: 8 }); // role + "We deliver … miles." + " Delivery"
    const result = await run('support.answer', { question: 'Do you deliver?' });
    expect(fake.requests[0]!.finished).toBe(false);
    fake.release();
    expect(await speak(result)).toHaveLength(3);
  });

  it('speaks at most maxAnswerSentences and then closes the request', async () => {
    const disconnects = fake.disconnects;
    fake.enqueue({ text: 'One. Two. Three. Four. Five. Six.', tokenDelayMs: 20 });
    const handler = tasks(5000, { maxAnswerSentences: 2 }).get('support.answer')!;
    const result = await handler({ question: 'Tell me everything.' }, ctx, signal());
    expect(await speak(result)).toEqual(['One.', 'Two.']);
    await fake.waitForDisconnect(disconnects + 1);
  });

  it('throws before any speech on 401 (LLM_AUTH)', async () => {
    const bad = createLlmTasks(
      createOpenAiLlmClient({
        apiKey: 'sk-bad',
        baseUrl: fake.url,
        model: 'gpt-test',
        timeoutMs: 2000,
      }),
      { businessName: 'X' },
    );
    await expect(
      bad.get('support.answer')!({ question: 'Hours?' }, ctx, signal()),
    ).rejects.toMatchObject({ code: 'LLM_AUTH' });
  });

  it('ends the speech quietly when the stream drops after the first sentence', async () => {
    fake.enqueue({ text: 'One. Two three four five', dropAfterChunks: 6 });
    const result = await run('support.answer', { question: 'Hours?' });
    expect(await speak(result)).toEqual(['One.']);
  });
});

describe('extractStructured', () => {
  const Order = z.object({ item: z.string().min(1), quantity: z.number().int().min(1) });
  const tool = { name: 'record_order', description: 'Record the items named.', schema: Order };
  const extract = (utterance: string) =>
    extractStructured(client(), { instructions: 'Extract the order.', utterance, tool }, signal());

  it('returns arguments that pass the schema, sending the schema as the tool parameters', async () => {
    fake.enqueue({ toolCall: { name: 'record_order', args: { item: 'pepperoni', quantity: 2 } } });
    await expect(extract('two pepperoni')).resolves.toEqual({ item: 'pepperoni', quantity: 2 });
    expect(fake.requests[0]!.tools).toMatchObject([
      { function: { parameters: { type: 'object', required: ['item', 'quantity'] } } },
    ]);
    const system = (fake.requests[0]!.messages as Array<{ content: string }>)[0]!.content;
    expect(system).toMatch(/never/i);
  });

  it.each([
    ['arguments failing the schema', { name: 'record_order', args: { item: '', quantity: 0 } }],
    ['another function', { name: 'place_order', args: { item: 'pepperoni', quantity: 2 } }],
  ])('returns null for %s', async (_what, toolCall) => {
    fake.enqueue({ toolCall });
    await expect(extract('two pepperoni')).resolves.toBeNull();
  });
});
