/**
 * The Deepgram provider (real @deepgram/sdk) against the local Listen v1 fake
 * (test/fakes/deepgram-server.ts) with real synthesized caller audio.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { AppError, ProviderError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { silenceFrames } from '../../src/media/framing.js';
import { createDeepgramProvider, type DeepgramOptions } from '../../src/stt/providers/deepgram.js';
import { sttProviders } from '../../src/stt/registry.js';
import type { SttEvent, SttStream, SttStreamOptions } from '../../src/stt/types.js';
import { type DeepgramFake, startDeepgramFake } from '../fakes/deepgram-server.js';
import {
  EventLog,
  callerTurnFrames,
  feedFrames,
  isSpeechStarted,
  isTranscript,
  synthesizeCallerFrames,
} from '../helpers/speech.js';

let fake: DeepgramFake;
const open: SttStream[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isError = (e: SttEvent): e is Extract<SttEvent, { type: 'error' }> => e.type === 'error';

function provider(extra: Partial<DeepgramOptions> = {}) {
  return createDeepgramProvider({
    apiKey: fake.apiKey,
    url: fake.url,
    model: 'nova-3',
    logger: silentLogger(),
    keepAliveMs: 200,
    ...extra,
  });
}

async function openStream(
  opts: Partial<SttStreamOptions> = {},
  extra: Partial<DeepgramOptions> = {},
  signal = new AbortController().signal,
): Promise<SttStream> {
  const s = await provider(extra).openStream({ language: 'en-US', hints: [], ...opts }, signal);
  open.push(s);
  return s;
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

beforeAll(async () => {
  fake = await startDeepgramFake({ idleTimeoutMs: 3000 });
  await Promise.all(
    ['two large pepperoni pizzas', 'yes', 'one two three main street', 'springfield'].map((t) =>
      synthesizeCallerFrames(t),
    ),
  );
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await fake.close();
});

const last = () => fake.received.connections.at(-1)!;

describe('deepgram provider: connect parameters', () => {
  it('sends the Twilio audio format, auth, keyterms and the endpointing policy', async () => {
    const long = 'a phrase that is far too long to be a useful keyterm for recognition';
    await openStream({ hints: ['yes', ' no ', 'Yes', '', long], endpointing: 'short' });
    const q = last().query;
    expect(last().headers.authorization).toBe(`Token ${fake.apiKey}`);
    expect(
      Object.fromEntries(
        ['model', 'encoding', 'sample_rate', 'channels'].map((k) => [k, q.get(k)]),
      ),
    ).toEqual({
      model: 'nova-3',
      encoding: 'mulaw',
      sample_rate: '8000',
      channels: '1',
    });
    for (const k of ['interim_results', 'vad_events', 'smart_format', 'punctuate']) {
      expect(q.get(k)).toBe('true');
    }
    expect(q.getAll('keyterm')).toEqual(['yes', 'no']);
    expect(q.has('keywords')).toBe(false);
    expect(q.get('endpointing')).toBe('300');
    expect(q.get('utterance_end_ms')).toBe('1000');
    expect(q.get('language')).toBe('en-US');
  });

  it('uses keywords for older models and longer endpointing for long answers', async () => {
    await openStream(
      { hints: ['main street', 'elm street'], endpointing: 'long' },
      { model: 'nova-2-phonecall' },
    );
    const q = last().query;
    expect(q.has('keyterm')).toBe(false);
    expect(q.getAll('keywords').sort()).toEqual(['elm', 'main', 'street']);
    expect(Number(q.get('endpointing'))).toBeGreaterThanOrEqual(1000);
    expect(Number(q.get('utterance_end_ms'))).toBeGreaterThan(Number(q.get('endpointing')));
  });
});

describe('deepgram provider: registry', () => {
  it('builds from config (DEEPGRAM_URL, DEEPGRAM_MODEL) and transcribes', async () => {
    const config = loadConfig({
      STT_PROVIDER: 'deepgram',
      DEEPGRAM_API_KEY: fake.apiKey,
      DEEPGRAM_URL: fake.url,
      DEEPGRAM_MODEL: 'nova-2-phonecall',
    });
    const p = sttProviders.deepgram(config, silentLogger());
    expect(p.id).toBe('deepgram');
    const s = await p.openStream({ language: 'en-US', hints: [] }, new AbortController().signal);
    open.push(s);
    expect(last().query.get('model')).toBe('nova-2-phonecall');
    const log = new EventLog(s);
    fake.say('yes');
    await feedFrames(s, await callerTurnFrames('yes'));
    expect((await log.waitFor(isTranscript)).text).toBe('yes');
  });

  it('without an API key the factory fails with CONFIG_INVALID', () => {
    const config = { ...loadConfig({}), deepgram: { url: fake.url, model: 'nova-3' } };
    let err: unknown;
    try {
      sttProviders.deepgram(config, silentLogger());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('CONFIG_INVALID');
  });
});

describe('deepgram provider: turns', () => {
  it('one transcript per turn (speech_final then UtteranceEnd), speech.started first', async () => {
    const s = await openStream({ hints: ['pepperoni'] });
    const log = new EventLog(s);
    fake.say('two large pepperoni pizzas', 0.91);
    await feedFrames(s, await callerTurnFrames('two large pepperoni pizzas', { trailMs: 2500 }));
    const t = await log.waitFor(isTranscript);
    await sleep(300);
    expect(t.text).toBe('two large pepperoni pizzas');
    expect(t.confidence).toBeCloseTo(0.91);
    expect(t.speechEndMs).toBeLessThanOrEqual(t.finalAtMs);
    expect(log.transcripts()).toHaveLength(1);
    const types = log.events.map((e) => e.type);
    expect(types.indexOf('speech.started')).toBeLessThan(types.indexOf('transcript'));
    expect(types).toContain('partial');
    expect(last().audioBytes).toBeGreaterThan(0);
  });

  it('accumulates is_final segments; UtteranceEnd ends the turn without speech_final', async () => {
    fake.setSpeechFinal(false);
    try {
      const s = await openStream({ hints: [], endpointing: 'long' });
      const log = new EventLog(s);
      fake.say(['123 Main Street,', 'Springfield.']);
      await feedFrames(s, [
        ...silenceFrames(500),
        ...(await synthesizeCallerFrames('one two three main street')),
        ...silenceFrames(600),
        ...(await synthesizeCallerFrames('springfield')),
        ...silenceFrames(3500),
      ]);
      const t = await log.waitFor(isTranscript);
      await sleep(200);
      expect(t.text).toBe('123 Main Street, Springfield.');
      expect(log.transcripts()).toHaveLength(1);
    } finally {
      fake.setSpeechFinal(true);
    }
  });

  it('finalize() sends Finalize and yields the turn now; again yields an empty transcript', async () => {
    const s = await openStream({ hints: ['yes'] });
    const log = new EventLog(s);
    fake.say('yes');
    await feedFrames(s, [...silenceFrames(500), ...(await synthesizeCallerFrames('yes'))]);
    await log.waitFor(isSpeechStarted);
    s.finalize();
    const t = await log.waitFor(isTranscript);
    expect(t.text).toBe('yes');
    s.finalize();
    const empty = await log.waitFor(isTranscript, 5000, 2);
    expect(empty.text).toBe('');
    expect(empty.confidence).toBe(0);
    expect(last().control.filter((c) => c === 'Finalize')).toHaveLength(2);
  });

  it('sends KeepAlive and no audio while the bot talks uninterruptibly', async () => {
    const s = await openStream();
    s.setBotSpeaking!(true, false);
    const before = last().audioBytes;
    for (const f of silenceFrames(1000)) s.write(f);
    await sleep(800);
    expect(last().audioBytes).toBe(before);
    expect(last().control).toContain('KeepAlive');
    s.setBotSpeaking!(false, false);
    for (const f of silenceFrames(200)) s.write(f);
    await sleep(100);
    expect(last().audioBytes).toBeGreaterThan(before);
  });

  it('a changed expectation switches sockets between turns; barge-in still works', async () => {
    const s = await openStream({ hints: ['yes', 'no'], endpointing: 'short' });
    const log = new EventLog(s);
    const first = last();
    fake.say('yes');
    await feedFrames(s, await callerTurnFrames('yes'));
    await log.waitFor(isTranscript);
    s.setHints(['123 main street'], { endpointing: 'long' });
    const second = await fake.waitForConnections(first.id + 1);
    expect(second.query.getAll('keyterm')).toEqual(['123 main street']);
    expect(second.query.get('endpointing')).toBe('1200');
    await sleep(300); // promoted at the next tick
    fake.say('123 Main Street');
    await feedFrames(s, await callerTurnFrames('one two three main street', { trailMs: 2000 }));
    const t = await log.waitFor(isTranscript, 10000, 2);
    expect(t.text).toBe('123 Main Street');
    expect(log.events.filter(isSpeechStarted)).toHaveLength(2);
    expect(second.audioBytes).toBeGreaterThan(0);
    expect(first.control).toContain('CloseStream');
    s.setHints(['123 main street'], { endpointing: 'long' }); // same expectation: no new socket
    await sleep(300);
    expect(fake.received.connections.length).toBe(second.id);
  });
});

describe('deepgram provider: failures', () => {
  it('reconnects after a drop mid-utterance and keeps transcribing', async () => {
    const s = await openStream({ hints: ['pepperoni'] });
    const log = new EventLog(s);
    const first = last();
    fake.dropOnNextSpeech(100);
    await feedFrames(s, await callerTurnFrames('two large pepperoni pizzas'), { speedup: 2 });
    const second = await fake.waitForConnections(first.id + 1);
    expect(first.closeCode).toBe(1006);
    await log.waitFor(isTranscript);
    expect(second.audioBytes).toBeGreaterThan(0);
    fake.drop({ code: 1011, reason: 'NET-0001' }); // server idle close: also replaced
    fake.say('yes');
    await feedFrames(s, await callerTurnFrames('yes'));
    const t = await log.waitFor(isTranscript, 10000, 2);
    expect(t.text).toBe('yes');
    expect(log.events.filter(isError)).toEqual([]);
  });

  it('words finalized before a drop still end their turn', async () => {
    const s = await openStream({ endpointing: 'long' });
    const log = new EventLog(s);
    fake.say(['123 Main Street,', 'Springfield.']);
    await feedFrames(s, [
      ...silenceFrames(500),
      ...(await synthesizeCallerFrames('one two three main street')),
      ...silenceFrames(600), // a pause: the first segment is final, the turn is not over
    ]);
    await sleep(100);
    fake.drop();
    await feedFrames(s, silenceFrames(1000));
    const t = await log.waitFor(isTranscript, 8000);
    expect(t.text).toBe('123 Main Street,');
    expect(log.events.filter(isError)).toEqual([]);
    fake.clearScript();
  });

  it('replays the audio written while reconnecting', async () => {
    const s = await openStream();
    const log = new EventLog(s);
    const first = last();
    fake.delayUpgrades(400);
    fake.drop();
    await sleep(150); // the drop is noticed; the reconnect waits for the slow upgrade
    for (const f of silenceFrames(1000)) s.write(f);
    const second = await fake.waitForConnections(first.id + 1);
    for (let i = 0; i < 100 && second.audioBytes < 8000; i++) await sleep(10);
    expect(second.audioBytes).toBe(8000);
    fake.say('yes');
    await feedFrames(s, await callerTurnFrames('yes'));
    expect((await log.waitFor(isTranscript)).text).toBe('yes');
  });

  it('keeps an idle socket alive with KeepAlive; a server idle close is replaced', async () => {
    const idleFake = await startDeepgramFake({ idleTimeoutMs: 500 });
    try {
      const opts = { language: 'en-US', hints: [] };
      const mk = (keepAliveMs: number) =>
        createDeepgramProvider({
          ...idleFake,
          model: 'nova-3',
          logger: silentLogger(),
          keepAliveMs,
        });
      open.push(await mk(150).openStream(opts, new AbortController().signal));
      await sleep(1200);
      expect(idleFake.received.connections).toHaveLength(1);
      expect(idleFake.received.connections[0]!.open).toBe(true);
      await Promise.all(open.splice(0).map((s) => s.close()));

      const s = await mk(60000).openStream(opts, new AbortController().signal);
      open.push(s);
      const log = new EventLog(s);
      const first = await idleFake.waitForConnections(2);
      await idleFake.waitForConnections(3, 3000);
      expect(first.closeCode).toBe(1011);
      expect(log.events.filter(isError)).toEqual([]);
    } finally {
      await idleFake.close();
    }
  });

  it('delivers transcripts through server latency', async () => {
    fake.setLatency(150);
    try {
      const s = await openStream();
      const log = new EventLog(s);
      fake.say('yes');
      await feedFrames(s, await callerTurnFrames('yes'));
      expect((await log.waitFor(isTranscript)).text).toBe('yes');
      expect(log.events.filter(isSpeechStarted)).toHaveLength(1);
    } finally {
      fake.clearFaults();
    }
  });

  it('aborting while connecting rejects with PROVIDER_ABORTED', async () => {
    fake.stall();
    const ac = new AbortController();
    const opening = openStream({}, {}, ac.signal);
    await sleep(50);
    ac.abort();
    expect((await rejection(opening)).code).toBe('PROVIDER_ABORTED');
    const pre = new AbortController();
    pre.abort();
    expect((await rejection(openStream({}, {}, pre.signal))).code).toBe('PROVIDER_ABORTED');
  });

  it('emits one error event when it cannot reconnect; write() keeps not throwing', async () => {
    const s = await openStream({}, { reconnectBudgetMs: 600 });
    const log = new EventLog(s);
    fake.refuse(503, 50);
    fake.drop();
    const e = await log.waitFor(isError);
    expect(e.error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(e.error.retryable).toBe(true);
    for (const f of silenceFrames(500)) expect(() => s.write(f)).not.toThrow();
    await sleep(800);
    expect(log.events.filter(isError)).toHaveLength(1);
    fake.clearFaults();
  });

  it('a bad key rejects openStream with STT_AUTH (not retryable)', async () => {
    const err = await rejection(
      provider({ apiKey: 'wrong' }).openStream(
        { language: 'en-US', hints: [] },
        new AbortController().signal,
      ),
    );
    expect(err.code).toBe('STT_AUTH');
    expect(err.retryable).toBe(false);
  });

  it('5xx and a stalled handshake are retryable PROVIDER_UNAVAILABLE', async () => {
    fake.refuse(500);
    const e5 = await rejection(openStream());
    expect([e5.code, e5.retryable]).toEqual(['PROVIDER_UNAVAILABLE', true]);
    fake.stall();
    const et = await rejection(openStream({}, { connectTimeoutMs: 300 }));
    expect([et.code, et.retryable]).toEqual(['PROVIDER_UNAVAILABLE', true]);
  });

  it('close() sends CloseStream, is idempotent and ends events; abort closes', async () => {
    const s = await openStream();
    const seen: SttEvent[] = [];
    s.onEvent((e) => seen.push(e));
    const conn = last();
    await Promise.all([s.close(), s.close()]);
    await s.close();
    expect(conn.control).toContain('CloseStream');
    for (let i = 0; i < 100 && conn.open; i++) await sleep(10);
    expect(conn.closeCode).toBe(1000);
    const count = seen.length;
    s.write(Buffer.alloc(160, 0x10));
    s.finalize();
    await sleep(100);
    expect(seen.length).toBe(count);

    const ac = new AbortController();
    await openStream({}, {}, ac.signal);
    const c2 = last();
    ac.abort();
    for (let i = 0; i < 100 && c2.open; i++) await sleep(20);
    expect(c2.open).toBe(false);
  });
});
