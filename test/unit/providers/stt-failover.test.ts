/**
 * The STT failover decorator with a failing vendor stand-in as the primary (an in-test
 * SttProvider whose failures the test triggers) and the real fallbacks: the keypad-only provider
 * and pocketsphinx decoding real synthesized speech.
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ProviderError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { Metrics } from '../../../src/metrics/metrics.js';
import { ProviderHealth } from '../../../src/providers/health.js';
import { withSttFailover } from '../../../src/stt/failover.js';
import { createKeypadOnlyProvider } from '../../../src/stt/providers/keypad-only.js';
import { createPocketsphinxProvider } from '../../../src/stt/providers/pocketsphinx.js';
import type {
  SttEvent,
  SttHintOptions,
  SttProvider,
  SttStream,
  SttStreamOptions,
} from '../../../src/stt/types.js';
import {
  callerTurnFrames,
  ensureFrontendBuilt,
  EventLog,
  feedFrames,
  isTranscript,
  SPEECH_PATHS,
} from '../../helpers/speech.js';

/** A cloud recognizer stand-in: opens as told, records what it gets, fails on demand. */
class StandInStream implements SttStream {
  readonly frames: Buffer[] = [];
  hints: { hints: readonly string[]; opts?: SttHintOptions }[] = [];
  closed = false;
  private listeners: ((e: SttEvent) => void)[] = [];
  onEvent(l: (e: SttEvent) => void): void {
    this.listeners.push(l);
  }
  emit(e: SttEvent): void {
    this.listeners.forEach((l) => l(e));
  }
  write(f: Buffer): void {
    this.frames.push(f);
  }
  setHints(hints: readonly string[], opts?: SttHintOptions): void {
    this.hints.push({ hints, ...(opts ? { opts } : {}) });
  }
  finalize(): void {}
  async close(): Promise<void> {
    this.closed = true;
  }
}

class StandInProvider implements SttProvider {
  readonly id = 'cloud';
  readonly capabilities = { interim: true, grammarOnly: false, speechEvents: true };
  opens = 0;
  failures: ProviderError[] = [];
  streams: StandInStream[] = [];
  async openStream(_o: SttStreamOptions, signal: AbortSignal): Promise<SttStream> {
    this.opens++;
    const err = this.failures.shift();
    if (err) throw err;
    if (signal.aborted)
      throw new ProviderError('cloud', false, 'aborted', { code: 'PROVIDER_ABORTED' });
    const s = new StandInStream();
    this.streams.push(s);
    return s;
  }
}

const blip = () => new ProviderError('cloud', true, 'connection reset');
const badKey = () =>
  new ProviderError('cloud', false, 'unauthorized', { code: 'PROVIDER_UNAVAILABLE' });
const opts: SttStreamOptions = { language: 'en-US', hints: [] };
const fastRetry = { attempts: 3, baseDelayMs: 5, maxDelayMs: 10, budgetMs: 1500 };

function setup(fallback: SttProvider = createKeypadOnlyProvider(), switchBufferFrames?: number) {
  const primary = new StandInProvider();
  const health = new ProviderHealth({ cooldownMs: 60_000 });
  const metrics = new Metrics({ processMetrics: false, providerHealth: () => health.snapshot() });
  const stt = withSttFailover(primary, fallback, {
    health,
    metrics,
    retry: fastRetry,
    logger: silentLogger(),
    ...(switchBufferFrames ? { switchBufferFrames } : {}),
  });
  return { primary, health, metrics, stt };
}

