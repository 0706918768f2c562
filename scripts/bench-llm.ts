/**
 * LLM latency benchmark: prints numbers, asserts nothing.
 *
 *   npx tsx scripts/bench-llm.ts [--runs 10] [--first-token-ms 300] [--token-ms 20] [--json]
 *
 * Runs the real OpenAI LlmClient (openai SDK, streaming Chat Completions) against the local fake
 * (test/fakes/openai-server.ts) set to vendor-like latency: the first token after
 * `--first-token-ms`, then one token every `--token-ms`. Measures, per run:
 *  - answer: a 3-sentence spoken answer: time to first token, to first complete sentence (when
 *    speech can start) and to the whole answer (when speech could start without streaming);
 *  - extract: a forced tool call (the `nlu.choose` shape): time until its arguments are complete.
 */
import { parseArgs } from 'node:util';
import type { LlmClient } from '../src/nlu/llm/types.js';
import { createOpenAiLlmClient } from '../src/nlu/providers/openai.js';
import { startFakeOpenAi, tokenize } from '../test/fakes/openai-server.js';

const ANSWER =
  'Yes, we deliver within three miles of the store, every day from eleven to ten. ' +
  'Delivery costs $2.50 and usually takes about forty minutes. ' +
  'Would you like me to connect you with someone to place an order?';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    'first-token-ms': { type: 'string', default: '300' },
    'token-ms': { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const firstTokenDelayMs = Number(values['first-token-ms']);
const tokenDelayMs = Number(values['token-ms']);

interface Sample {
  firstTokenMs: number;
  firstSentenceMs: number;
  answerMs: number;
  toolCallMs: number;
}

async function answerOnce(client: LlmClient): Promise<Omit<Sample, 'toolCallMs'>> {
  const started = performance.now();
  let firstSentenceMs = NaN;
  let firstTokenMs = NaN;
  const sentences = client.answer({
    instructions: 'Answer briefly.',
    question: 'Do you deliver?',
    signal: new AbortController().signal,
    onTiming: (t) => (firstTokenMs = t.firstTokenMs ?? NaN),
  });
  for await (const sentence of sentences) {
    if (sentence && Number.isNaN(firstSentenceMs)) firstSentenceMs = performance.now() - started;
  }
  return { firstTokenMs, firstSentenceMs, answerMs: performance.now() - started };
}

async function extractOnce(client: LlmClient): Promise<number> {
  const started = performance.now();
  const call = await client.extract({
    instructions: 'Classify.',
    utterance: 'my pizza never arrived',
    tools: [
      {
        name: 'choose',
        description: 'Record which option the caller meant.',
        parameters: { type: 'object', properties: { choice: { type: 'string' } } },
      },
    ],
    signal: new AbortController().signal,
  });
  if (!call) throw new Error('no tool call');
  return performance.now() - started;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

async function main(): Promise<void> {
  const fake = await startFakeOpenAi({ firstTokenDelayMs, tokenDelayMs });
  fake.respondWith((req) =>
    req.tools
      ? { toolCall: { name: 'choose', args: { choice: 'support', confidence: 0.9 } } }
      : { text: ANSWER },
  );
  const client = createOpenAiLlmClient({
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    model: 'gpt-4o-mini',
    timeoutMs: 10_000,
  });
  const samples: Sample[] = [];
  await answerOnce(client); // warm-up (connection, JIT)
  for (let i = 0; i < runs; i++) {
    samples.push({ ...(await answerOnce(client)), toolCallMs: await extractOnce(client) });
  }
  await fake.close();
  report(samples);
}

function report(samples: Sample[]): void {
  const tokens = tokenize(ANSWER).length;
  const row = (label: string, key: keyof Sample) => {
    const xs = samples.map((s) => s[key]);
    const fmt = (q: number) => quantile(xs, q).toFixed(0);
    return `| ${label} | ${fmt(0.5)} | ${fmt(0.9)} | ${fmt(0)} | ${fmt(1 - 1e-9)} |`;
  };
  if (values.json) {
    console.log(JSON.stringify({ runs, firstTokenDelayMs, tokenDelayMs, tokens, samples }));
    return;
  }
  const gap = quantile(
    samples.map((s) => s.answerMs - s.firstSentenceMs),
    0.5,
  );
  console.log(
    `LLM latency, fake at first token ${firstTokenDelayMs} ms, ${tokenDelayMs} ms/token; ` +
      `answer = 3 sentences, ${tokens} tokens; ${runs} runs (ms)\n`,
  );
  console.log('| measure | p50 | p90 | min | max |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(row('answer: first token', 'firstTokenMs'));
  console.log(row('answer: first sentence (speech can start)', 'firstSentenceMs'));
  console.log(row('answer: whole answer', 'answerMs'));
  console.log(row('extract: tool call complete', 'toolCallMs'));
  console.log(`\nStreaming by sentence starts speech ${gap.toFixed(0)} ms earlier (p50).`);
}

await main();
