import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { ProviderError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { FRAME_BYTES } from '../../src/media/framing.js';
import {
  createElevenLabsProvider,
  type ElevenLabsOptions,
} from '../../src/tts/providers/elevenlabs.js';
import { segmentText } from '../../src/tts/providers/elevenlabs-text.js';
import { ttsProviders } from '../../src/tts/registry.js';
import type { TtsProvider } from '../../src/tts/types.js';
import { startFakeElevenLabs, type FakeElevenLabs } from '../fakes/elevenlabs-server.js';

const VOICE = 'configuredVoice01';
const MODEL = 'eleven_flash_v2_5';
const req = (text: string, voice = 'en-us') => ({ text, voice, language: 'en-US' });

let fake: FakeElevenLabs;
beforeEach(async () => {
  fake = await startFakeElevenLabs();
});
afterEach(async () => {
  await fake.close();
});

function provider(over: Partial<ElevenLabsOptions> = {}): TtsProvider {
  return createElevenLabsProvider({
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    voiceId: VOICE,
    modelId: MODEL,
    logger: silentLogger(),
    ...over,
  });
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const f of it) out.push(f);
  return out;
}

/** What the client must have played: the bytes sent, padded to whole frames with 0xFF. */
function padded(bytes: Buffer): Buffer {
  const rest = bytes.length % FRAME_BYTES;
  return rest ? Buffer.concat([bytes, Buffer.alloc(FRAME_BYTES - rest, 0xff)]) : bytes;
}

