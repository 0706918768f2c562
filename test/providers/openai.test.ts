import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ProviderError } from '../../src/errors.js';
import { createOpenAiLlmClient } from '../../src/nlu/providers/openai.js';
import type { LlmAnswerTiming, LlmClient, LlmTool } from '../../src/nlu/llm/types.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';

const TOOL: LlmTool = {
  name: 'extract',
  description: 'Record the request.',
  parameters: { type: 'object', properties: { text: { type: 'string' } } },
};

let fake: FakeOpenAi;
const client = (over: { timeoutMs?: number; apiKey?: string; baseUrl?: string } = {}) =>
  createOpenAiLlmClient({
    apiKey: over.apiKey ?? fake.apiKey,
    baseUrl: over.baseUrl ?? fake.url,
    model: 'gpt-test',
    timeoutMs: over.timeoutMs ?? 5000,
  });
const signal = () => new AbortController().signal;
const extract = (c: LlmClient, s = signal()) =>
  c.extract({ instructions: 'Extract.', utterance: 'a large pizza', tools: [TOOL], signal: s });
const answer = (c: LlmClient, s = signal(), onTiming?: (t: LlmAnswerTiming) => void) =>
  c.answer({
    instructions: 'Answer.',
    context: 'We open at 9.',
    question: 'When do you open?',
    signal: s,
    ...(onTiming ? { onTiming } : {}),
  });

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const s of it) out.push(s);
  return out;
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
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

describe('OpenAI LlmClient: extract', () => {
  it('reassembles arguments split mid-string and mid-escape, and sends a streamed tool request', async () => {
    // raw: {"text":"say \"hi\" \\ caf\u00e9 }"} — cut inside \", \\ and \u00e9
    const argFragments = ['{"te', 'xt":"say \\', '"hi\\" \\', '\\ caf\\u0', '0e', '9 }', '"}'];
    const args = { text: 'say "hi" \\ caf\u00e9 }' };
    fake.enqueue({ toolCall: { name: 'extract', args }, argFragments });
    await expect(extract(client())).resolves.toEqual({ name: 'extract', args });
    const req = fake.requests[0]!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(req.stream).toBe(true);
    expect(req.model).toBe('gpt-test');
    expect(req.messages).toEqual([
      { role: 'system', content: 'Extract.' },
      { role: 'user', content: 'a large pizza' },
    ]);
    expect(req.tools).toEqual([{ type: 'function', function: TOOL }]);
    expect(req.toolChoice).toEqual({ type: 'function', function: { name: 'extract' } });
  });

  it('works against a base URL without /v1', async () => {
    fake.enqueue({ toolCall: { name: 'extract', args: { text: 'x' } } });
    await expect(extract(client({ baseUrl: fake.origin }))).resolves.toEqual({
      name: 'extract',
      args: { text: 'x' },
    });
    expect(fake.requests[0]!.path).toBe('/chat/completions');
  });

  it('returns as soon as the arguments are complete, before the stream ends, and closes it', async () => {
    const disconnects = fake.disconnects;
    // head chunk + 3 argument chunks sent, then the fake holds the finish chunk back
    fake.enqueue({
      toolCall: { name: 'extract', args: { text: 'ok' } },
      argFragments: ['{"te', 'xt":"o', 'k"}'],
      holdAfterChunks: 4,
    });
    await expect(extract(client())).resolves.toEqual({ name: 'extract', args: { text: 'ok' } });
    expect(fake.requests[0]!.finished).toBe(false);
    await fake.waitForDisconnect(disconnects + 1);
    fake.release();
  });

  it('gives null for a text reply or invalid argument JSON', async () => {
    fake.enqueue({ text: 'I cannot help.' });
    await expect(extract(client())).resolves.toBeNull();
    fake.enqueue({ toolCall: { name: 'extract', args: '{"text": "unterminated' } });
    await expect(extract(client())).resolves.toBeNull();
  });

  it('maps 401 to LLM_AUTH (not retryable)', async () => {
    const err = await failure(extract(client({ apiKey: 'sk-wrong' })));
    expect(err.code).toBe('LLM_AUTH');
    expect(err.retryable).toBe(false);
    expect(err.provider).toBe('openai');
  });

  it.each([429, 500, 503])('maps %i to a retryable PROVIDER_FAILED', async (status) => {
    fake.enqueue({ status });
    const err = await failure(extract(client()));
    expect(err.code).toBe('PROVIDER_FAILED');
    expect(err.retryable).toBe(true);
  });

  it('maps 400 to a non-retryable PROVIDER_FAILED', async () => {
    fake.enqueue({ status: 400 });
    const err = await failure(extract(client()));
    expect([err.code, err.retryable]).toEqual(['PROVIDER_FAILED', false]);
  });

  it('times out with LLM_TIMEOUT when the server never answers, and hangs up', async () => {
    const disconnects = fake.disconnects;
    fake.enqueue({ hang: true });
    const started = Date.now();
    const err = await failure(extract(client({ timeoutMs: 150 })));
    expect([err.code, err.retryable]).toEqual(['LLM_TIMEOUT', true]);
    expect(Date.now() - started).toBeLessThan(3000);
    await fake.waitForDisconnect(disconnects + 1);
  });

  it('times out with LLM_TIMEOUT when the tool call stalls mid-stream', async () => {
    fake.enqueue({ toolCall: { name: 'extract', args: { text: 'x' } }, holdAfterChunks: 2 });
    const err = await failure(extract(client({ timeoutMs: 150 })));
    expect(err.code).toBe('LLM_TIMEOUT');
    fake.release();
  });

  it('maps a connection dropped mid-stream and a mid-stream error event to retryable failures', async () => {
    fake.enqueue({ toolCall: { name: 'extract', args: { text: 'xyz' } }, dropAfterChunks: 2 });
    const dropped = await failure(extract(client()));
    expect([dropped.code, dropped.retryable]).toEqual(['PROVIDER_FAILED', true]);
    fake.enqueue({ toolCall: { name: 'extract', args: { text: 'xyz' } }, errorAfterChunks: 2 });
    const event = await failure(extract(client()));
    expect([event.code, event.retryable]).toEqual(['PROVIDER_FAILED', true]);
  });

  it('maps a refused connection to a retryable failure', async () => {
    const gone = await startFakeOpenAi();
    const url = gone.url;
    await gone.close();
    const err = await failure(extract(client({ baseUrl: url })));
    expect([err.code, err.retryable]).toEqual(['PROVIDER_FAILED', true]);
  });

  it('aborts with PROVIDER_ABORTED when the caller aborts; the fake sees the disconnect', async () => {
    const disconnects = fake.disconnects;
    fake.enqueue({ hang: true });
    const ac = new AbortController();
    const pending = extract(client(), ac.signal);
    setTimeout(() => ac.abort(), 50);
    const err = await failure(pending);
    expect([err.code, err.retryable]).toEqual(['PROVIDER_ABORTED', false]);
    await fake.waitForDisconnect(disconnects + 1);
  });
});

