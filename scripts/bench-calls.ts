/**
 * Capacity benchmark: N simultaneous simulated calls against one server process, real-time paced
 * audio both ways (the fake Twilio streams caller audio/silence every 20 ms and plays the bot's
 * audio out in real time, echoing marks).
 *
 *   npm run bench:calls -- --calls N --seconds S [--stt offline] [--json] [--server URL]
 *
 * Default: keypad-driven (STT_PROVIDER=none, TTS from the prompt cache) so the media path and
 * dialog are measured without speech engines. `--stt offline`: pocketsphinx per call, the caller
 * speaks (espeak-ng audio synthesized once up front). Each call slot places calls back to back
 * until S seconds have passed, then lets the calls in progress finish.
 */
import os from 'node:os';
import { createEspeakProvider } from '../src/tts/providers/espeak.js';
import { silentLogger } from '../src/logger.js';
import { placeCall } from './lib/twilio-client.js';
import { getJson, percentile, spawnServer, type ServerProcess } from './lib/bench-server.js';

interface Args {
  calls: number;
  seconds: number;
  stt: 'none' | 'offline';
  json: boolean;
  server?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { calls: 50, seconds: 15, stt: 'none', json: false };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (f === '--calls') a.calls = Number(argv[++i]);
    else if (f === '--seconds') a.seconds = Number(argv[++i]);
    else if (f === '--stt') a.stt = argv[++i] === 'offline' ? 'offline' : 'none';
    else if (f === '--json') a.json = true;
    else if (f === '--server') a.server = argv[++i]!;
    else throw new Error(`unknown option ${f}`);
  }
  if (!(a.calls > 0) || !(a.seconds > 0)) throw new Error('--calls and --seconds must be positive');
  return a;
}

interface Totals {
  callsCompleted: number;
  callsFailed: number;
  framesIn: number;
  framesOut: number;
  underruns: number;
  jitter: number[];
}

function newTotals(): Totals {
  return { callsCompleted: 0, callsFailed: 0, framesIn: 0, framesOut: 0, underruns: 0, jitter: [] };
}

