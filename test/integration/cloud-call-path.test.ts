import { runSimulatedCall, type SimStep } from '../../scripts/lib/simulated-call.js';
import { placeCall } from '../../scripts/lib/twilio-client.js';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-server.js';
import { startFakeElevenLabs } from '../fakes/elevenlabs-server.js';
import { startFakeOpenAi } from '../fakes/openai-server.js';
import { synthesizeCallerFrames } from '../helpers/speech.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

type ElevenLabsFake = Awaited<ReturnType<typeof startFakeElevenLabs>>;
type OpenAiFake = Awaited<ReturnType<typeof startFakeOpenAi>>;

/**
 * The whole call path with the cloud providers' real SDKs pointed at local servers speaking the
 * vendors' wire protocols: Deepgram (live WebSocket), ElevenLabs (HTTP streaming), OpenAI (SSE).
 * The caller's audio is real synthesized speech; the Deepgram fake detects it by energy and
 * answers with the transcript the test queued.
 */
describe('call path with cloud providers (vendor fakes)', () => {
  let srv: TestServer;
  let dg: DeepgramFake;
  let el: ElevenLabsFake;
  let ai: OpenAiFake;

  beforeAll(async () => {
    [dg, el, ai] = await Promise.all([
      startDeepgramFake(),
      startFakeElevenLabs(),
      startFakeOpenAi({}),
    ]);
    srv = await startTestServer({
      STT_PROVIDER: 'deepgram',
      DEEPGRAM_API_KEY: dg.apiKey,
      DEEPGRAM_URL: dg.url,
      TTS_PROVIDER: 'elevenlabs',
      ELEVENLABS_API_KEY: el.apiKey,
      ELEVENLABS_URL: el.url,
      ELEVENLABS_VOICE_ID: '21m00Tcm4TlvDq8ikWAM',
      OPENAI_API_KEY: ai.apiKey,
      OPENAI_BASE_URL: ai.url,
      OPENAI_TIMEOUT_MS: '1500',
      PROVIDER_COOLDOWN_MS: '300',
    });
  }, 120_000);
  afterAll(async () => {
    await srv?.stopAll();
    await Promise.all([dg?.close(), el?.close(), ai?.close()]);
  });
  afterEach(async () => {
    dg.clearFaults();
    dg.clearScript();
    el.options.failStatus = undefined;
    await new Promise((r) => setTimeout(r, 400)); // past the provider cooldown
  });

  const call = (steps: SimStep[]) =>
    runSimulatedCall({ server: srv.url, from: '+15550001111', to: '+15550002222', steps });
  const say = (heard: string, spoken = heard): SimStep[] => {
    dg.say(heard);
    return [{ kind: 'say', text: spoken }];
  };
  const prompts = (r: Awaited<ReturnType<typeof call>>) =>
    r.record!.turns.filter((t) => t.role === 'bot').map((t) => t.prompt);

  it('natural speech: Deepgram → flow → ElevenLabs reaches support', async () => {
    const before = el.requests.length;
    const r = await call(say('I have a question for customer support'));
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe('route:support');
    const conn = dg.received.connections[dg.received.connections.length - 1]!;
    expect(conn.query.get('encoding')).toBe('mulaw');
    expect(conn.query.get('sample_rate')).toBe('8000');
    expect(el.requests.length).toBeGreaterThan(before);
    expect(el.requests[el.requests.length - 1]!.query.output_format).toBe('ulaw_8000');
    const caller = r.record!.turns.find((t) => t.role === 'caller');
    expect(caller?.text).toContain('customer support');
    expect(caller?.stages?.stt_final).toBeGreaterThanOrEqual(0);
  }, 90_000);

  it('barge-in: Deepgram SpeechStarted during a prompt clears the audio', async () => {
    const { client } = await placeCall({
      server: srv.url,
      from: '+15550001111',
      to: '+15550002222',
    });
    const speech = await synthesizeCallerFrames('support');
    dg.say('support');
    await client.waitForBotSpeaking(10_000);
    await new Promise((r) => setTimeout(r, 1500));
    const cleared = client.waitFor('clear', () => true, 10_000);
    await client.streamFrames(speech);
    await cleared;
    expect(client.playback.utterances.some((u) => u.interrupted)).toBe(true);
    await client.stop();
  }, 60_000);

  it('a Deepgram socket dropped mid-utterance reconnects and the call completes', async () => {
    const connectionsBefore = dg.received.connections.length;
    dg.dropOnNextSpeech(300);
    // The fake scripts transcripts per utterance: one for the dropped socket, one for the replay.
    dg.say('support');
    const r = await call(say('support'));
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe('route:support');
    expect(dg.received.connections.length).toBeGreaterThanOrEqual(connectionsBefore + 2);
  }, 90_000);

  it('Deepgram refusing with 401 falls back to offline recognition', async () => {
    dg.refuse(401, 1000);
    const r = await call([{ kind: 'say', text: 'support' }]);
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe('route:support');
  }, 90_000);

  it('after falling back to offline recognition, re-prompts prefer the keypad wording', async () => {
    dg.refuse(401, 1000);
    const r = await call([
      { kind: 'silence', ms: 9000 },
      { kind: 'dtmf', digits: '3' },
    ]);
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe('route:support');
    const said = r.record!.turns.filter((t) => t.role === 'bot').map((t) => t.text ?? '');
    expect(said.some((t) => t.startsWith("Sorry, I didn't get that. Press 1"))).toBe(true);
  }, 90_000);

  it('ElevenLabs failing falls back to espeak-ng: the caller still hears every prompt', async () => {
    el.options.failStatus = 503;
    const r = await call([{ kind: 'dtmf', digits: '3' }]);
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe('route:support');
    const bot = r.record!.turns.filter((t) => t.role === 'bot');
    expect(bot.length).toBeGreaterThan(0);
    for (const t of bot) expect(t.timings.firstFrameSentMs).toBeDefined();
  }, 90_000);

  it('OpenAI understands what the rules cannot; an uncertain guess is confirmed', async () => {
    ai.enqueue({ toolCall: { name: 'choose', args: { choice: 'support', confidence: 0.5 } } });
    const steps = [...say('my pizza came cold and I want to complain'), ...say('yes')];
    const r = await call(steps);
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe('route:support');
    expect(prompts(r)).toContain('main-menu.confirm-support');
    expect(ai.requests.some((q) => Array.isArray(q.tools) && q.tools.length > 0)).toBe(true);
  }, 90_000);

  it('OpenAI timing out falls back to a re-prompt, and the call goes on', async () => {
    ai.enqueue({ hang: true });
    const r = await call([...say('um something about my thing'), { kind: 'dtmf', digits: '3' }]);
    expect(r.problems).toEqual([]);
    expect(prompts(r)).toContain('main-menu.no-match');
    expect(r.outcome).toBe('route:support');
  }, 90_000);
});
