import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runSimulatedCall } from '../../scripts/lib/simulated-call.js';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-server.js';
import { startFakeElevenLabs } from '../fakes/elevenlabs-server.js';
import { startFakeOpenAi } from '../fakes/openai-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

type ElevenLabsFake = Awaited<ReturnType<typeof startFakeElevenLabs>>;
type OpenAiFake = Awaited<ReturnType<typeof startFakeOpenAi>>;

/**
 * A free question answered by the LLM and spoken sentence by sentence as the answer streams:
 * Deepgram (fake) hears the question, the flow's listen hands it to `support.answer`, the OpenAI
 * fake streams tokens, and every complete sentence becomes its own ElevenLabs request.
 */
const FLOW = {
  id: 'faq',
  version: 1,
  description: 'Answers one free question, then says goodbye.',
  locales: ['en-US'],
  vars: { businessName: { required: true } },
  defaults: { onExhausted: { noInput: 'sorry', noMatch: 'sorry' } },
  initial: 'ask',
  states: {
    ask: {
      say: 'faq.ask',
      listen: {
        choices: [{ id: 'bye', phrases: ['goodbye'] }],
        endpointing: 'long',
        interpret: { task: 'support.answer' },
      },
      on: { bye: 'bye', answered: 'bye', error: 'sorry', unavailable: 'sorry' },
    },
    bye: { say: 'faq.bye', final: { hangUp: { reason: 'faq:answered' } } },
    sorry: { say: 'faq.sorry', final: { hangUp: { reason: 'faq:sorry' } } },
  },
};
const PROMPTS = {
  'faq.ask': 'What would you like to know?',
  'faq.bye': 'Thanks for calling. Goodbye.',
  'faq.sorry': "Sorry, I can't answer that right now. Goodbye.",
};
const ANSWER =
  'We close at ten on Sundays. The kitchen takes last orders at half past nine. See you soon!';

describe('a streamed LLM answer is spoken sentence by sentence', () => {
  let dir: string;
  let srv: TestServer;
  let dg: DeepgramFake;
  let el: ElevenLabsFake;
  let ai: OpenAiFake;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ivr-faq-'));
    await mkdir(path.join(dir, 'flows'));
    await cp('prompts', path.join(dir, 'prompts'), { recursive: true });
    await writeFile(path.join(dir, 'flows', 'faq.flow.json'), JSON.stringify(FLOW));
    await writeFile(path.join(dir, 'prompts', 'en-US', 'faq.json'), JSON.stringify(PROMPTS));
    [dg, el, ai] = await Promise.all([
      startDeepgramFake(),
      startFakeElevenLabs(),
      startFakeOpenAi({ firstTokenDelayMs: 100, tokenDelayMs: 30 }),
    ]);
    srv = await startTestServer({
      FLOWS_DIR: path.join(dir, 'flows'),
      PROMPTS_DIR: path.join(dir, 'prompts'),
      DEFAULT_FLOW: 'faq',
      STT_PROVIDER: 'deepgram',
      DEEPGRAM_API_KEY: dg.apiKey,
      DEEPGRAM_URL: dg.url,
      TTS_PROVIDER: 'elevenlabs',
      ELEVENLABS_API_KEY: el.apiKey,
      ELEVENLABS_URL: el.url,
      ELEVENLABS_VOICE_ID: '21m00Tcm4TlvDq8ikWAM',
      OPENAI_API_KEY: ai.apiKey,
      OPENAI_BASE_URL: ai.url,
    });
  }, 120_000);
  afterAll(async () => {
    await srv?.stopAll();
    await Promise.all([dg?.close(), el?.close(), ai?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('speaks each sentence as it completes, then continues the flow', async () => {
    ai.enqueue({ text: ANSWER });
    dg.say('what time do you close on sundays');
    const r = await runSimulatedCall({
      server: srv.url,
      from: '+15550001111',
      to: '+15550002222',
      steps: [{ kind: 'say', text: 'what time do you close on sundays' }],
    });
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe('faq:answered');
    const spoken = r.record!.turns.filter((t) => t.prompt === 'task.speech').map((t) => t.text);
    expect(spoken).toEqual([
      'We close at ten on Sundays.',
      'The kitchen takes last orders at half past nine.',
      'See you soon!',
    ]);
    // One synthesis per sentence: the first went to ElevenLabs on its own, before the rest existed.
    const texts = el.requests.map((q) => q.text);
    for (const s of spoken) expect(texts).toContain(s);
    const question = r.record!.turns.find((t) => t.role === 'caller');
    expect(question?.stages?.llm_first_sentence).toBeGreaterThan(0);
    expect(ai.requests.at(-1)?.messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ content: expect.stringContaining('close on sundays') }),
      ]),
    );
  }, 90_000);
});
