/**
 * The TtsProvider contract, run against every synthesizer: espeak (real espeak-ng) and
 * ElevenLabs (the SDK against the local fake vendor). Each case names how to see that the
 * provider's work has stopped (child process gone / HTTP request cancelled).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProviderError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { FRAME_BYTES } from '../../src/media/framing.js';
import { decodeUlaw } from '../../src/media/mulaw.js';
import { createElevenLabsProvider } from '../../src/tts/providers/elevenlabs.js';
import { createEspeakProvider } from '../../src/tts/providers/espeak.js';
import type { TtsProvider } from '../../src/tts/types.js';
import { startFakeElevenLabs, type FakeElevenLabs } from '../fakes/elevenlabs-server.js';
import { childrenNamed } from '../helpers/speech.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const req = (text: string) => ({ text, voice: 'en-us', language: 'en-US' });
const LONG = Array.from(
  { length: 6 },
  (_, i) => `This is sentence ${i + 1} of a long answer.`,
).join(' ');

interface Subject {
  name: string;
  provider(): TtsProvider;
  /** A provider whose every synthesis fails. */
  broken(): TtsProvider;
  /** Makes the next synthesis slow to start (so an abort lands before the first frame). */
  slowStart(): void;
  /** Resolves once the provider's work for the last synthesis has started. */
  started(): Promise<void>;
  /** Resolves when no synthesis work is left running; rejects if it does not stop. */
  workStopped(): Promise<void>;
  reset(): void;
}

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const espeak: Subject = {
  name: 'espeak (espeak-ng)',
  provider: () => createEspeakProvider({ bin: 'espeak-ng', logger: silentLogger() }),
  broken: () => createEspeakProvider({ bin: '/nonexistent/espeak-ng', logger: silentLogger() }),
  slowStart: () => undefined, // a long first sentence keeps espeak-ng busy for a while
  started: () => until(() => childrenNamed('espeak-ng').length > 0, 'espeak-ng to start'),
  workStopped: () => until(() => childrenNamed('espeak-ng').length === 0, 'espeak-ng to exit'),
  reset: () => undefined,
};

let fake: FakeElevenLabs;
const elevenlabs: Subject = {
  name: 'elevenlabs (SDK → fake)',
  provider: () =>
    createElevenLabsProvider({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      voiceId: 'contractVoice',
      modelId: 'eleven_flash_v2_5',
      logger: silentLogger(),
    }),
  broken: () => {
    fake.options.failStatus = 500;
    return elevenlabs.provider();
  },
  slowStart: () => {
    fake.options.firstByteDelayMs = 3000;
  },
  started: () => until(() => fake.requests.length > 0, 'the request'),
  workStopped: async () => {
    await until(
      () => fake.requests.every((r) => r.endedAtMs !== undefined),
      'every request to end',
    );
    for (const r of fake.requests) expect(r.finished || r.aborted).toBe(true);
  },
  reset: () => {
    fake.options = {};
    fake.requests.length = 0;
  },
};

beforeAll(async () => {
  fake = await startFakeElevenLabs();
});
afterAll(async () => {
  await fake.close();
});

function rms(frames: Buffer[]): number {
  const pcm = decodeUlaw(Buffer.concat(frames));
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return Math.sqrt(sum / Math.max(1, pcm.length));
}

describe.each([espeak, elevenlabs])('TtsProvider contract: $name', (s) => {
  const run = async (p: TtsProvider, text: string, signal = new AbortController().signal) => {
    const out: Buffer[] = [];
    for await (const f of p.synthesize(req(text), signal)) out.push(f);
    return out;
  };

  it('yields audible µ-law in exact 160-byte frames', async () => {
    s.reset();
    const frames = await run(s.provider(), 'Hello, thanks for calling. How can I help?');
    expect(frames.length).toBeGreaterThan(25);
    for (const f of frames) expect(f.length).toBe(FRAME_BYTES);
    expect(rms(frames)).toBeGreaterThan(500);
    await s.workStopped();
  });

  it('abort after the first frame: no further frames, the work stops', async () => {
    s.reset();
    const ac = new AbortController();
    const frames: Buffer[] = [];
    for await (const f of s.provider().synthesize(req(LONG), ac.signal)) {
      frames.push(f);
      ac.abort();
    }
    expect(frames).toHaveLength(1);
    await s.workStopped();
  });

  it('abort before the first frame ends the iteration promptly without error', async () => {
    s.reset();
    s.slowStart();
    const ac = new AbortController();
    const text = `${'A very long single sentence without any pause, '.repeat(150)}end.`;
    const it = s.provider().synthesize(req(text), ac.signal)[Symbol.asyncIterator]();
    const next = it.next();
    await s.started();
    const t0 = performance.now();
    ac.abort();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(performance.now() - t0).toBeLessThan(1000); // generous: "promptly"
    await s.workStopped();
  });

  it('an already aborted signal yields nothing', async () => {
    s.reset();
    const ac = new AbortController();
    ac.abort();
    expect(await run(s.provider(), 'Hello there.', ac.signal)).toEqual([]);
  });

  it('a failure is a ProviderError with a code and a retry decision, and no frames', async () => {
    s.reset();
    const frames: Buffer[] = [];
    const err = await (async () => {
      for await (const f of s
        .broken()
        .synthesize(req('Hello there.'), new AbortController().signal))
        frames.push(f);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toMatch(/^[A-Z_]+$/);
    expect(typeof (err as ProviderError).retryable).toBe('boolean');
    expect(frames).toEqual([]);
  });

  it('text without words yields nothing', async () => {
    s.reset();
    expect(await run(s.provider(), ' ... ')).toEqual([]);
  });
});
