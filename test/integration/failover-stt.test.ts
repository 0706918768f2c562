/**
 * STT failover mid-call with the real providers: Deepgram (against the local fake speaking its
 * live protocol) is dropped and refuses to reconnect; the stream switches to pocketsphinx with
 * the dialog's current hints, and the caller's next words are recognised there.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { ProviderHealth } from '../../src/providers/health.js';
import { withSttFailover } from '../../src/stt/failover.js';
import { createDeepgramProvider } from '../../src/stt/providers/deepgram.js';
import { createPocketsphinxProvider } from '../../src/stt/providers/pocketsphinx.js';
import type { SttEvent, SttStream } from '../../src/stt/types.js';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-server.js';
import {
  callerTurnFrames,
  ensureFrontendBuilt,
  EventLog,
  feedFrames,
  isTranscript,
  SPEECH_PATHS,
} from '../helpers/speech.js';

let fake: DeepgramFake;
const streams: SttStream[] = [];
beforeAll(async () => {
  ensureFrontendBuilt();
  fake = await startDeepgramFake({ apiKey: 'dg-key' });
});
afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await fake?.close();
});

const isChanged = (e: SttEvent): e is Extract<SttEvent, { type: 'provider.changed' }> =>
  e.type === 'provider.changed';

describe('deepgram → pocketsphinx mid-call', () => {
  it('switches when the vendor drops and refuses to reconnect', async () => {
    const health = new ProviderHealth({ cooldownMs: 60_000 });
    const metrics = new Metrics({ processMetrics: false, providerHealth: () => health.snapshot() });
    const stt = withSttFailover(
      createDeepgramProvider({
        apiKey: 'dg-key',
        url: fake.url,
        model: 'nova-3',
        logger: silentLogger(),
      }),
      createPocketsphinxProvider({
        bin: SPEECH_PATHS.pocketsphinxBin,
        modelDir: SPEECH_PATHS.modelDir,
        dict: SPEECH_PATHS.dict,
        logger: silentLogger(),
      }),
      { health, metrics, logger: silentLogger() },
    );
    const s = await stt.openStream({ language: 'en-US', hints: [] }, new AbortController().signal);
    streams.push(s);
    const log = new EventLog(s);
    await fake.waitForConnections(1);
    s.setHints(['order', 'book', 'support'], { endpointing: 'short' });

    fake.refuse(401, 50);
    fake.drop();
    const changed = await log.waitFor(isChanged, 15_000);
    expect(changed.provider).toBe('pocketsphinx');
    expect(health.state('deepgram')).toBe('down');

    await feedFrames(s, await callerTurnFrames('book', { leadMs: 300, trailMs: 1200 }));
    const t = await log.waitFor(isTranscript, 15_000);
    expect(t.text.split(' ')).toContain('book');
    expect(log.events.filter((e) => e.type === 'error')).toEqual([]);
    const text = (await metrics.render()).body;
    expect(text).toMatch(
      /ivr_provider_fallbacks_total\{kind="stt",from="deepgram",to="pocketsphinx"\} 1/,
    );
  }, 60_000);
});
