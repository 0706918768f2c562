/**
 * Cloud-provider benchmark: the service with STT_PROVIDER=deepgram, TTS_PROVIDER=elevenlabs and
 * OpenAI, all pointed at the vendor fakes (scripts/lib/cloud-fakes.ts, in a process of their
 * own) running at vendor-like latency. The caller speaks (espeak-ng audio, real-time paced); the
 * Deepgram fake hears it by energy and answers "customer support"; each call goes main menu →
 * support route → hang-up.
 *
 *   npm run bench:cloud -- [--calls 50,100] [--seconds 25] [--drops 10] [--fallback-calls 6] [--json]
 *
 * Phases: (1) load at each N of --calls for --seconds (call slots placing calls back to back):
 * server reply overhead, event-loop lag, underruns, caller-heard latency; (2) the per-turn
 * waterfall of static prompts from the call records (decided → first frame sent); (3) --drops
 * calls whose Deepgram socket is dropped 300 ms into the caller's utterance: speech end → first
 * bot audio received; (4) a fresh server while ElevenLabs answers 503 (espeak-ng fallback):
 * decided → first frame sent of every prompt.
 */
import os from 'node:os';
import { createEspeakProvider } from '../src/tts/providers/espeak.js';
import { silentLogger } from '../src/logger.js';
import { ulawToLinearSample } from '../src/media/mulaw.js';
import { placeCall } from './lib/twilio-client.js';
import { getJson, percentile, spawnServer, type ServerProcess } from './lib/bench-server.js';
import { startCloudFakes, VENDOR_LIKE, type CloudFakes } from './lib/cloud-fakes.js';

interface Args {
  calls: number[];
  seconds: number;
  drops: number;
  fallbackCalls: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { calls: [50, 100], seconds: 25, drops: 10, fallbackCalls: 6, json: false };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (f === '--calls') a.calls = String(argv[++i]).split(',').map(Number);
    else if (f === '--seconds') a.seconds = Number(argv[++i]);
    else if (f === '--drops') a.drops = Number(argv[++i]);
    else if (f === '--fallback-calls') a.fallbackCalls = Number(argv[++i]);
    else if (f === '--json') a.json = true;
    else throw new Error(`unknown option ${f}`);
  }
  if (a.calls.some((n) => !(n > 0)) || !(a.seconds > 0)) throw new Error('bad --calls/--seconds');
  return a;
}

