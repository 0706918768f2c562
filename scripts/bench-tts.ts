/**
 * TTS latency benchmark (in-process, ~15 s):
 *
 *   npm run bench:tts -- [--runs N] [--json]
 *
 * (a) A cached static prompt: time from `synthesize()` to the first frame, through the audio
 *     cache after warm-up (memory) and after a restart (entries preloaded from the disk cache).
 * (b) ElevenLabs through the SDK against the local fake vendor with vendor-like latency (first
 *     byte after 75–150 ms, irregular chunks of ≥ 160 bytes every 20 ms): the server's own overhead from the first audio
 *     byte written by the vendor to the first 160-byte frame yielded, plus the whole time to the
 *     first frame for a one-sentence and a ten-sentence text (the long text must not wait longer).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/logger.js';
import { withAudioCache } from '../src/tts/cache.js';
import { createElevenLabsProvider } from '../src/tts/providers/elevenlabs.js';
import { createEspeakProvider } from '../src/tts/providers/espeak.js';
import type { TtsProvider, TtsRequest } from '../src/tts/types.js';
import { startFakeElevenLabs, type FakeElevenLabs } from '../test/fakes/elevenlabs-server.js';

interface Row {
  what: string;
  runs: number;
  p50: number;
  p99: number;
  max: number;
}

const PROMPT: TtsRequest = {
  text: 'Thanks for calling. Press 1 for orders, 2 for bookings, or say what you need.',
  voice: 'en-us',
  language: 'en-US',
};
const ONE = 'Your order has shipped and arrives on Monday.';
const TEN = Array.from(
  { length: 10 },
  (_, i) => `This is sentence ${i + 1} of a long answer.`,
).join(' ');

function parseArgs(argv: string[]): { runs: number; json: boolean } {
  const a = { runs: 2000, json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') a.runs = Number(argv[++i]);
    else if (argv[i] === '--json') a.json = true;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!(a.runs > 0)) throw new Error('--runs must be positive');
  return a;
}

function summarize(what: string, ms: number[]): Row {
  const s = [...ms].sort((x, y) => x - y);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { what, runs: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1] ?? NaN };
}

/** ms from synthesize() to the first frame; the rest of the stream is cancelled. */
async function firstFrameMs(tts: TtsProvider, req: TtsRequest): Promise<number> {
  const ac = new AbortController();
  const t0 = performance.now();
  const it = tts.synthesize(req, ac.signal)[Symbol.asyncIterator]();
  const first = await it.next();
  const ms = performance.now() - t0;
  if (first.done) throw new Error('no audio');
  ac.abort();
  await it.return?.();
  return ms;
}

async function cachedPrompt(runs: number): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-tts-'));
  try {
    const espeak = createEspeakProvider({ bin: 'espeak-ng', logger: silentLogger() });
    const warm = withAudioCache(espeak, { maxBytes: 64 << 20, dir });
    await warm.warm(PROMPT);
    const restarted = withAudioCache(espeak, { maxBytes: 64 << 20, dir });
    await restarted.warm(PROMPT);
    const rows: Row[] = [];
    for (const [what, tts] of [
      ['cached prompt (warmed in this process)', warm],
      ['cached prompt (preloaded from disk after restart)', restarted],
    ] as const) {
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) ms.push(await firstFrameMs(tts, PROMPT));
      rows.push(summarize(`${what}: synthesize() → first frame`, ms));
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function elevenLabs(runs: number): Promise<Row[]> {
  const fake: FakeElevenLabs = await startFakeElevenLabs({
    chunkDelayMs: 20,
    chunkSizes: [237, 411, 1003, 613], // irregular, each at least one frame
  });
  try {
    const tts = createElevenLabsProvider({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      voiceId: 'benchVoice',
      modelId: 'eleven_flash_v2_5',
      logger: silentLogger(),
    });
    const overhead: number[] = [];
    const total: Record<'one' | 'ten', number[]> = { one: [], ten: [] };
    await firstFrameMs(tts, { ...PROMPT, text: ONE }); // connection + module warm-up
    for (let i = 0; i < runs; i++) {
      for (const kind of ['one', 'ten'] as const) {
        fake.options.firstByteDelayMs = 75 + Math.round(Math.random() * 75);
        const before = fake.requests.length;
        const t0 = performance.now();
        const ms = await firstFrameMs(tts, { ...PROMPT, text: kind === 'one' ? ONE : TEN });
        total[kind].push(ms);
        const firstByte = fake.requests[before]?.firstByteAtMs;
        if (firstByte !== undefined) overhead.push(t0 + ms - firstByte);
      }
    }
    return [
      summarize(
        'ElevenLabs (fake, 75–150 ms first byte): first byte received → first frame',
        overhead,
      ),
      summarize('ElevenLabs (fake): synthesize() → first frame, 1 sentence', total.one),
      summarize('ElevenLabs (fake): synthesize() → first frame, 10 sentences', total.ten),
    ];
  } finally {
    await fake.close();
  }
}

function table(rows: Row[]): string {
  const f = (n: number) => (n < 1 ? n.toFixed(3) : n.toFixed(1));
  return [
    '| measurement | runs | p50 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.what} | ${r.runs} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rows = [
    ...(await cachedPrompt(args.runs)),
    ...(await elevenLabs(Math.max(5, Math.min(40, Math.round(args.runs / 50))))),
  ];
  if (args.json) console.log(JSON.stringify(rows, null, 2));
  else console.log(table(rows));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
