/**
 * Minimal RIFF/WAVE reader for 16-bit PCM. Walks the chunk list to find `fmt ` and `data` (no
 * fixed 44-byte header assumed). A streaming writer such as `espeak-ng --stdout` cannot know the
 * final length and writes a placeholder size; the data chunk then runs to the end of the buffer.
 */
export interface PcmAudio {
  sampleRate: number;
  /** Mono samples (the first channel when the file has several). */
  samples: Int16Array;
}

export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

const PCM_FORMAT = 1;
const EXTENSIBLE_FORMAT = 0xfffe;

export function parseWav(buf: Buffer): PcmAudio {
  if (
    buf.length < 12 ||
    buf.toString('ascii', 0, 4) !== 'RIFF' ||
    buf.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new WavFormatError('not a RIFF/WAVE buffer');
  }
  let fmt: { channels: number; sampleRate: number; bits: number; format: number } | undefined;
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new WavFormatError('truncated fmt chunk');
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
      const end = Math.min(buf.length, body + size);
      return { sampleRate: fmt.sampleRate, samples: toMono16(buf.subarray(body, end), fmt) };
    }
    off = body + size + (size & 1);
  }
  throw new WavFormatError('no data chunk');
}

function toMono16(
  data: Buffer,
  fmt: { channels: number; bits: number; format: number },
): Int16Array {
  if ((fmt.format !== PCM_FORMAT && fmt.format !== EXTENSIBLE_FORMAT) || fmt.bits !== 16) {
    throw new WavFormatError('only 16-bit PCM is supported');
  }
  if (fmt.channels < 1) throw new WavFormatError('no channels');
  const stride = fmt.channels * 2;
  const n = Math.floor(data.length / stride);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = data.readInt16LE(i * stride);
  return out;
}
