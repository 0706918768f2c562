import { endianness } from 'node:os';
import { z } from 'zod';

/**
 * Wire format of native/ps-frontend (see the comment at the top of ps-frontend.c).
 * stdin: `type (1 byte) | payload length (uint32 LE) | payload`.
 * stdout: one JSON object per line.
 */
export const MessageType = {
  /** s16le PCM, 16 kHz mono */
  audio: 0x41, // 'A'
  /** JSGF text; active from the next utterance boundary */
  grammar: 0x47, // 'G'
  /** "word PHONES" lines for the decoder's dictionary; send before the grammar using them */
  words: 0x44, // 'D'
  /** end the current utterance now and emit its final */
  finalize: 0x46, // 'F'
  quit: 0x51, // 'Q'
} as const;

const HEADER_BYTES = 5;
const LITTLE_ENDIAN = endianness() === 'LE';

export function encodeMessage(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out[0] = type;
  out.writeUInt32LE(payload.length, 1);
  payload.copy(out, HEADER_BYTES);
  return out;
}

/** One audio message, header and samples in a single buffer (one write per frame). */
export function encodeAudio(pcm16k: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + pcm16k.byteLength);
  out[0] = MessageType.audio;
  out.writeUInt32LE(pcm16k.byteLength, 1);
  const samples = Buffer.from(pcm16k.buffer, pcm16k.byteOffset, pcm16k.byteLength);
  samples.copy(out, HEADER_BYTES);
  if (!LITTLE_ENDIAN) out.subarray(HEADER_BYTES).swap16();
  return out;
}

const Word = z.object({ word: z.string(), confidence: z.number() });

/** Lines the front end writes. Unknown types fail validation (a version mismatch). */
export const FrontendEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('grammar'), id: z.number().int() }),
  /** `audioMs`: estimated speech onset, ms of audio since the stream started. */
  z.object({ type: z.literal('speech_start'), audioMs: z.number() }),
  z.object({ type: z.literal('partial'), text: z.string() }),
  z.object({
    type: z.literal('final'),
    text: z.string(),
    /** Smallest word posterior (0..1) of the hypothesis; 0 when there is none. */
    confidence: z.number().min(0).max(1),
    words: z.array(Word),
    /** final: grammar-complete; partial: last partial (search ended off-grammar); none: nothing */
    source: z.enum(['final', 'partial', 'none']),
    reason: z.enum(['vad', 'finalize', 'maxlen']),
    /** End of speech, ms of audio since the stream started (VAD hangover removed). */
    speechEndAudioMs: z.number(),
  }),
  z.object({ type: z.literal('error'), message: z.string(), fatal: z.boolean() }),
]);
export type FrontendEvent = z.infer<typeof FrontendEvent>;

/** Parses one stdout line; undefined when it is not a valid event. */
export function parseFrontendLine(line: string): FrontendEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const r = FrontendEvent.safeParse(json);
  return r.success ? r.data : undefined;
}

/** Splits a byte stream into lines (without the '\n'). */
export class LineSplitter {
  private pending = '';

  push(chunk: Buffer): string[] {
    const parts = (this.pending + chunk.toString('utf8')).split('\n');
    this.pending = parts.pop() ?? '';
    return parts.filter((l) => l.length > 0);
  }
}

/**
 * Maps stream positions (ms of audio handed to the child) to wall-clock time (Date.now()) of
 * the write that carried them. Keeps the last `capacity` writes (20 s of 20 ms frames).
 */
export class AudioClock {
  private readonly endMs: Float64Array;
  private readonly wallMs: Float64Array;
  private count = 0;

  constructor(private readonly capacity = 1000) {
    this.endMs = new Float64Array(capacity);
    this.wallMs = new Float64Array(capacity);
  }

  /** Record that audio up to `audioEndMs` was written at `wallMs`. */
  mark(audioEndMs: number, wallMs: number): void {
    const i = this.count % this.capacity;
    this.endMs[i] = audioEndMs;
    this.wallMs[i] = wallMs;
    this.count++;
  }

  /** Wall-clock time the audio at `audioMs` was written; `fallback` when it is unknown. */
  wallAt(audioMs: number, fallback: number): number {
    const n = Math.min(this.count, this.capacity);
    let best: number | undefined;
    for (let k = 1; k <= n; k++) {
      const i = (this.count - k) % this.capacity;
      if (this.endMs[i]! < audioMs) break;
      best = i;
    }
    return best === undefined ? fallback : this.wallMs[best]!;
  }
}
