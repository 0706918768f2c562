/**
 * The pocketsphinx provider against the real front end (.cache/bin/ps-frontend, built by
 * scripts/build-native.sh) with real synthesized caller audio. Phrases are ones known to pass
 * for the espeak-ng en-us voice (see docs/reference/offline-speech.md): intents and yes/no.
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { silenceFrames } from '../../src/media/framing.js';
import {
  createPocketsphinxProvider,
  type PocketsphinxOptions,
} from '../../src/stt/providers/pocketsphinx.js';
import type { SttEvent, SttStream } from '../../src/stt/types.js';
import {
  EventLog,
  callerTurnFrames,
  childrenNamed,
  ensureFrontendBuilt,
  feedFrames,
  isSpeechStarted,
  isTranscript,
  SPEECH_PATHS,
  synthesizeCallerFrames,
} from '../helpers/speech.js';

const INTENTS = ['order', 'book', 'support', 'yes', 'no', 'talk to a person'];
const base: PocketsphinxOptions = {
  bin: SPEECH_PATHS.pocketsphinxBin,
  modelDir: SPEECH_PATHS.modelDir,
  dict: SPEECH_PATHS.dict,
  logger: silentLogger(),
};
const provider = createPocketsphinxProvider(base);
const open: SttStream[] = [];

async function openStream(
  hints: readonly string[],
  signal = new AbortController().signal,
): Promise<SttStream> {
  const s = await provider.openStream({ language: 'en-US', hints }, signal);
  open.push(s);
  return s;
}

const frontendChildren = () => childrenNamed('ps-frontend');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const words = (e: { text: string }) => e.text.split(' ');

beforeAll(async () => {
  ensureFrontendBuilt();
  // Synthesize once up front so test time is spent on recognition.
  await Promise.all(
    ['I want to order', 'yes', 'no', 'talk to a person', 'book'].map((t) =>
      synthesizeCallerFrames(t),
    ),
  );
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('pocketsphinx STT provider (real decoder, real audio)', () => {
  it('recognizes caller turns in one call: intents and yes/no', async () => {
    const s = await openStream(INTENTS);
    const log = new EventLog(s);
    const turns: Array<[string, string]> = [
      ['I want to order', 'order'],
      ['yes', 'yes'],
      ['talk to a person', 'talk to a person'],
      ['no', 'no'],
      ['book', 'book'],
    ];
    for (const [n, [said, expected]] of turns.entries()) {
      await feedFrames(s, await callerTurnFrames(said));
      const t = await log.waitFor(isTranscript, 10000, n + 1);
      expect(` ${t.text} `).toContain(` ${expected} `);
      expect(t.confidence).toBeGreaterThan(0.5);
      expect(t.confidence).toBeLessThanOrEqual(1);
    }
    expect(log.transcripts()).toHaveLength(turns.length);
  });

  it('emits speech.started before the transcript, with consistent times (paced, real time)', async () => {
    const s = await openStream(['yes', 'no']);
    const log = new EventLog(s);
    const before = Date.now();
    await feedFrames(s, await callerTurnFrames('yes', { leadMs: 600, trailMs: 800 }), {
      speedup: 1,
    });
    const t = await log.waitFor(isTranscript);
    const started = await log.waitFor(isSpeechStarted);
    expect(words(t)).toContain('yes');
    const order = log.events.filter((e) => e.type !== 'partial').map((e) => e.type);
    expect(order).toEqual(['speech.started', 'transcript']);
    expect(started.atMs).toBeGreaterThanOrEqual(before + 400); // after (most of) the lead silence
    expect(started.atMs).toBeLessThanOrEqual(t.speechEndMs);
    expect(t.speechEndMs).toBeLessThanOrEqual(t.finalAtMs);
  });

  it('a grammar switch between turns takes effect for the next turn', async () => {
    const s = await openStream(['yes', 'no']);
    const log = new EventLog(s);
    await feedFrames(s, await callerTurnFrames('book'));
    const first = await log.waitFor(isTranscript);
    expect(words(first)).not.toContain('book'); // not in the yes/no grammar
    s.setHints(['order', 'book']);
    await feedFrames(s, await callerTurnFrames('book'));
    const second = await log.waitFor(isTranscript, 10000, 2);
    expect(words(second)).toContain('book');
  });

  it('finalize() ends the utterance now and emits its transcript', async () => {
    const s = await openStream(INTENTS);
    const log = new EventLog(s);
    // Speech with no trailing silence: the VAD alone would not end this utterance yet.
    await feedFrames(s, [
      ...silenceFrames(1000),
      ...(await synthesizeCallerFrames('talk to a person')),
    ]);
    s.finalize();
    s.finalize(); // no speech since the last one: an empty transcript, in order
    const t = await log.waitFor(isTranscript);
    const empty = await log.waitFor(isTranscript, 10000, 2);
    expect(t.text).toBe('talk to a person');
    expect(empty.text).toBe('');
    expect(empty.confidence).toBe(0);
  });

  it('close() is idempotent, stops events and kills the child', async () => {
    const s = await openStream(INTENTS);
    const seen: SttEvent[] = [];
    s.onEvent((e) => seen.push(e));
    expect(frontendChildren().length).toBeGreaterThanOrEqual(1);
    const frames = await callerTurnFrames('yes');
    for (const f of frames.slice(0, 80)) s.write(f);
    await Promise.all([s.close(), s.close()]);
    await s.close();
    const count = seen.length;
    for (const f of frames) s.write(f); // ignored, no throw
    s.finalize();
    await sleep(100);
    expect(seen.length).toBe(count);
    expect(frontendChildren()).toEqual([]);
  });

  it('aborting the signal closes the stream', async () => {
    const ac = new AbortController();
    await openStream(['yes', 'no'], ac.signal);
    expect(frontendChildren().length).toBe(1);
    ac.abort();
    for (let i = 0; i < 100 && frontendChildren().length > 0; i++) await sleep(20);
    expect(frontendChildren()).toEqual([]);
  });

  it('a crashed child becomes an error event, not an exception', async () => {
    const s = await openStream(['yes', 'no']);
    const log = new EventLog(s);
    const [pid] = frontendChildren();
    process.kill(pid!, 'SIGKILL');
    const e = await log.waitFor(
      (x): x is Extract<SttEvent, { type: 'error' }> => x.type === 'error',
    );
    expect(e.error).toBeInstanceOf(ProviderError);
    expect(e.error.code).toBe('PROVIDER_FAILED');
    expect(e.error.retryable).toBe(true);
    expect(() => s.write(Buffer.alloc(160, 0xff))).not.toThrow();
  });
});

describe('pocketsphinx STT provider: start-up failures', () => {
  const expectCode = async (p: Promise<unknown>, code: string) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe(code);
  };

  it('a missing binary is PROVIDER_UNAVAILABLE', async () => {
    const p = createPocketsphinxProvider({ ...base, bin: '/nonexistent/ps-frontend' });
    await expectCode(
      p.openStream({ language: 'en-US', hints: ['yes'] }, new AbortController().signal),
      'PROVIDER_UNAVAILABLE',
    );
  });

  it('a missing acoustic model is PROVIDER_UNAVAILABLE', async () => {
    const p = createPocketsphinxProvider({ ...base, modelDir: '/nonexistent/model' });
    await expectCode(
      p.openStream({ language: 'en-US', hints: ['yes'] }, new AbortController().signal),
      'PROVIDER_UNAVAILABLE',
    );
  });

  it('a child that never becomes ready is PROVIDER_UNAVAILABLE after the timeout, and is killed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ps-hang-'));
    const bin = join(dir, 'ps-frontend');
    writeFileSync(bin, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(bin, 0o755);
    const p = createPocketsphinxProvider({ ...base, bin, startTimeoutMs: 300 });
    await expectCode(
      p.openStream({ language: 'en-US', hints: ['yes'] }, new AbortController().signal),
      'PROVIDER_UNAVAILABLE',
    );
    expect(childrenNamed('sleep')).toEqual([]);
  });

  it('aborting while the child starts is PROVIDER_ABORTED, and the child is gone', async () => {
    const ac = new AbortController();
    const opening = provider.openStream({ language: 'en-US', hints: ['yes'] }, ac.signal);
    ac.abort();
    await expectCode(opening, 'PROVIDER_ABORTED');
    expect(frontendChildren()).toEqual([]);
  });

  it('an already aborted signal is PROVIDER_ABORTED', async () => {
    const ac = new AbortController();
    ac.abort();
    await expectCode(
      provider.openStream({ language: 'en-US', hints: ['yes'] }, ac.signal),
      'PROVIDER_ABORTED',
    );
  });
});
