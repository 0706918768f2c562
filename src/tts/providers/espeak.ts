import { spawn } from 'node:child_process';
import { ProviderError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { Framer, SAMPLE_RATE } from '../../media/framing.js';
import { encodeUlaw } from '../../media/mulaw.js';
import { downsample } from '../../media/resample.js';
import type { TtsProvider, TtsRequest } from '../types.js';
import { parseWav, WavFormatError } from './wav.js';

/**
 * Offline TTS: one `espeak-ng --stdout` child per sentence (espeak-ng is GPL, so it runs as a
 * separate process and is never linked in). The text goes in argv after `--`, never through a
 * shell, so text starting with '-' is spoken, not parsed as an option. Output: µ-law 8 kHz in
 * exact 160-byte frames; the first frames are yielded once the first sentence is synthesized
 * (espeak-ng runs ~180× faster than real time, so that is a few milliseconds).
 */
export interface EspeakOptions {
  /** Path or name of the espeak-ng executable. */
  bin: string;
  logger: Logger;
  /** Words per minute (espeak-ng `-s`); default 165. */
  rate?: number;
}

const PROVIDER = 'espeak';
const STDERR_KEEP = 2048;
const VOICE_RE = /^[A-Za-z0-9][A-Za-z0-9_+-]{0,63}$/;

export function createEspeakProvider(opts: EspeakOptions): TtsProvider {
  const rate = Math.round(opts.rate ?? 165);
  if (!(rate >= 80 && rate <= 450)) throw new RangeError('espeak: rate must be 80..450 wpm');
  return {
    id: PROVIDER,
    capabilities: { streaming: true, nativeUlaw8k: false },
    synthesize: (req, signal) => synthesize(opts, rate, req, signal),
  };
}

/**
 * Yields frames sentence by sentence. Abort: kills the running child and ends the iteration
 * without further frames (no error). Failures throw ProviderError: PROVIDER_UNAVAILABLE when the
 * binary cannot be started, PROVIDER_FAILED on a nonzero exit or unreadable output.
 */
async function* synthesize(
  opts: EspeakOptions,
  rate: number,
  req: TtsRequest,
  signal: AbortSignal,
): AsyncGenerator<Buffer> {
  const voice = resolveVoice(req);
  const framer = new Framer();
  const startedMs = performance.now();
  let frames = 0;
  for (const sentence of splitSentences(req.text)) {
    if (signal.aborted) return;
    const wav = await runEspeak(
      opts.bin,
      ['-v', voice, '-s', String(rate), '--stdout', '--', sentence],
      signal,
    );
    if (wav === undefined || signal.aborted) return;
    for (const frame of framer.push(wavToUlaw8k(wav))) {
      if (signal.aborted) return;
      if (frames++ === 0) {
        opts.logger.debug(
          { firstFrameMs: Math.round(performance.now() - startedMs) },
          'tts.first_frame',
        );
      }
      yield frame;
    }
  }
  const tail = framer.flush();
  if (tail && !signal.aborted) yield tail;
}

/** Voice from the request, else derived from the language ("en-US" → "en-us"). */
function resolveVoice(req: TtsRequest): string {
  const voice = req.voice.trim() || req.language.trim().toLowerCase();
  if (!VOICE_RE.test(voice)) {
    throw new ProviderError(PROVIDER, false, 'invalid espeak-ng voice name', {
      code: 'BAD_REQUEST',
    });
  }
  return voice;
}

/**
 * Sentences: split after . ! ? when the next sentence starts with a capital, digit or quote
 * (keeps "e.g. this" together), and at line breaks. Empty pieces are dropped.
 */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=["'(A-Z0-9])|\n+/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

function wavToUlaw8k(wav: Buffer): Buffer {
  let audio;
  try {
    audio = parseWav(wav);
  } catch (err) {
    if (err instanceof WavFormatError) {
      throw new ProviderError(PROVIDER, false, `espeak-ng output unreadable: ${err.message}`, {
        cause: err,
      });
    }
    throw err;
  }
  const pcm =
    audio.sampleRate === SAMPLE_RATE
      ? audio.samples
      : downsample(audio.samples, audio.sampleRate, SAMPLE_RATE);
  return encodeUlaw(pcm);
}

/**
 * Runs one child to completion. Resolves its stdout (exit 0) or undefined when `signal` aborted
 * (the child is killed at once); rejects with ProviderError otherwise.
 */
function runEspeak(bin: string, args: string[], signal: AbortSignal): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      child.kill('SIGKILL');
      finish(() => resolve(undefined));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(() =>
        reject(
          new ProviderError(PROVIDER, false, `cannot start espeak-ng (${e.code ?? e.message})`, {
            cause: e,
            code: 'PROVIDER_UNAVAILABLE',
          }),
        ),
      );
    });
    child.on('close', (code, sig) => {
      if (code === 0) return finish(() => resolve(Buffer.concat(out)));
      const why = code !== null ? `exit code ${code}` : `signal ${sig ?? 'unknown'}`;
      const detail = err.trim().split('\n')[0]?.slice(0, 200) ?? '';
      // A signal (e.g. OOM kill) may not repeat; a nonzero exit (bad voice) will.
      finish(() =>
        reject(
          new ProviderError(PROVIDER, code === null, `espeak-ng failed: ${why} ${detail}`.trim()),
        ),
      );
    });
    if (signal.aborted) onAbort();
  });
}
