import { Speaker, type AudioSink } from '../../../src/tts/speaker.js';
import { createEspeakProvider } from '../../../src/tts/providers/espeak.js';
import { withAudioCache } from '../../../src/tts/cache.js';
import { silentLogger } from '../../../src/logger.js';
import { ProviderError } from '../../../src/errors.js';
import type { TtsProvider } from '../../../src/tts/types.js';

/** A sink that records what reached "the line", like a call leg would. */
function recordingSink() {
  const log: string[] = [];
  let frames = 0;
  const sink: AudioSink = {
    playAudio: () => void frames++,
    sendMark: (m) => void log.push(`mark:${m}`),
    clearAudio: () => void log.push('clear'),
  };
  return { sink, log, frames: () => frames };
}

function harness(tts: TtsProvider) {
  const line = recordingSink();
  const events: string[] = [];
  const speaker = new Speaker(
    tts,
    line.sink,
    { voice: 'en-us', language: 'en-US' },
    {
      started: (id) => events.push(`started:${id}`),
      done: (id, interrupted) => events.push(`${interrupted ? 'interrupted' : 'done'}:${id}`),
      failed: (id, err) => events.push(`failed:${id}:${err.code}`),
    },
    silentLogger(),
  );
  return { speaker, line, events };
}

const espeak = () => createEspeakProvider({ bin: 'espeak-ng', logger: silentLogger() });
const waitFor = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!cond()) throw new Error('condition not met');
};

describe('Speaker', () => {
  it('plays utterances in order and completes each on its mark echo', async () => {
    const h = harness(espeak());
    h.speaker.speak('a', 'Hello there.', true);
    h.speaker.speak('b', 'Second sentence.', false);
    expect(h.speaker.speaking).toBe(true);
    expect(h.speaker.interruptible).toBe(false);
    await waitFor(() => h.line.log.length === 2);
    expect(h.line.log).toEqual(['mark:a#1', 'mark:b#2']);
    expect(h.events).toEqual(['started:a', 'started:b']);
    h.speaker.handleMark('a#1');
    expect(h.events).toContain('done:a');
    expect(h.speaker.interruptible).toBe(false);
    h.speaker.handleMark('b#2');
    expect(h.events.slice(-1)).toEqual(['done:b']);
    expect(h.speaker.speaking).toBe(false);
    expect(h.line.frames()).toBeGreaterThan(50);
  });

  it('interrupt aborts synthesis, clears the line once and reports every pending utterance', async () => {
    const h = harness(espeak());
    h.speaker.speak('a', 'A long prompt that the caller will cut off before it ends.', true);
    h.speaker.speak('b', 'And this one never plays.', true);
    await waitFor(() => h.events.includes('started:a'));
    expect(h.speaker.interrupt()).toEqual(['a', 'b']);
    expect(h.line.log.filter((l) => l === 'clear')).toHaveLength(1);
    expect(h.events).toEqual(['started:a', 'interrupted:a', 'interrupted:b']);
    // Late marks of interrupted utterances are ignored.
    h.speaker.handleMark('a#1');
    expect(h.events).toHaveLength(3);
    expect(h.speaker.interrupt()).toEqual([]);
  });

  it('a synthesis failure is reported once and leaves the speaker free', async () => {
    const h = harness(
      createEspeakProvider({ bin: '/nonexistent/espeak-ng', logger: silentLogger() }),
    );
    h.speaker.speak('a', 'This fails.', true);
    await waitFor(() => h.events.length === 1);
    expect(h.events[0]).toMatch(/^failed:a:PROVIDER_/);
    expect(h.speaker.speaking).toBe(false);
  });
});

describe('withAudioCache', () => {
  it('serves a repeated text from memory, identical frames, no synthesis', async () => {
    let calls = 0;
    const inner = espeak();
    const counting: TtsProvider = {
      ...inner,
      synthesize: (req, signal) => {
        calls++;
        return inner.synthesize(req, signal);
      },
    };
    const cached = withAudioCache(counting, { maxBytes: 1 << 20 });
    const req = { text: 'Thanks for calling.', voice: 'en-us', language: 'en-US' };
    const collect = async () => {
      const out: Buffer[] = [];
      for await (const f of cached.synthesize(req, new AbortController().signal)) out.push(f);
      return Buffer.concat(out);
    };
    const first = await collect();
    const second = await collect();
    expect(second.equals(first)).toBe(true);
    expect(calls).toBe(1);
    expect(cached.cachedBytes).toBe(first.length);
    const other = { ...req, text: 'Thanks for calling!' };
    await cached.warm(other);
    expect(calls).toBe(2);
  });

  it('does not cache an aborted or failed synthesis', async () => {
    const failing: TtsProvider = {
      id: 'x',
      capabilities: { streaming: true, nativeUlaw8k: true },
      // eslint-disable-next-line require-yield
      async *synthesize() {
        throw new ProviderError('x', true, 'down');
      },
    };
    const cached = withAudioCache(failing, { maxBytes: 1 << 20 });
    await expect(cached.warm({ text: 't', voice: 'v', language: 'l' })).rejects.toBeInstanceOf(
      ProviderError,
    );
    expect(cached.cachedBytes).toBe(0);
  });
});
