/**
 * The TTS failover decorator with a failing vendor stand-in as the primary (an in-test
 * TtsProvider that fails as the test says) and the real espeak-ng provider as the fallback.
 */
import { describe, expect, it } from '@jest/globals';
import { ProviderError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { Metrics } from '../../../src/metrics/metrics.js';
import { ProviderHealth } from '../../../src/providers/health.js';
import { withTtsFailover } from '../../../src/tts/failover.js';
import { createEspeakProvider } from '../../../src/tts/providers/espeak.js';
import type { TtsProvider, TtsRequest } from '../../../src/tts/types.js';

const CLOUD_FRAME = Buffer.alloc(160, 0x11);
type Step = { fail: ProviderError; afterFrames?: number } | { frames: number } | 'hang';

/** A cloud synthesizer stand-in: each call follows the next scripted step. */
class StandInTts implements TtsProvider {
  readonly id = 'cloud';
  readonly capabilities = { streaming: true, nativeUlaw8k: true };
  calls = 0;
  constructor(private readonly steps: Step[]) {}
  async *synthesize(_req: TtsRequest, signal: AbortSignal): AsyncGenerator<Buffer> {
    this.calls++;
    const step = this.steps.shift() ?? { frames: 3 };
    if (step === 'hang') {
      await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      return;
    }
    if ('frames' in step) {
      for (let i = 0; i < step.frames; i++) yield CLOUD_FRAME;
      return;
    }
    for (let i = 0; i < (step.afterFrames ?? 0); i++) yield CLOUD_FRAME;
    throw step.fail;
  }
}

const blip = () => new ProviderError('cloud', true, 'socket closed');
const badKey = () =>
  new ProviderError('cloud', false, 'unauthorized', { code: 'PROVIDER_UNAVAILABLE' });
const req: TtsRequest = { text: 'Thanks for calling.', voice: 'cloud-voice-id', language: 'en-US' };

function setup(steps: Step[]) {
  const primary = new StandInTts(steps);
  const health = new ProviderHealth({ cooldownMs: 60_000 });
  const metrics = new Metrics({ processMetrics: false, providerHealth: () => health.snapshot() });
  const espeak = createEspeakProvider({ bin: 'espeak-ng', logger: silentLogger() });
  const tts = withTtsFailover(primary, espeak, {
    health,
    metrics,
    logger: silentLogger(),
    retryDelayMs: 5,
    fallbackRequest: (r) => ({ ...r, voice: '' }),
  });
  return { primary, health, metrics, tts };
}

async function collect(tts: TtsProvider, signal = new AbortController().signal) {
  const frames: Buffer[] = [];
  for await (const f of tts.synthesize(req, signal)) frames.push(f);
  return frames;
}
const fromCloud = (frames: Buffer[]) => frames.filter((f) => f.equals(CLOUD_FRAME)).length;

describe('withTtsFailover', () => {
  it('a healthy primary speaks', async () => {
    const { tts, primary } = setup([{ frames: 4 }]);
    const frames = await collect(tts);
    expect(frames).toHaveLength(4);
    expect(fromCloud(frames)).toBe(4);
    expect(primary.calls).toBe(1);
  });

  it('retries once a retryable failure before the first frame', async () => {
    const { tts, primary, health } = setup([{ fail: blip() }, { frames: 2 }]);
    expect(fromCloud(await collect(tts))).toBe(2);
    expect(primary.calls).toBe(2);
    expect(health.state('cloud')).toBe('up');
  });

  it('then falls back: the same request is spoken by espeak', async () => {
    const { tts, primary, metrics } = setup([{ fail: blip() }, { fail: blip() }]);
    const frames = await collect(tts);
    expect(primary.calls).toBe(2);
    expect(frames.length).toBeGreaterThan(25); // ~1 s of speech in 20 ms frames
    expect(frames.every((f) => f.length === 160)).toBe(true);
    expect(fromCloud(frames)).toBe(0);
    const text = (await metrics.render()).body;
    expect(text).toMatch(/ivr_provider_fallbacks_total\{kind="tts",from="cloud",to="espeak"\} 1/);
    expect(text).toMatch(/ivr_provider_errors_total\{provider="cloud",code="PROVIDER_FAILED"\} 2/);
  });

  it('a non-retryable failure goes to the fallback without a retry and marks the primary down', async () => {
    const { tts, primary, health } = setup([{ fail: badKey() }]);
    const frames = await collect(tts);
    expect(primary.calls).toBe(1);
    expect(frames.length).toBeGreaterThan(25);
    expect(health.state('cloud')).toBe('down');
    // The next request skips the primary entirely while it is down.
    expect((await collect(tts)).length).toBeGreaterThan(25);
    expect(primary.calls).toBe(1);
  });

  it('a failure after frames were yielded is rethrown, not papered over', async () => {
    const { tts } = setup([{ fail: blip(), afterFrames: 2 }]);
    const got: Buffer[] = [];
    let code: string | undefined;
    try {
      for await (const f of tts.synthesize(req, new AbortController().signal)) got.push(f);
    } catch (err) {
      code = (err as ProviderError).code;
    }
    expect(code).toBe('PROVIDER_FAILED');
    expect(fromCloud(got)).toBe(2);
    expect(got).toHaveLength(2);
  });

  it('abort ends the iteration without error or fallback and leaves health alone', async () => {
    const { tts, health, metrics } = setup(['hang']);
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 20);
    expect(await collect(tts, ctrl.signal)).toEqual([]);
    expect(health.state('cloud')).toBe('up');
    expect((await metrics.render()).body).not.toMatch(/ivr_provider_fallbacks_total\{/);
  });

  it('abort during the fallback stops espeak promptly', async () => {
    const { tts } = setup([{ fail: badKey() }]);
    const ctrl = new AbortController();
    const frames: Buffer[] = [];
    const longReq = { ...req, text: 'One. Two. Three. Four. Five. Six. Seven. Eight.' };
    for await (const f of tts.synthesize(longReq, ctrl.signal)) {
      frames.push(f);
      if (frames.length === 1) ctrl.abort();
    }
    expect(frames).toHaveLength(1);
  });
});
