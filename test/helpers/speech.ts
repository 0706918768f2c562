/**
 * Real synthesized speech for tests: caller turns as µ-law 8 kHz 160-byte frames (espeak-ng
 * through our own TTS provider), and helpers to feed them to an SttStream and wait for events.
 * espeak-ng output is bit-identical run to run, so assertions on transcripts are stable.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/logger.js';
import { FRAME_MS, silenceFrames } from '../../src/media/framing.js';
import type { SttEvent, SttStream } from '../../src/stt/types.js';
import { createEspeakProvider } from '../../src/tts/providers/espeak.js';

/** Default install paths (the same defaults as src/config.ts). */
export const SPEECH_PATHS = {
  espeakBin: 'espeak-ng',
  /** Built by scripts/build-native.sh (see ensureFrontendBuilt). */
  pocketsphinxBin: fileURLToPath(new URL('../../.cache/bin/ps-frontend', import.meta.url)),
  modelDir: '/usr/share/pocketsphinx/model/en-us/en-us',
  dict: '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict',
} as const;

/** Live (non-zombie) child processes of this process with the given command name. */
export function childrenNamed(name: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (comm === name && Number(ppid) === process.pid && state !== 'Z') pids.push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Builds the pocketsphinx front end when it is missing or stale (a no-op when up to date). */
export function ensureFrontendBuilt(): void {
  const script = fileURLToPath(new URL('../../scripts/build-native.sh', import.meta.url));
  execFileSync('bash', [script], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export interface CallerVoice {
  /** espeak-ng voice; default "en-us" (a voice known to pass, see docs/reference). */
  voice?: string;
  /** Words per minute; default 165. */
  rate?: number;
}

const cache = new Map<string, Promise<Buffer[]>>();

/** µ-law frames of `text` spoken by a synthetic caller (cached per text and voice). */
export function synthesizeCallerFrames(text: string, voice: CallerVoice = {}): Promise<Buffer[]> {
  const v = voice.voice ?? 'en-us';
  const rate = voice.rate ?? 165;
  const key = `${v}|${rate}|${text}`;
  let frames = cache.get(key);
  if (!frames) {
    frames = collectFrames(text, v, rate);
    cache.set(key, frames);
  }
  return frames;
}

async function collectFrames(text: string, voice: string, rate: number): Promise<Buffer[]> {
  const tts = createEspeakProvider({ bin: SPEECH_PATHS.espeakBin, logger: silentLogger(), rate });
  const frames: Buffer[] = [];
  for await (const f of tts.synthesize(
    { text, voice, language: 'en-US' },
    new AbortController().signal,
  )) {
    frames.push(f);
  }
  return frames;
}

/** A caller turn: `leadMs` of line silence, the speech, `trailMs` of silence. */
export async function callerTurnFrames(
  text: string,
  opts: CallerVoice & { leadMs?: number; trailMs?: number } = {},
): Promise<Buffer[]> {
  const speech = await synthesizeCallerFrames(text, opts);
  return [...silenceFrames(opts.leadMs ?? 1000), ...speech, ...silenceFrames(opts.trailMs ?? 1000)];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Writes frames to the stream in order. `speedup` 1 = real time (20 ms per frame, like a live
 * call); the default 10 stays well within what the recognizer decodes, so nothing is dropped.
 */
export async function feedFrames(
  stream: SttStream,
  frames: readonly Buffer[],
  opts: { speedup?: number } = {},
): Promise<void> {
  const speedup = opts.speedup ?? 10;
  const batch = speedup >= 1 ? Math.max(1, Math.round(speedup)) : 1;
  const start = performance.now();
  for (let i = 0; i < frames.length; i += batch) {
    for (const f of frames.slice(i, i + batch)) stream.write(f);
    const dueMs = ((i + batch) * FRAME_MS) / speedup;
    const waitMs = dueMs - (performance.now() - start);
    if (waitMs > 0) await sleep(waitMs);
  }
}

/** Records every event of a stream and lets a test wait for particular ones. */
export class EventLog {
  readonly events: SttEvent[] = [];
  private waiters: Array<() => boolean> = [];

  constructor(stream: SttStream) {
    stream.onEvent((e) => {
      this.events.push(e);
      this.waiters = this.waiters.filter((done) => !done());
    });
  }

  /** Resolves with the `n`-th (1-based) event matching `pred`, already seen or future. */
  waitFor<T extends SttEvent>(pred: (e: SttEvent) => e is T, timeoutMs = 10000, n = 1): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`fewer than ${n} matching events within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): boolean => {
        const hit = this.events.filter(pred)[n - 1];
        if (!hit) return false;
        clearTimeout(timer);
        resolve(hit);
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  transcripts(): Array<Extract<SttEvent, { type: 'transcript' }>> {
    return this.events.filter(isTranscript);
  }
}

export const isTranscript = (e: SttEvent): e is Extract<SttEvent, { type: 'transcript' }> =>
  e.type === 'transcript';
export const isSpeechStarted = (e: SttEvent): e is Extract<SttEvent, { type: 'speech.started' }> =>
  e.type === 'speech.started';
