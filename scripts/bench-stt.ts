/**
 * Offline STT benchmark: prints numbers, asserts nothing.
 *
 *   npx tsx scripts/bench-stt.ts            costs: spawn-to-ready, CPU per second of audio, RSS,
 *                                           and latencies when fed in real time
 *   npx tsx scripts/bench-stt.ts --accuracy word accuracy on synthetic callers (several voices),
 *                                           default vs. no fillers vs. linear 8→16 kHz upsampling
 *   npx tsx scripts/bench-stt.ts --cmn      the adapted cepstral mean after several turns (the
 *                                           source of TELEPHONE_CMN_INIT)
 *
 * Needs .cache/bin/ps-frontend (bash scripts/build-native.sh) and espeak-ng.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/logger.js';
import { silenceFrames } from '../src/media/framing.js';
import { decodeUlaw } from '../src/media/mulaw.js';
import { upsample8to16 } from '../src/media/resample.js';
import { Upsampler8to16 } from '../src/media/upsample.js';
import { buildGrammar, loadLexicon } from '../src/stt/providers/pocketsphinx-grammar.js';
import {
  encodeAudio,
  encodeMessage,
  LineSplitter,
  MessageType,
  parseFrontendLine,
} from '../src/stt/providers/pocketsphinx-protocol.js';
import { PocketsphinxStream } from '../src/stt/providers/pocketsphinx-stream.js';
import {
  createPocketsphinxProvider,
  TELEPHONE_CMN_INIT,
  type PocketsphinxOptions,
} from '../src/stt/providers/pocketsphinx.js';
import type { SttStream } from '../src/stt/types.js';
import {
  callerTurnFrames,
  EventLog,
  feedFrames,
  isSpeechStarted,
  isTranscript,
  SPEECH_PATHS,
  synthesizeCallerFrames,
} from '../test/helpers/speech.js';

const HINTS = ['order', 'book', 'support', 'yes', 'no', 'talk to a person'];
const CASES: Array<[said: string, expected: string]> = [
  ['order', 'order'],
  ['book', 'book'],
  ['support', 'support'],
  ['yes', 'yes'],
  ['no', 'no'],
  ['talk to a person', 'talk to a person'],
  ['I want to order', 'order'],
  ["I'd like to book", 'book'],
  ['support please', 'support'],
  ['yes please', 'yes'],
  ['no thanks', 'no'],
  ['I need support', 'support'],
  ['can I talk to a person', 'talk to a person'],
];
const VOICES = ['en-us', 'en-us+f4', 'en-gb', 'en-us+m7', 'en-us+f2', 'en-us+m3'];
const TICK_MS = 10; // USER_HZ = 100 on Linux

const base: PocketsphinxOptions = {
  bin: SPEECH_PATHS.pocketsphinxBin,
  modelDir: SPEECH_PATHS.modelDir,
  dict: SPEECH_PATHS.dict,
  logger: silentLogger(),
};

function rms(ulaw: Buffer): number {
  const pcm = decodeUlaw(ulaw);
  let sum = 0;
  for (const x of pcm) sum += x * x;
  return Math.sqrt(sum / pcm.length);
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function procStat(pid: number): { cpuMs: number; rssKb: number; hwmKb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuMs = (Number(f[11]) + Number(f[12])) * TICK_MS; // utime + stime
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { cpuMs, rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

const pidOf = (s: SttStream): number => (s instanceof PocketsphinxStream ? s.pid : undefined) ?? -1;

async function costs(): Promise<void> {
  const provider = createPocketsphinxProvider(base);
  const signal = new AbortController().signal;
  await (await provider.openStream({ language: 'en-US', hints: HINTS }, signal)).close(); // warm caches
  const readyMs: number[] = [];
  const rssKb: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const s = await provider.openStream({ language: 'en-US', hints: HINTS }, signal);
    readyMs.push(performance.now() - t0);
    rssKb.push(procStat(pidOf(s)).rssKb);
    await s.close();
  }
  console.log(
    `spawn → ready (openStream), 20 runs: median ${pct(readyMs, 50).toFixed(1)} ms, p95 ${pct(readyMs, 95).toFixed(1)} ms`,
  );
  console.log(`RSS per child after start: median ${(pct(rssKb, 50) / 1024).toFixed(1)} MB`);

  const turns = await Promise.all(CASES.map(([said]) => callerTurnFrames(said)));
  const frames = turns.flat();
  const audioS = (frames.length * 20) / 1000;
  const s = await provider.openStream({ language: 'en-US', hints: HINTS }, signal);
  const log = new EventLog(s);
  const pid = pidOf(s);
  const before = procStat(pid);
  const nodeBefore = process.cpuUsage();
  await feedFrames(s, frames, { speedup: 20 });
  await log.waitFor(isTranscript, 20000, CASES.length);
  const nodeCpu = process.cpuUsage(nodeBefore);
  const after = procStat(pid);
  await s.close();
  const childMs = after.cpuMs - before.cpuMs;
  console.log(
    `decoding ${audioS.toFixed(1)} s of audio (${CASES.length} turns, 1 s silence around each):`,
  );
  console.log(
    `  child CPU ${childMs} ms = ${(childMs / audioS).toFixed(1)} ms per audio second (${((100 * childMs) / (audioS * 1000)).toFixed(1)} % of real time)`,
  );
  console.log(`  child peak RSS ${(after.hwmKb / 1024).toFixed(1)} MB`);
  const nodeMs = (nodeCpu.user + nodeCpu.system) / 1000;
  console.log(
    `  Node process CPU while feeding (µ-law decode, upsampling, pipe writes, events, timers): ${nodeMs.toFixed(0)} ms = ${(nodeMs / audioS).toFixed(1)} ms per audio second`,
  );
  await fullDictionary();
  writePath();
  await latency();
}

/** The alternative we avoid: the child loading all of CMUdict itself. */
async function fullDictionary(): Promise<void> {
  const readyMs: number[] = [];
  let rssKb = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const child = spawn(base.bin, ['--hmm', base.modelDir, '--dict', base.dict]);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    readyMs.push(performance.now() - t0);
    rssKb = procStat(child.pid!).rssKb;
    child.stdin.end(encodeMessage(MessageType.quit));
    await new Promise((r) => child.once('close', r));
  }
  console.log(
    `for comparison, a child loading all of CMUdict: ready median ${pct(readyMs, 50).toFixed(0)} ms, RSS ${(rssKb / 1024).toFixed(1)} MB`,
  );
}