async function failure(p: TtsProvider, text = 'Hello there.'): Promise<ProviderError> {
  const frames: Buffer[] = [];
  try {
    for await (const f of p.synthesize(req(text), new AbortController().signal)) frames.push(f);
  } catch (err) {
    expect(frames).toEqual([]); // an error body is never played as audio
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  throw new Error('expected a ProviderError');
}

describe('ElevenLabs TTS provider (SDK → local fake)', () => {
  it('passes the µ-law bytes through untouched, re-chunked into 160-byte frames', async () => {
    const frames = await collect(
      provider().synthesize(req('Hello there.'), new AbortController().signal),
    );
    expect(fake.requests).toHaveLength(1);
    const r = fake.requests[0]!;
    expect(r.stream).toBe(true);
    expect(r.voiceId).toBe(VOICE);
    expect(r.query.output_format).toBe('ulaw_8000');
    expect(r.headers['xi-api-key']).toBe(fake.apiKey);
    expect(r.body).toMatchObject({ text: 'Hello there.', model_id: MODEL, language_code: 'en' });
    for (const f of frames) expect(f.length).toBe(FRAME_BYTES);
    expect(r.sent.length % FRAME_BYTES).not.toBe(0); // the fake's chunks are irregular
    expect(Buffer.concat(frames).equals(padded(r.sent))).toBe(true);
  });

  it('requests the first sentence alone, the rest after it, with context, in order', async () => {
    const text = 'Welcome to our store. Your order has shipped. It arrives on Monday. Goodbye.';
    const frames = await collect(provider().synthesize(req(text), new AbortController().signal));
    const texts = fake.requests.map((r) => r.text);
    expect(texts).toEqual(segmentText(text).map((s) => s.text));
    expect(texts[0]).toBe('Welcome to our store.');
    expect(fake.requests[1]!.body).toMatchObject({ previous_text: 'Welcome to our store.' });
    expect(fake.requests[0]!.body).toMatchObject({ next_text: texts.slice(1).join(' ') });
    const sent = Buffer.concat(fake.requests.map((r) => r.sent));
    expect(Buffer.concat(frames).equals(padded(sent))).toBe(true);
  });

  it('yields the first frame before the vendor has finished the response', async () => {
    fake.options.holdAfterBytes = 400;
    const frames = provider().synthesize(
      req('Thanks for calling, how can I help you today?'),
      new AbortController().signal,
    );
    const it = frames[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    expect(fake.requests[0]!.finished).toBe(false);
    expect(fake.requests[0]!.sent.length).toBeLessThanOrEqual(400);
    fake.release();
    let n = 1;
    while (!(await it.next()).done) n++;
    expect(n * FRAME_BYTES).toBeGreaterThanOrEqual(fake.requests[0]!.sent.length);
  });

  it('abort cancels the request at once: the fake sees the disconnect, no more frames', async () => {
    fake.options.holdAfterBytes = 400;
    const ac = new AbortController();
    const frames: Buffer[] = [];
    for await (const f of provider().synthesize(
      req('A long answer. And more. And more.'),
      ac.signal,
    )) {
      frames.push(f);
      ac.abort();
    }
    expect(frames).toHaveLength(1);
    const r = await fake.ended(0);
    expect(r.aborted).toBe(true);
    expect(r.finished).toBe(false);
  });

  it('abort before the first byte ends the iteration without frames or errors', async () => {
    fake.options.firstByteDelayMs = 5000;
    const ac = new AbortController();
    const it = provider().synthesize(req('Hello there.'), ac.signal)[Symbol.asyncIterator]();
    const next = it.next();
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    expect(await next).toEqual({ done: true, value: undefined });
    expect((await fake.ended(0)).aborted).toBe(true);
  });

  it('a bad key is TTS_AUTH, not retryable', async () => {
    const err = await failure(provider({ apiKey: 'wrong-key' }));
    expect(err.code).toBe('TTS_AUTH');
    expect(err.retryable).toBe(false);
    expect(fake.requests[0]!.status).toBe(401);
  });

  it.each([500, 503, 429])(
    'HTTP %i is retryable PROVIDER_UNAVAILABLE (one request, no SDK retry)',
    async (status) => {
      fake.options.failStatus = status;
      const err = await failure(provider());
      expect(err.code).toBe('PROVIDER_UNAVAILABLE');
      expect(err.retryable).toBe(true);
      expect(fake.requests).toHaveLength(1);
    },
  );

  it('a request the API rejects (422) is BAD_REQUEST, not retryable', async () => {
    fake.options.failStatus = 422;
    const err = await failure(provider());
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.retryable).toBe(false);
  });

  it('a mid-stream disconnect is a retryable failure after the frames already received', async () => {
    fake.options.disconnectAfterBytes = 1000;
    const frames: Buffer[] = [];
    const err = await (async () => {
      for await (const f of provider().synthesize(
        req('Hello there, how are you?'),
        new AbortController().signal,
      ))
        frames.push(f);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).retryable).toBe(true);
    expect(frames.length).toBeLessThanOrEqual(Math.ceil(1000 / FRAME_BYTES));
  });

  it('an unreachable server is retryable PROVIDER_UNAVAILABLE', async () => {
    const url = fake.url;
    await fake.close();
    const err = await failure(provider({ baseUrl: url }));
    expect(err.code).toBe('PROVIDER_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    fake = await startFakeElevenLabs(); // for afterEach
  });

  it('a stalled response fails after idleTimeoutMs (retryable) and is cancelled', async () => {
    fake.options.holdAfterBytes = 300;
    const err = await (async () => {
      for await (const _ of provider({ idleTimeoutMs: 200 }).synthesize(
        req('Hello there, how are you?'),
        new AbortController().signal,
      ))
        void _;
    })().catch((e: unknown) => e);
    expect((err as ProviderError).code).toBe('PROVIDER_UNAVAILABLE');
    expect((await fake.ended(0)).aborted).toBe(true);
  });

  it('uses the request voice when it is an ElevenLabs voice id, else the configured one', async () => {
    const id = 'AbCdEfGhIjKlMnOpQrSt';
    await collect(provider().synthesize(req('Hi.', id), new AbortController().signal));
    await collect(provider().synthesize(req('Hi.', 'en-us'), new AbortController().signal));
    expect(fake.requests.map((r) => r.voiceId)).toEqual([id, VOICE]);
  });

  it('text without words makes no request', async () => {
    expect(
      await collect(provider().synthesize(req(' ... '), new AbortController().signal)),
    ).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('the registry entry is built from config (ELEVENLABS_URL, key, voice, model)', async () => {
    const config = loadConfig({
      TTS_PROVIDER: 'elevenlabs',
      ELEVENLABS_URL: fake.url,
      ELEVENLABS_API_KEY: fake.apiKey,
      ELEVENLABS_VOICE_ID: 'fromConfigVoice',
      ELEVENLABS_MODEL_ID: 'eleven_turbo_v2',
    });
    const tts = ttsProviders.elevenlabs(config, silentLogger());
    expect(
      (await collect(tts.synthesize(req('Hi.'), new AbortController().signal))).length,
    ).toBeGreaterThan(0);
    expect(fake.requests[0]).toMatchObject({
      voiceId: 'fromConfigVoice',
      modelId: 'eleven_turbo_v2',
    });
    expect(fake.requests[0]!.body).not.toHaveProperty('language_code'); // only v2.5 models take it
  });
});
