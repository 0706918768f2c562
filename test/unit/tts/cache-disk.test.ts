/**
 * The prompt audio cache with a directory, in front of the real ElevenLabs provider talking to
 * the local fake vendor (whose request log shows every synthesis that reached the "vendor").
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { FRAME_BYTES } from '../../../src/media/framing.js';
import { withAudioCache, type AudioCacheOptions } from '../../../src/tts/cache.js';
import { fileNameOf } from '../../../src/tts/cache-disk.js';
import { createElevenLabsProvider } from '../../../src/tts/providers/elevenlabs.js';
import type { TtsRequest } from '../../../src/tts/types.js';
import { startFakeElevenLabs, type FakeElevenLabs } from '../../fakes/elevenlabs-server.js';

let fake: FakeElevenLabs;
let dir: string;
beforeEach(async () => {
  fake = await startFakeElevenLabs();
  dir = await mkdtemp(join(tmpdir(), 'tts-cache-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const WELCOME: TtsRequest = { text: 'Welcome to our store.', voice: 'en-us', language: 'en-US' };

function cache(over: Partial<AudioCacheOptions> = {}) {
  const inner = createElevenLabsProvider({
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    voiceId: 'cacheVoice',
    modelId: 'eleven_flash_v2_5',
    logger: silentLogger(),
  });
  return withAudioCache(inner, { maxBytes: 1 << 20, dir, variant: 'v1', ...over });
}

async function play(
  c: ReturnType<typeof cache>,
  req: TtsRequest,
  signal = new AbortController().signal,
) {
  const out: Buffer[] = [];
  for await (const f of c.synthesize(req, signal)) out.push(f);
  return Buffer.concat(out);
}

const audioFiles = async () => (await readdir(dir)).filter((n) => n.endsWith('.ulaw'));

describe('withAudioCache on disk', () => {
  it('synthesizes a static prompt once, keeps it across restarts, serves identical frames', async () => {
    const first = cache();
    await first.warm(WELCOME);
    expect(fake.requests).toHaveLength(1);
    expect(await audioFiles()).toHaveLength(1);
    const heard = await play(first, WELCOME);
    expect(fake.requests).toHaveLength(1);

    const restarted = cache();
    await restarted.warm(WELCOME);
    expect(fake.requests).toHaveLength(1); // from disk, no vendor request
    expect(restarted.cachedBytes).toBe(heard.length);
    expect((await play(restarted, WELCOME)).equals(heard)).toBe(true);
    expect(heard.length % FRAME_BYTES).toBe(0);
  });

  it('a warmed prompt is served from memory: no file read at call time', async () => {
    await cache().warm(WELCOME);
    const c = cache();
    await c.warm(WELCOME);
    await rm(join(dir, (await audioFiles())[0]!));
    expect((await play(c, WELCOME)).length).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(1);
  });

  it('a changed text is a new key; pruning deletes files no longer warmed', async () => {
    await cache().warm(WELCOME);
    const c = cache();
    const edited = { ...WELCOME, text: 'Welcome to our new store.' };
    await c.warm(edited);
    expect(fake.requests.map((r) => r.text)).toEqual([WELCOME.text, edited.text]);
    expect(await audioFiles()).toHaveLength(2);
    expect(await c.pruneDisk()).toBe(1);
    expect(await audioFiles()).toHaveLength(1);
    expect(await play(cache(), WELCOME)).toBeDefined();
    expect(fake.requests).toHaveLength(3); // the old file is gone: synthesized again
  });

  it('the variant (vendor voice/model) is part of the key', async () => {
    await cache().warm(WELCOME);
    await cache({ variant: 'v2' }).warm(WELCOME);
    expect(fake.requests).toHaveLength(2);
  });

  it.each([
    ['truncated', async (f: string) => truncate(f, 100)],
    ['garbage', async (f: string) => writeFile(f, Buffer.alloc(5000, 7))],
    ['one flipped audio byte', async (f: string) => flipLastByte(f)],
  ])('a %s file is ignored and synthesized again', async (_, spoil) => {
    await cache().warm(WELCOME);
    const heard = await play(cache(), WELCOME);
    const file = join(
      dir,
      fileNameOf(JSON.stringify(['elevenlabs', 'v1', 'en-us', 'en-US', WELCOME.text])),
    );
    await spoil(file);
    const c = cache();
    await c.warm(WELCOME);
    expect(fake.requests).toHaveLength(2);
    expect((await play(c, WELCOME)).equals(heard)).toBe(true);
    await c.warm(WELCOME);
    const again = cache();
    await again.warm(WELCOME);
    expect(fake.requests).toHaveLength(2); // rewritten valid
  });

  it('passes a miss through while recording it (first frame before the vendor is done)', async () => {
    fake.options.holdAfterBytes = 400;
    const c = cache();
    const it = c.synthesize(WELCOME, new AbortController().signal)[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    expect(fake.requests[0]!.finished).toBe(false);
    fake.release();
    while (!(await it.next()).done);
    expect(c.cachedBytes).toBeGreaterThan(0);
  });

  it('an aborted or failed synthesis is stored neither in memory nor on disk', async () => {
    const c = cache();
    fake.options.failStatus = 500;
    expect(await c.warm(WELCOME).catch((e: unknown) => e)).toBeInstanceOf(ProviderError);
    expect(c.cachedBytes).toBe(0);

    fake.options = { holdAfterBytes: 400 };
    const ac = new AbortController();
    for await (const frame of c.synthesize(WELCOME, ac.signal)) if (frame) ac.abort();
    expect((await fake.ended(1)).aborted).toBe(true);
    expect(c.cachedBytes).toBe(0);
    expect(await readdir(dir)).toEqual([]);

    fake.options = {};
    await play(c, WELCOME); // a warmed key that completes is kept, on disk too
    await c.warm(WELCOME);
    expect(c.cachedBytes).toBeGreaterThan(0);
    expect(await audioFiles()).toHaveLength(1);
    expect(fake.requests).toHaveLength(3);
  });

  it('texts never warmed (per-call variables) stay in memory and never touch the disk', async () => {
    const c = cache();
    const dynamic = { ...WELCOME, text: 'Your order number is 4 5 6.' };
    await play(c, dynamic);
    await play(c, dynamic);
    expect(fake.requests).toHaveLength(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('storeIf false keeps nothing (e.g. fallback audio)', async () => {
    const c = cache({ storeIf: () => false });
    await c.warm(WELCOME);
    await play(c, WELCOME);
    expect(fake.requests).toHaveLength(2);
    expect(c.cachedBytes).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a warmed prompt evicted from memory comes back from disk, not the vendor', async () => {
    const c = cache({ maxBytes: 20_000 });
    await c.warm(WELCOME);
    await c.warm({ ...WELCOME, text: 'Thanks for calling, goodbye and have a wonderful day.' });
    expect(c.cachedBytes).toBeLessThanOrEqual(20_000);
    await play(c, WELCOME);
    expect(fake.requests).toHaveLength(2);
  });

  it('writes atomically and prunes temp files left by another process', async () => {
    await writeFile(join(dir, 'abc.ulaw.99999.deadbeef.tmp'), 'partial');
    const c = cache();
    await c.warm(WELCOME);
    await c.pruneDisk();
    expect(await readdir(dir)).toEqual(await audioFiles());
  });
});

async function flipLastByte(file: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const b = await readFile(file);
  b[b.length - 1] = b[b.length - 1]! ^ 0x55;
  await writeFile(file, b);
}
