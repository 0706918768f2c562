import { describe, expect, it } from '@jest/globals';
import { ProviderError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { FRAME_BYTES } from '../../src/media/framing.js';
import { decodeUlaw } from '../../src/media/mulaw.js';
import { createEspeakProvider, splitSentences } from '../../src/tts/providers/espeak.js';
import { parseWav } from '../../src/tts/providers/wav.js';
import { childrenNamed } from '../helpers/speech.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const tts = createEspeakProvider({ bin: 'espeak-ng', logger: silentLogger() });
const req = (text: string) => ({ text, voice: 'en-us', language: 'en-US' });

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const f of it) out.push(f);
  return out;
}

function rms(frames: Buffer[]): number {
  const pcm = decodeUlaw(Buffer.concat(frames));
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return Math.sqrt(sum / Math.max(1, pcm.length));
}

describe('espeak TTS provider (real espeak-ng)', () => {
  it('emits exact 160-byte µ-law frames of audible speech', async () => {
    const frames = await collect(
      tts.synthesize(req('Hello, thanks for calling.'), new AbortController().signal),
    );
    expect(frames.length).toBeGreaterThan(25); // more than half a second
    for (const f of frames) expect(f.length).toBe(FRAME_BYTES);
    expect(rms(frames)).toBeGreaterThan(500);
  });

  it('is deterministic (bit-identical output)', async () => {
    const text = 'Your order number is four five six. Anything else?';
    const a = Buffer.concat(await collect(tts.synthesize(req(text), new AbortController().signal)));
    const b = Buffer.concat(await collect(tts.synthesize(req(text), new AbortController().signal)));
    expect(a.equals(b)).toBe(true);
  });

  it('speaks every sentence, in order', async () => {
    const one = await collect(tts.synthesize(req('Good morning.'), new AbortController().signal));
    const two = await collect(
      tts.synthesize(req('Good morning. Good morning.'), new AbortController().signal),
    );
    expect(two.length).toBeGreaterThan(one.length * 1.6);
  });

  it('speaks text that starts with a dash instead of parsing it as an option', async () => {
    const frames = await collect(
      tts.synthesize(req('--help -v xx minus five'), new AbortController().signal),
    );
    expect(frames.length).toBeGreaterThan(25);
    expect(rms(frames)).toBeGreaterThan(500);
  });

  it('yields nothing for text without words', async () => {
    expect(await collect(tts.synthesize(req(' ... '), new AbortController().signal))).toEqual([]);
  });

  it('abort stops the iteration with no further frames', async () => {
    const ac = new AbortController();
    const text = Array.from(
      { length: 8 },
      (_, i) => `This is sentence number ${i + 1} of a long answer.`,
    ).join(' ');
    const frames: Buffer[] = [];
    for await (const f of tts.synthesize(req(text), ac.signal)) {
      frames.push(f);
      if (frames.length === 3) ac.abort();
    }
    expect(frames.length).toBe(3);
  });

  it('abort during synthesis kills espeak-ng and ends the iteration without frames', async () => {
    const ac = new AbortController();
    const text = 'A long single sentence, '.repeat(200);
    const it = tts.synthesize(req(text), ac.signal)[Symbol.asyncIterator]();
    const next = it.next();
    for (let i = 0; i < 100 && childrenNamed('espeak-ng').length === 0; i++) await sleep(2);
    ac.abort();
    expect(await next).toEqual({ done: true, value: undefined });
    for (let i = 0; i < 100 && childrenNamed('espeak-ng').length > 0; i++) await sleep(10);
    expect(childrenNamed('espeak-ng')).toEqual([]);
  });

  it('an already aborted signal yields nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await collect(tts.synthesize(req('Hello there.'), ac.signal))).toEqual([]);
  });

  it('a missing binary is PROVIDER_UNAVAILABLE', async () => {
    const bad = createEspeakProvider({ bin: '/nonexistent/espeak-ng', logger: silentLogger() });
    const err = await collect(bad.synthesize(req('Hello.'), new AbortController().signal)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('PROVIDER_UNAVAILABLE');
  });

  it('a failing synthesis (unknown voice, nonzero exit) is PROVIDER_FAILED', async () => {
    const it = tts.synthesize(
      { text: 'Hello.', voice: 'nosuchvoice', language: 'en-US' },
      new AbortController().signal,
    );
    const err = await collect(it).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('PROVIDER_FAILED');
  });
});

describe('espeak helpers', () => {
  it('splits sentences but keeps abbreviations like "e.g. this" together', () => {
    expect(splitSentences('Hi there! How are you? I am fine, e.g. very well.\nBye')).toEqual([
      'Hi there!',
      'How are you?',
      'I am fine, e.g. very well.',
      'Bye',
    ]);
  });

  it('parses WAV chunks instead of assuming a 44-byte header', () => {
    const fmt = Buffer.alloc(24);
    fmt.write('fmt ', 0, 'ascii');
    fmt.writeUInt32LE(16, 4);
    fmt.writeUInt16LE(1, 8); // PCM
    fmt.writeUInt16LE(1, 10); // mono
    fmt.writeUInt32LE(22050, 12);
    fmt.writeUInt32LE(44100, 16);
    fmt.writeUInt16LE(2, 20);
    fmt.writeUInt16LE(16, 22);
    const list = Buffer.concat([
      Buffer.from('LIST', 'ascii'),
      Buffer.from([3, 0, 0, 0]),
      Buffer.from('abc\0'),
    ]);
    const data = Buffer.concat([
      Buffer.from('data', 'ascii'),
      Buffer.from([0xff, 0xff, 0xff, 0x7f]),
      Buffer.from([1, 0, 2, 0, 0xff, 0xff]),
    ]);
    const head = Buffer.concat([
      Buffer.from('RIFF', 'ascii'),
      Buffer.alloc(4),
      Buffer.from('WAVE', 'ascii'),
    ]);
    const wav = parseWav(Buffer.concat([head, fmt, list, data]));
    expect(wav.sampleRate).toBe(22050);
    expect(Array.from(wav.samples)).toEqual([1, 2, -1]);
  });
});