/** CPU of what write() does on the event loop per 20 ms frame, without the pipe. */
function writePath(): void {
  const frame = Buffer.from(Array.from({ length: 160 }, (_, i) => (i * 37) & 0xff));
  const up = new Upsampler8to16();
  for (let i = 0; i < 5000; i++) encodeAudio(up.process(decodeUlaw(frame)));
  const n = 50000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) encodeAudio(up.process(decodeUlaw(frame)));
  const perMs = (performance.now() - t0) / n;
  console.log(
    `write() on the event loop (µ-law decode + FIR upsampling + message encoding): ${(perMs * 1000).toFixed(0)} µs per 20 ms frame = ${(perMs * 50).toFixed(1)} ms per audio second`,
  );
}

/**
 * Real-time feeding (like a live call): speech onset → speech.started, and last speech frame
 * written → transcript, per turn, with the default VAD hangover.
 */
async function latency(): Promise<void> {
  const provider = createPocketsphinxProvider(base);
  const s = await provider.openStream(
    { language: 'en-US', hints: HINTS },
    new AbortController().signal,
  );
  const log = new EventLog(s);
  const startLag: number[] = [];
  const endLag: number[] = [];
  const said = ['yes', 'no', 'I want to order', 'talk to a person', 'book', 'yes please'];
  for (const [i, text] of said.entries()) {
    const speech = await synthesizeCallerFrames(text);
    const loud = speech.map((f) => rms(f) > 300);
    const first = loud.indexOf(true);
    const last = loud.lastIndexOf(true);
    await feedFrames(s, silenceFrames(800), { speedup: 1 });
    const writtenMs = Date.now(); // frames go out every 20 ms from here
    await feedFrames(s, [...speech, ...silenceFrames(1000)], { speedup: 1 });
    const t = await log.waitFor(isTranscript, 10000, i + 1);
    const st = await log.waitFor(isSpeechStarted, 10000, i + 1);
    startLag.push(st.atMs - (writtenMs + first * 20));
    endLag.push(t.finalAtMs - (writtenMs + (last + 1) * 20));
  }
  await s.close();
  const fmt = (v: number[]) => v.map((x) => x.toFixed(0)).join(', ');
  console.log(`real-time feeding, ${said.length} turns, --vad-postspeech 35:`);
  console.log(
    `  speech.started atMs − first audible frame written: ${fmt(startLag)} ms (onset estimate)`,
  );
  console.log(`  transcript received − last audible frame written: ${fmt(endLag)} ms`);
}

/** Drives the front end directly, upsampling with `upsample` (for the upsampler comparison). */
async function rawTranscripts(
  frames: Buffer[][],
  upsample: (pcm8: Int16Array) => Int16Array,
  jsgf: string,
): Promise<string[]> {
  const child = spawn(base.bin, [
    '--hmm',
    base.modelDir,
    '--dict',
    base.dict,
    '--cmninit',
    TELEPHONE_CMN_INIT,
  ]);
  const finals: string[] = [];
  const splitter = new LineSplitter();
  let want = 0;
  let wake: () => void = () => undefined;
  child.stdout.on('data', (b: Buffer) => {
    for (const line of splitter.push(b)) {
      const ev = parseFrontendLine(line);
      if (ev?.type === 'final') finals.push(ev.text);
      if (finals.length >= want) wake();
    }
  });
  child.stdin.write(encodeMessage(MessageType.grammar, Buffer.from(jsgf)));
  for (const turn of frames) {
    want++;
    const done = new Promise<void>((r) => (wake = r));
    for (const f of turn) child.stdin.write(encodeAudio(upsample(decodeUlaw(f))));
    if (finals.length < want) await done;
  }
  child.stdin.end(encodeMessage(MessageType.quit));
  return finals;
}