type Dist = { count: number; p50?: number; p99?: number; max?: number };
type Stats = {
  runtime: { eventLoopLagMs: Dist; cpuPercent: number; replyOverheadMs: Dist };
  media: { legs: { framesOut: number; lateFrames: number } };
};
type Turn = {
  role: 'bot' | 'caller';
  prompt?: string;
  timings: { decidedMs?: number; ttsFirstAudioMs?: number; firstFrameSentMs?: number };
};
type CallPage = { items: { outcome?: string; turns: Turn[] }[]; total: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r1 = (x: number | undefined) => (x === undefined ? undefined : Math.round(x * 10) / 10);
const dist = (xs: number[]) => ({
  count: xs.length,
  p50: r1(percentile(xs, 0.5)),
  p99: r1(percentile(xs, 0.99)),
  max: r1(Math.max(0, ...xs)),
});

/** What the fake Twilio side saw over a phase. */
interface Totals {
  completed: number;
  failed: number;
  framesOut: number;
  underruns: number;
  /** Caller's last speech frame sent → first bot audio frame received, ms. */
  heardMs: number[];
}
const newTotals = (): Totals => ({
  completed: 0,
  failed: 0,
  framesOut: 0,
  underruns: 0,
  heardMs: [],
});

/**
 * One call: wait for the greeting and menu to finish, speak (after `beforeSpeak`), time the
 * first bot audio after the last speech frame, wait for the bot to hang up.
 */
async function oneCall(
  url: string,
  speech: Speech,
  t: Totals,
  beforeSpeak: () => Promise<void> = async () => {},
): Promise<void> {
  const { client } = await placeCall({
    server: url,
    from: '+15550001111',
    to: '+15550002222',
    keepAudio: false,
    quietMs: 400,
  });
  try {
    await client.waitForBotFinished({ timeoutMs: 30_000 }); // welcome + menu
    await beforeSpeak();
    await client.streamFrames(speech.frames);
    // The last voiced frame went out this long before the last frame (20 ms per frame).
    const end = performance.now() - speech.trailingSilentFrames * 20;
    await client.waitFor('media', () => true, 20_000);
    t.heardMs.push(performance.now() - end);
    await Promise.race([client.closed, sleep(20_000)]);
    if (client.open) throw new Error('bot did not hang up');
    t.completed++;
  } finally {
    if (client.open) await client.stop();
    const s = client.stats();
    t.framesOut += s.mediaReceived;
    t.underruns += s.underruns;
  }
}

/** The caller's words, µ-law frames, and how many trailing frames are silence (RMS < 300). */
interface Speech {
  frames: Buffer[];
  trailingSilentFrames: number;
}

async function callerSpeech(): Promise<Speech> {
  const tts = createEspeakProvider({ bin: 'espeak-ng', logger: silentLogger() });
  const frames: Buffer[] = [];
  const req = { text: 'customer support', voice: 'en-us', language: 'en-US' };
  for await (const f of tts.synthesize(req, new AbortController().signal)) frames.push(f);
  const rms = (f: Buffer) => {
    let sum = 0;
    for (const b of f) sum += ulawToLinearSample(b) ** 2;
    return Math.sqrt(sum / f.length);
  };
  let silent = 0;
  while (silent < frames.length && rms(frames[frames.length - 1 - silent]!) < 300) silent++;
  return { frames, trailingSilentFrames: silent };
}

/** Every call record started since `sinceMs` (epoch), with turns. */
async function records(url: string, sinceMs: number): Promise<CallPage['items']> {
  await sleep(1500); // the recorder writes behind
  const out: CallPage['items'] = [];
  const since = encodeURIComponent(new Date(sinceMs).toISOString());
  for (let offset = 0; ; offset += 200) {
    const page = await getJson<CallPage>(
      `${url}/api/calls?since=${since}&limit=200&offset=${offset}`,
    );
    out.push(...page.items);
    if (page.items.length < 200) return out;
  }
}

/** decided → first frame sent (and decided → first synthesized audio) per bot prompt, ms. */
function waterfall(items: CallPage['items']): Record<string, { sent: Dist; synth: Dist }> {
  const by = new Map<string, { sent: number[]; synth: number[] }>();
  for (const c of items)
    for (const t of c.turns) {
      const { decidedMs, ttsFirstAudioMs, firstFrameSentMs } = t.timings;
      if (t.role !== 'bot' || decidedMs === undefined || firstFrameSentMs === undefined) continue;
      const e = by.get(t.prompt ?? '?') ?? { sent: [], synth: [] };
      e.sent.push(firstFrameSentMs - decidedMs);
      if (ttsFirstAudioMs !== undefined) e.synth.push(ttsFirstAudioMs - decidedMs);
      by.set(t.prompt ?? '?', e);
    }
  return Object.fromEntries(
    [...by].map(([k, v]) => [k, { sent: dist(v.sent), synth: dist(v.synth) }]),
  );
}

async function startServer(fakes: CloudFakes, env: Record<string, string> = {}) {
  const start = (await fakes.counts()).elevenLabsRequests;
  const proc: ServerProcess = await spawnServer({ ...fakes.env, ...env });
  // The static prompts are warmed one at a time at boot (~0.4 s each at vendor-like latency):
  // wait until ElevenLabs has seen requests and then none for 3 s.
  let last = start;
  for (let quiet = 0, i = 0; quiet < 6 && i < 240; i++) {
    await sleep(500);
    const n = (await fakes.counts()).elevenLabsRequests;
    quiet = n === last && n > start ? quiet + 1 : 0;
    last = n;
  }
  return proc;
}

/** N call slots placing calls back to back for `seconds`. */
async function loadPhase(
  url: string,
  speech: Speech,
  fakes: CloudFakes,
  n: number,
  seconds: number,
) {
  await fetch(`${url}/api/stats/reset`, { method: 'POST' });
  const before = await fakes.counts();
  const base = await getJson<Stats>(`${url}/api/stats`);
  const started = Date.now();
  const t = newTotals();
  const until = started + seconds * 1000;
  const rampMs = Math.min(5000, n * 20);
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      await sleep((rampMs * i) / n);
      while (Date.now() < until) await oneCall(url, speech, t).catch(() => t.failed++);
    }),
  );
  const end = await getJson<Stats>(`${url}/api/stats`);
  const after = await fakes.counts();
  const dgConnections = after.deepgramConnections - before.deepgramConnections;
  const calls = await records(url, started);
  return {
    calls: n,
    deepgramConnectionsPerCall: r1(dgConnections / Math.max(1, t.completed + t.failed)),
    /** Replies come from the prompt cache (ElevenLabs audio warmed at boot): expected 0. */
    elevenLabsRequests: after.elevenLabsRequests - before.elevenLabsRequests,
    openAiRequests: after.openAiRequests - before.openAiRequests,
    seconds,
    completed: t.completed,
    failed: t.failed,
    outcomes: countBy(calls.map((c) => c.outcome ?? 'none')),
    droppedFrames: end.media.legs.framesOut - base.media.legs.framesOut - t.framesOut,
    underrunsClient: t.underruns,
    lateFramesServer: end.media.legs.lateFrames - base.media.legs.lateFrames,
    eventLoopLagMs: end.runtime.eventLoopLagMs,
    replyOverheadMs: end.runtime.replyOverheadMs,
    heardMs: dist(t.heardMs),
    serverCpuPercent: end.runtime.cpuPercent,
    waterfall: waterfall(calls),
  };
}