type Stats = {
  liveCalls: number;
  media: { legs: { framesIn: number; framesOut: number; lateFrames: number; malformed: number } };
  runtime: {
    eventLoopLagMs: { p50: number; p99: number; max: number };
    cpuPercent: number;
    rssBytes: number;
    replyOverheadMs: { count: number; p50?: number; p99?: number; max?: number };
    bargeInMs: { count: number; p50?: number; p99?: number; max?: number };
  };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CallerAudio {
  /** Spoken over the menu prompt (a barge-in). */
  answer: Buffer[];
  /** Said to any follow-up question (a confirmation). */
  yes: Buffer[];
}

/**
 * One call. Keypad mode: wait for the menu to finish, press 3, wait for the hang-up. Speech mode:
 * speak over the menu prompt 2 s into it (barge-in), then answer "yes" to whatever follows until
 * the bot hangs up.
 */
async function oneCall(url: string, speech: CallerAudio | undefined, t: Totals): Promise<void> {
  const { client } = await placeCall({
    server: url,
    from: '+15550001111',
    to: '+15550002222',
    keepAudio: false,
    quietMs: 400,
  });
  try {
    if (speech) {
      await client.waitForBotFinished({ timeoutMs: 30_000 }); // the greeting
      await client.waitForBotSpeaking(30_000);
      await sleep(2000);
      await client.streamFrames(speech.answer);
      for (let i = 0; i < 3 && client.open; i++) {
        await Promise.race([client.waitForBotFinished({ timeoutMs: 30_000 }), client.closed]);
        await Promise.race([client.closed, sleep(800)]);
        if (client.open) await client.streamFrames(speech.yes);
      }
    } else {
      await client.waitForBotFinished({ timeoutMs: 30_000 });
      client.sendDtmf('3');
    }
    await Promise.race([client.closed, sleep(30_000)]);
    if (client.open) throw new Error('bot did not hang up');
    t.callsCompleted++;
  } finally {
    if (client.open) await client.stop();
    const s = client.stats();
    t.framesIn += s.mediaSent;
    t.framesOut += s.mediaReceived;
    t.underruns += s.underruns;
    for (const j of client.playback.jitterMs) t.jitter.push(Math.max(0, j));
  }
}

async function slot(
  url: string,
  until: number,
  frames: CallerAudio | undefined,
  t: Totals,
): Promise<void> {
  while (Date.now() < until) {
    await oneCall(url, frames, t).catch(() => t.callsFailed++);
  }
}

async function callerAudio(stt: Args['stt']): Promise<CallerAudio | undefined> {
  if (stt === 'none') return undefined;
  const tts = createEspeakProvider({ bin: 'espeak-ng', logger: silentLogger() });
  const say = async (text: string) => {
    const frames: Buffer[] = [];
    const req = { text, voice: 'en-us', language: 'en-US' };
    for await (const f of tts.synthesize(req, new AbortController().signal)) frames.push(f);
    return frames;
  };
  return { answer: await say('I want to order'), yes: await say('yes') };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let proc: ServerProcess | undefined;
  const url =
    args.server ??
    (proc = await spawnServer({ STT_PROVIDER: args.stt === 'offline' ? 'pocketsphinx' : 'none' }))
      .url;
  const frames = await callerAudio(args.stt);
  const warm = newTotals();
  await oneCall(url, frames, warm); // fills the prompt cache, JIT-warms the paths
  const base = await getJson<Stats>(`${url}/api/stats`);
  await fetch(`${url}/api/stats/reset`, { method: 'POST' });

  const t = newTotals();
  const until = Date.now() + args.seconds * 1000;
  const rampMs = Math.min(5000, args.calls * 10);
  let peakRss = base.runtime.rssBytes;
  let peakLive = 0;
  const poll = setInterval(() => {
    void getJson<Stats>(`${url}/api/stats`).then(
      (s) => {
        peakRss = Math.max(peakRss, s.runtime.rssBytes);
        peakLive = Math.max(peakLive, s.liveCalls);
      },
      () => undefined,
    );
  }, 1000);
  const slots = Array.from({ length: args.calls }, async (_, i) => {
    await sleep((rampMs * i) / args.calls);
    await slot(url, until, frames, t);
  });
  await Promise.all(slots);
  clearInterval(poll);
  const end = await getJson<Stats>(`${url}/api/stats`);
  await proc?.stop();

  const serverOut = end.media.legs.framesOut - base.media.legs.framesOut;
  const result = {
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    date: new Date().toISOString(),
    mode: args.stt === 'none' ? 'dtmf' : 'offline-stt',
    calls: args.calls,
    peakLiveCalls: peakLive,
    seconds: args.seconds,
    callsCompleted: t.callsCompleted,
    callsFailed: t.callsFailed,
    framesIn: t.framesIn,
    framesOut: t.framesOut,
    droppedFrames: serverOut - t.framesOut,
    lateFramesServer: end.media.legs.lateFrames - base.media.legs.lateFrames,
    underrunsClient: t.underruns,
    jitterMs: { p50: percentile(t.jitter, 0.5), p99: percentile(t.jitter, 0.99) },
    eventLoopLagMs: end.runtime.eventLoopLagMs,
    replyOverheadMs: end.runtime.replyOverheadMs,
    bargeInMs: end.runtime.bargeInMs,
    rssPerCallBytes: Math.round((peakRss - base.runtime.rssBytes) / Math.max(1, peakLive)),
    peakRssBytes: peakRss,
    serverCpuPercent: end.runtime.cpuPercent,
  };
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    for (const [k, v] of Object.entries(result))
      process.stdout.write(
        `${k.padEnd(18)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`,
      );
  }
  process.exit(result.droppedFrames === 0 && result.callsFailed === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