function correct(text: string, expected: string): boolean {
  const padded = ` ${text} `;
  return (
    padded.includes(` ${expected} `) &&
    !HINTS.some((h) => h !== expected && padded.includes(` ${h} `))
  );
}

async function accuracy(): Promise<void> {
  const lexicon = await loadLexicon(base.dict);
  const variants: Record<
    string,
    (turns: Buffer[][]) => Promise<Array<{ text: string; confidence?: number }>>
  > = {
    'default (FIR upsampling, fillers)': (turns) => viaProvider(turns, true),
    'no fillers': (turns) => viaProvider(turns, false),
    'first turn of a call (fresh stream per turn)': (turns) =>
      firstTurns(turns, TELEPHONE_CMN_INIT),
    "first turn of a call, the model's initial CMN": (turns) => firstTurns(turns, ''),
    'linear upsampling (media/resample.ts), fillers': async (turns) => {
      let prev = 0;
      const linear = (pcm8: Int16Array) => {
        const out = upsample8to16(pcm8, prev);
        prev = pcm8[pcm8.length - 1] ?? prev;
        return out;
      };
      const jsgf = buildGrammar(HINTS, lexicon).jsgf;
      return (await rawTranscripts(turns, linear, jsgf)).map((text) => ({ text }));
    },
  };
  for (const [name, run] of Object.entries(variants)) {
    const right: number[] = [];
    const wrong: number[] = [];
    for (const voice of VOICES) {
      const turns = await Promise.all(CASES.map(([said]) => callerTurnFrames(said, { voice })));
      const results = await run(turns);
      CASES.forEach(([, expected], i) => {
        const r = results[i];
        (correct(r?.text ?? '', expected) ? right : wrong).push(r?.confidence ?? NaN);
      });
    }
    const n = right.length + wrong.length;
    console.log(`${name}: ${right.length}/${n} turns right (${VOICES.length} voices)`);
    const q = (v: number[]) =>
      v.length
        ? `min ${pct(v, 0).toFixed(2)}, median ${pct(v, 50).toFixed(2)}, max ${pct(v, 100).toFixed(2)}`
        : '-';
    if (!right.some(Number.isNaN)) {
      console.log(`  confidence when right: ${q(right)}; when wrong: ${q(wrong)}`);
    }
  }
}

async function firstTurns(
  turns: Buffer[][],
  cmnInit: string,
): Promise<Array<{ text: string; confidence: number }>> {
  const out: Array<{ text: string; confidence: number }> = [];
  for (const turn of turns) out.push(...(await viaProvider([turn], true, { cmnInit })));
  return out;
}

async function viaProvider(
  turns: Buffer[][],
  fillers: boolean,
  opts: Partial<PocketsphinxOptions> = {},
): Promise<Array<{ text: string; confidence: number }>> {
  const provider = createPocketsphinxProvider({ ...base, ...opts, fillers });
  const s = await provider.openStream(
    { language: 'en-US', hints: HINTS },
    new AbortController().signal,
  );
  const log = new EventLog(s);
  for (const [i, turn] of turns.entries()) {
    await feedFrames(s, turn, { speedup: 20 });
    await log.waitFor(isTranscript, 20000, i + 1);
  }
  await s.close();
  return log.transcripts();
}

async function cmn(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stt-'));
  const vectors: number[][] = [];
  const phrases = [
    'I want to order a large pizza',
    'can I book a table for two',
    'I need support with my account',
    'yes',
    'no',
    'talk to a person please',
    'my order number is four five six',
    'what time do you open tomorrow',
  ];
  for (const voice of ['en-us+f3', 'en-us+m3', 'en']) {
    const logFile = join(dir, `${voice}.log`);
    const provider = createPocketsphinxProvider({ ...base, logFile });
    const s = await provider.openStream(
      { language: 'en-US', hints: ['yes', 'no'] },
      new AbortController().signal,
    );
    const log = new EventLog(s);
    for (const [i, p] of phrases.entries()) {
      await feedFrames(s, [...(await callerTurnFrames(p, { voice })), ...silenceFrames(200)], {
        speedup: 20,
      });
      await log.waitFor(isTranscript, 20000, i + 1);
    }
    await s.close();
    const last =
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => l.includes('Update to'))
        .at(-1) ?? '';
    const v = (last.split('<')[1] ?? '').replace('>', '').trim().split(/\s+/).map(Number);
    console.log(`${voice}: ${v.join(' ')}`);
    vectors.push(v);
  }
  const mean = vectors[0]!.map((_, i) => vectors.reduce((a, v) => a + v[i]!, 0) / vectors.length);
  console.log(`mean (TELEPHONE_CMN_INIT): ${mean.map((x) => x.toFixed(2)).join(',')}`);
}

const mode = process.argv[2] ?? '--cost';
const run = { '--cost': costs, '--accuracy': accuracy, '--cmn': cmn }[mode];
if (!run) {
  console.error('usage: tsx scripts/bench-stt.ts [--cost | --accuracy | --cmn]');
  process.exit(2);
}
await run();