function countBy(xs: string[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const x of xs) m[x] = (m[x] ?? 0) + 1;
  return m;
}

/** Calls whose Deepgram socket drops 300 ms into the utterance; speakers 1.5 s apart. */
async function dropPhase(url: string, speech: Speech, fakes: CloudFakes, n: number) {
  const before = await fakes.counts();
  const started = Date.now();
  const t = newTotals();
  let turn: Promise<unknown> = Promise.resolve();
  await Promise.all(
    Array.from({ length: n }, () =>
      oneCall(url, speech, t, async () => {
        // Speakers take turns: the fake's drop arms for the next speech onset of any call.
        const mine = turn.then(() => fakes.dropOnNextSpeech(300));
        turn = mine.then(() => sleep(1500));
        await mine;
      }).catch(() => t.failed++),
    ),
  );
  const after = await fakes.counts();
  const calls = await records(url, started);
  return {
    calls: n,
    completed: t.completed,
    failed: t.failed,
    outcomes: countBy(calls.map((c) => c.outcome ?? 'none')),
    deepgramConnections: after.deepgramConnections - before.deepgramConnections,
    heardMs: dist(t.heardMs),
    within2s: t.heardMs.filter((x) => x <= 2000).length,
  };
}

/**
 * A fresh server (empty prompt cache) while ElevenLabs answers 503. `cooldownMs`: the circuit
 * breaker's; 0 = every synthesis tries ElevenLabs first (503, then espeak-ng), the default
 * 30 s = ElevenLabs is known down after the boot warm-up failed (straight to espeak-ng).
 */
async function fallbackPhase(fakes: CloudFakes, speech: Speech, n: number, cooldownMs: number) {
  await fakes.setElevenLabsFailure(503);
  const proc = await startServer(fakes, { PROVIDER_COOLDOWN_MS: String(cooldownMs) });
  try {
    const before = await fakes.counts();
    const started = Date.now();
    const t = newTotals();
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        await sleep(i * 500);
        await oneCall(proc.url, speech, t).catch(() => t.failed++);
      }),
    );
    const after = await fakes.counts();
    const calls = await records(proc.url, started);
    const all = calls.flatMap((c) => c.turns).filter((x) => x.role === 'bot');
    const sent = all.flatMap((x) =>
      x.timings.firstFrameSentMs !== undefined && x.timings.decidedMs !== undefined
        ? [x.timings.firstFrameSentMs - x.timings.decidedMs]
        : [],
    );
    return {
      providerCooldownMs: cooldownMs,
      calls: n,
      completed: t.completed,
      failed: t.failed,
      outcomes: countBy(calls.map((c) => c.outcome ?? 'none')),
      elevenLabsRequestsDuringCalls: after.elevenLabsRequests - before.elevenLabsRequests,
      decidedToFirstFrameMs: dist(sent),
      byPrompt: waterfall(calls),
      heardMs: dist(t.heardMs),
    };
  } finally {
    await proc.stop();
    await fakes.setElevenLabsFailure(undefined);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const fakes = await startCloudFakes(VENDOR_LIKE);
  const speech = await callerSpeech();
  const proc = await startServer(fakes);
  const result: Record<string, unknown> = {
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg(),
    latency: VENDOR_LIKE,
    callerSpeechMs: (speech.frames.length - speech.trailingSilentFrames) * 20,
    callerTrailingSilenceMs: speech.trailingSilentFrames * 20,
  };
  const report = (k: string, v: unknown) => {
    result[k] = v;
    if (!args.json) process.stdout.write(`${k}: ${JSON.stringify(v, null, 1)}\n`);
  };
  try {
    await oneCall(proc.url, speech, newTotals()); // JIT warm-up
    const load = [];
    for (const n of args.calls)
      load.push(await loadPhase(proc.url, speech, fakes, n, args.seconds));
    report('load', load);
    report('drop', await dropPhase(proc.url, speech, fakes, args.drops));
  } finally {
    await proc.stop();
  }
  try {
    const fallback = [];
    for (const cooldownMs of [30_000, 0])
      fallback.push(await fallbackPhase(fakes, speech, args.fallbackCalls, cooldownMs));
    report('fallback', fallback);
  } finally {
    await fakes.close();
  }
  report('loadAverage', os.loadavg());
  report('runtimeSeconds', Math.round((Date.now() - t0) / 1000));
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(2);
});