const opened: SttStream[] = [];
async function open(stt: SttProvider, signal = new AbortController().signal) {
  const s = await stt.openStream(opts, signal);
  opened.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

const isChanged = (e: SttEvent): e is Extract<SttEvent, { type: 'provider.changed' }> =>
  e.type === 'provider.changed';
const isError = (e: SttEvent): e is Extract<SttEvent, { type: 'error' }> => e.type === 'error';

describe('withSttFailover: opening', () => {
  it('uses a healthy primary and passes its events and audio through', async () => {
    const { primary, stt } = setup();
    const s = await open(stt);
    const log = new EventLog(s);
    s.write(Buffer.alloc(160));
    s.setHints(['yes', 'no'], { endpointing: 'short' });
    primary.streams[0]!.emit({ type: 'partial', text: 'ye' });
    expect(log.events).toEqual([{ type: 'partial', text: 'ye' }]);
    expect(primary.streams[0]!.frames).toHaveLength(1);
    expect(primary.streams[0]!.hints).toEqual([
      { hints: ['yes', 'no'], opts: { endpointing: 'short' } },
    ]);
  });

  it('retries retryable open failures on the primary', async () => {
    const { primary, stt, health } = setup();
    primary.failures.push(blip(), blip());
    const s = await open(stt);
    const log = new EventLog(s);
    expect(primary.opens).toBe(3);
    expect(primary.streams).toHaveLength(1);
    expect(health.state('cloud')).toBe('up');
    await new Promise((r) => setTimeout(r, 10));
    expect(log.events.filter(isChanged)).toEqual([]);
  });

  it('opens the fallback when the primary fails for good, and says so', async () => {
    const { primary, stt, metrics, health } = setup();
    primary.failures.push(badKey());
    const s = await open(stt);
    const log = new EventLog(s);
    const changed = await log.waitFor(isChanged, 2000);
    expect(changed).toEqual({
      type: 'provider.changed',
      provider: 'none',
      reason: 'PROVIDER_UNAVAILABLE',
    });
    expect(primary.opens).toBe(1); // a non-retryable error is not retried
    expect(health.state('cloud')).toBe('down');
    const text = (await metrics.render()).body;
    expect(text).toMatch(/ivr_provider_fallbacks_total\{kind="stt",from="cloud",to="none"\} 1/);
    expect(text).toMatch(
      /ivr_provider_errors_total\{provider="cloud",code="PROVIDER_UNAVAILABLE"\} 1/,
    );
    expect(text).toMatch(/ivr_provider_up\{provider="cloud"\} 0/);
    expect(text).toMatch(/ivr_provider_up\{provider="none"\} 1/);
  });

  it('does not try a primary that is down on the next call', async () => {
    const { primary, stt } = setup();
    primary.failures.push(badKey());
    await open(stt);
    const s2 = await open(stt);
    expect(primary.opens).toBe(1);
    await new EventLog(s2).waitFor(isChanged, 2000);
  });

  it('aborting while the primary is retried rejects with PROVIDER_ABORTED, no fallback', async () => {
    const fallback = createKeypadOnlyProvider();
    let fallbackOpens = 0;
    const counted: SttProvider = {
      ...fallback,
      openStream: (o, sig) => (fallbackOpens++, fallback.openStream(o, sig)),
    };
    const primary = new StandInProvider();
    const stt = withSttFailover(primary, counted, {
      health: new ProviderHealth({ cooldownMs: 60_000 }),
      retry: { attempts: 3, baseDelayMs: 10_000, maxDelayMs: 10_000, budgetMs: 0 },
      logger: silentLogger(),
    });
    primary.failures.push(blip());
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 20);
    await expect(stt.openStream(opts, ctrl.signal)).rejects.toMatchObject({
      code: 'PROVIDER_ABORTED',
    });
    expect(fallbackOpens).toBe(0);
  });
});

describe('withSttFailover: mid-call', () => {
  it('an error event switches to the keypad-only fallback; close is idempotent', async () => {
    const { primary, stt } = setup();
    const s = await open(stt);
    const log = new EventLog(s);
    primary.streams[0]!.emit({ type: 'error', error: blip() });
    const changed = await log.waitFor(isChanged, 2000);
    expect(changed).toMatchObject({ provider: 'none', reason: 'PROVIDER_FAILED' });
    expect(primary.streams[0]!.closed).toBe(true);
    expect(log.events.filter(isError)).toEqual([]);
    // late events of the dead primary are not delivered
    primary.streams[0]!.emit({ type: 'partial', text: 'late' });
    expect(log.events.map((e) => e.type)).toEqual(['provider.changed']);
    await s.close();
    await s.close();
  });

  it('emits the error when the fallback fails too', async () => {
    const broken = createPocketsphinxProvider({
      bin: '/nonexistent/ps-frontend',
      modelDir: SPEECH_PATHS.modelDir,
      dict: '/nonexistent/dict',
      logger: silentLogger(),
    });
    const { primary, stt } = setup(broken);
    const s = await open(stt);
    const log = new EventLog(s);
    primary.streams[0]!.emit({ type: 'error', error: blip() });
    const e = await log.waitFor(isError, 5000);
    expect(e.error.provider).toBe('pocketsphinx');
    expect(log.events.filter(isChanged)).toEqual([]);
  });

  it('closing during the switch closes the fallback when it opens; no events after', async () => {
    const { primary, stt } = setup();
    const s = await open(stt);
    const log = new EventLog(s);
    primary.streams[0]!.emit({ type: 'error', error: blip() });
    await s.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(log.events).toEqual([]);
  });
});

describe('withSttFailover: mid-call to pocketsphinx with real speech', () => {
  beforeAll(() => ensureFrontendBuilt());
  const pocketsphinx = () =>
    createPocketsphinxProvider({
      bin: SPEECH_PATHS.pocketsphinxBin,
      modelDir: SPEECH_PATHS.modelDir,
      dict: SPEECH_PATHS.dict,
      logger: silentLogger(),
    });

  it('re-applies the last hints, keeps audio written during the switch, transcribes', async () => {
    const { primary, stt } = setup(pocketsphinx(), 1000);
    const s = await open(stt);
    const log = new EventLog(s);
    // 'book' is not in the recognizer's default grammar: it is heard only if the hints follow.
    s.setHints(['order', 'book', 'support'], { endpointing: 'short' });
    const frames = await callerTurnFrames('book', { leadMs: 300, trailMs: 1200 });
    primary.streams[0]!.emit({ type: 'error', error: blip() });
    // The caller keeps talking while the fallback starts: nothing written now is lost.
    await feedFrames(s, frames, { speedup: 20 });
    const t = await log.waitFor(isTranscript, 15_000);
    expect(t.text.split(' ')).toContain('book');
    const types = log.events.map((e) => e.type);
    expect(types.indexOf('provider.changed')).toBeLessThan(types.indexOf('transcript'));
    expect(log.events.find(isChanged)?.provider).toBe('pocketsphinx');
  }, 30_000);
});