describe('OpenAI LlmClient: answer', () => {
  const text =
    'We open at 9 a.m. every day, Mr. Smith. A large pizza is $3.50 on Mondays. Anything else?';

  it('yields the first sentence before the server has finished the answer', async () => {
    // the role chunk and 16 tokens (through " A", which shows where the first sentence ends)
    fake.enqueue({ text, holdAfterChunks: 17 });
    let timing: LlmAnswerTiming | undefined;
    const it = answer(client(), signal(), (t) => (timing = t))[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value).toBe('We open at 9 a.m. every day, Mr. Smith.');
    expect(fake.requests[0]!.finished).toBe(false);
    fake.release();
    const rest: string[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
    expect(rest).toEqual(['A large pizza is $3.50 on Mondays.', 'Anything else?']);
    expect(timing).toMatchObject({ sentences: 3, completed: true });
    expect(timing!.firstTokenMs!).toBeLessThanOrEqual(timing!.firstSentenceMs!);
    expect(timing!.firstSentenceMs!).toBeLessThanOrEqual(timing!.doneMs!);
    const req = fake.requests[0]!;
    expect(req.tools).toBeUndefined();
    expect(JSON.stringify(req.messages)).toContain('We open at 9.');
  });

  it('does not count the consumer’s pauses against the timeout', async () => {
    fake.enqueue({ text: 'One. Two. Three.' });
    const out: string[] = [];
    for await (const s of answer(client({ timeoutMs: 100 }))) {
      out.push(s);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(out).toEqual(['One.', 'Two.', 'Three.']);
  });

  it('closes the request when the consumer stops early', async () => {
    const disconnects = fake.disconnects;
    fake.enqueue({ text: 'One. Two. Three. Four. Five.', tokenDelayMs: 30 });
    let timing: LlmAnswerTiming | undefined;
    for await (const s of answer(client(), signal(), (t) => (timing = t))) {
      expect(s).toBe('One.');
      break;
    }
    await fake.waitForDisconnect(disconnects + 1);
    expect(timing).toMatchObject({ sentences: 1, completed: false });
  });

  it('aborts mid-answer with PROVIDER_ABORTED; the fake sees the disconnect', async () => {
    const disconnects = fake.disconnects;
    fake.enqueue({ text: 'One. Two. Three.', holdAfterChunks: 4 });
    const ac = new AbortController();
    const it = answer(client(), ac.signal)[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe('One.');
    const next = it.next();
    ac.abort();
    const err = await failure(next);
    expect(err.code).toBe('PROVIDER_ABORTED');
    await fake.waitForDisconnect(disconnects + 1);
    fake.release();
  });

  it('times out waiting for the first token, and on a stall mid-answer', async () => {
    fake.enqueue({ text: 'Late.', firstTokenDelayMs: 1000 });
    expect((await failure(collect(answer(client({ timeoutMs: 150 }))))).code).toBe('LLM_TIMEOUT');
    fake.enqueue({ text: 'One. Two.', holdAfterChunks: 4 });
    const got: string[] = [];
    const err = await failure(
      (async () => {
        for await (const s of answer(client({ timeoutMs: 150 }))) got.push(s);
      })(),
    );
    expect([err.code, got]).toEqual(['LLM_TIMEOUT', ['One.']]);
    fake.release();
  });

  it('fails retryably when the stream drops mid-answer (the tail is not spoken)', async () => {
    fake.enqueue({ text: 'One. Two three four', dropAfterChunks: 5 });
    const got: string[] = [];
    const err = await failure(
      (async () => {
        for await (const s of answer(client())) got.push(s);
      })(),
    );
    expect([err.code, err.retryable, got]).toEqual(['PROVIDER_FAILED', true, ['One.']]);
  });

  it('maps 401 to LLM_AUTH', async () => {
    const err = await failure(collect(answer(client({ apiKey: 'sk-nope' }))));
    expect(err.code).toBe('LLM_AUTH');
  });
});

describe('fake OpenAI server wire format', () => {
  const post = (body: Record<string, unknown>) =>
    fetch(`${fake.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-test', messages: [], ...body }),
    });

  it('streams SSE data lines: role, content, finish chunk, [DONE]', async () => {
    fake.enqueue({ text: 'Hi there.' });
    const res = await post({ stream: true });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    for (const c of chunks) {
      expect(c).toMatchObject({
        id: chunks[0].id,
        object: 'chat.completion.chunk',
        model: chunks[0].model,
      });
      expect(typeof c.created).toBe('number');
    }
    expect(chunks[0].choices[0].delta).toMatchObject({ role: 'assistant', content: '' });
    const text = chunks.map((c) => c.choices[0].delta.content ?? '').join('');
    expect(text).toBe('Hi there.');
    expect(chunks.at(-1).choices[0]).toEqual({
      index: 0,
      delta: {},
      logprobs: null,
      finish_reason: 'stop',
    });
  });

  it('streams a tool call as a head fragment then argument pieces', async () => {
    fake.enqueue({
      toolCall: { name: 'f', args: { a: 1 }, id: 'call_1' },
      argFragments: ['{"a"', ':1}'],
    });
    const res = await post({ stream: true });
    const chunks = (await res.text())
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)));
    expect(chunks.map((c) => c.choices[0].delta)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] },
      { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] },
      {},
    ]);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('answers a non-streamed request with one chat.completion', async () => {
    fake.enqueue({ text: 'Hello.' });
    const res = await post({});
    const body = await res.json();
    expect(body).toMatchObject({
      object: 'chat.completion',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' },
      ],
    });
  });

  it('answers 401 with the OpenAI error body', async () => {
    const res = await fetch(`${fake.url}/chat/completions`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      error: { code: 'invalid_api_key', type: 'invalid_request_error' },
    });
  });
});
