/**
 * The SttProvider/SttStream contract (src/stt/types.ts), one set of cases run against every
 * recognizer: pocketsphinx (the real decoder) and Deepgram (the real SDK against the local
 * Listen v1 fake). Real synthesized caller audio throughout. Where a recognizer needs to be told
 * what it will "hear" (the fake's script), the harness does it in `willSay`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../src/logger.js';
import { silenceFrames } from '../../src/media/framing.js';
import { createDeepgramProvider } from '../../src/stt/providers/deepgram.js';
import { createPocketsphinxProvider } from '../../src/stt/providers/pocketsphinx.js';
import type { SttEvent, SttProvider, SttStream } from '../../src/stt/types.js';
import { type DeepgramFake, startDeepgramFake } from '../fakes/deepgram-server.js';
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

interface Harness {
  name: string;
  start(): Promise<SttProvider>;
  stop(): Promise<void>;
  /** The recognizer will hear `text` next (scripted recognizers only). */
  willSay(text: string): void;
  /** Hints in force for the audio heard last (cloud: the connect parameters), if observable. */
  lastHeardHints?(): string[];
  /** Every resource of the provider's streams is released. */
  released(): boolean;
}

let dg: DeepgramFake | undefined;
const harnesses: Harness[] = [
  {
    name: 'pocketsphinx',
    start: () => {
      ensureFrontendBuilt();
      return Promise.resolve(
        createPocketsphinxProvider({
          bin: SPEECH_PATHS.pocketsphinxBin,
          modelDir: SPEECH_PATHS.modelDir,
          dict: SPEECH_PATHS.dict,
          logger: silentLogger(),
        }),
      );
    },
    stop: () => Promise.resolve(),
    willSay: () => undefined,
    released: () => childrenNamed('ps-frontend').length === 0,
  },
  {
    name: 'deepgram (fake server)',
    start: async () => {
      dg = await startDeepgramFake();
      return createDeepgramProvider({
        apiKey: dg.apiKey,
        url: dg.url,
        model: 'nova-3',
        logger: silentLogger(),
      });
    },
    stop: async () => dg?.close(),
    willSay: (text) => dg!.say(text),
    lastHeardHints: () => {
      const heard = dg!.received.connections.filter((c) => c.audioBytes > 0).at(-1);
      return heard?.query.getAll('keyterm') ?? [];
    },
    released: () => dg!.received.connections.every((c) => !c.open),
  },
];

const INTENTS = ['order', 'book', 'support', 'yes', 'no', 'talk to a person'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const words = (e: { text: string }) =>
  e.text
    .toLowerCase()
    .replace(/[.,!?]/g, '')
    .split(' ');

describe.each(harnesses)('STT contract: $name', (h) => {
  let provider: SttProvider;
  const open: SttStream[] = [];
  const openStream = async (hints: readonly string[], signal = new AbortController().signal) => {
    const s = await provider.openStream({ language: 'en-US', hints }, signal);
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    provider = await h.start();
    await Promise.all(['talk to a person', 'yes', 'book'].map((t) => synthesizeCallerFrames(t)));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(() => h.stop());

  it('opens and transcribes a spoken phrase from its hints', async () => {
    const s = await openStream(INTENTS);
    const log = new EventLog(s);
    h.willSay('talk to a person');
    await feedFrames(s, await callerTurnFrames('talk to a person'));
    const t = await log.waitFor(isTranscript);
    expect(` ${words(t).join(' ')} `).toContain(' talk to a person ');
    expect(t.confidence).toBeGreaterThan(0);
    expect(t.confidence).toBeLessThanOrEqual(1);
  });

  it('emits speech.started before the transcript, with consistent times', async () => {
    const s = await openStream(['yes', 'no']);
    const log = new EventLog(s);
    h.willSay('yes');
    await feedFrames(s, await callerTurnFrames('yes', { leadMs: 600, trailMs: 1500 }));
    const t = await log.waitFor(isTranscript);
    const started = await log.waitFor(isSpeechStarted);
    const order = log.events.filter((e) => e.type !== 'partial').map((e) => e.type);
    expect(order.slice(0, 2)).toEqual(['speech.started', 'transcript']);
    expect(log.transcripts()).toHaveLength(1);
    expect(started.atMs).toBeLessThanOrEqual(t.speechEndMs);
    expect(t.speechEndMs).toBeLessThanOrEqual(t.finalAtMs);
  });

  it('setHints switches expectations for the next turn', async () => {
    const s = await openStream(['yes', 'no']);
    const log = new EventLog(s);
    h.willSay('yes');
    await feedFrames(s, await callerTurnFrames('yes'));
    expect(words(await log.waitFor(isTranscript))).toContain('yes');
    s.setHints(['order', 'book'], { endpointing: 'short' });
    await sleep(500); // a cloud recognizer switches while the line is quiet
    h.willSay('book');
    await feedFrames(s, await callerTurnFrames('book'));
    expect(words(await log.waitFor(isTranscript, 10000, 2))).toContain('book');
    if (h.lastHeardHints) expect(h.lastHeardHints()).toEqual(['order', 'book']);
  });

  it('finalize() ends the utterance now; with nothing said it yields an empty transcript', async () => {
    const s = await openStream(INTENTS);
    const log = new EventLog(s);
    h.willSay('talk to a person');
    await feedFrames(s, [
      ...silenceFrames(1000),
      ...(await synthesizeCallerFrames('talk to a person')),
    ]);
    s.finalize();
    s.finalize(); // nothing said since the first: an empty transcript, in order
    const t = await log.waitFor(isTranscript);
    expect(words(t).join(' ')).toBe('talk to a person');
    const empty = await log.waitFor(isTranscript, 10000, 2);
    expect(empty.text).toBe('');
    expect(empty.confidence).toBe(0);
  });

  it('close() is idempotent and no event follows it', async () => {
    const s = await openStream(INTENTS);
    const seen: SttEvent[] = [];
    s.onEvent((e) => seen.push(e));
    const frames = await callerTurnFrames('yes');
    for (const f of frames.slice(0, 80)) s.write(f);
    await Promise.all([s.close(), s.close()]);
    await s.close();
    const count = seen.length;
    for (const f of frames) s.write(f);
    s.finalize();
    await sleep(200);
    expect(seen.length).toBe(count);
    expect(h.released()).toBe(true);
  });

  it('aborting the signal closes the stream', async () => {
    const ac = new AbortController();
    await openStream(['yes', 'no'], ac.signal);
    expect(h.released()).toBe(false);
    ac.abort();
    for (let i = 0; i < 100 && !h.released(); i++) await sleep(20);
    expect(h.released()).toBe(true);
  });
});
