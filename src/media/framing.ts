/** Telephone framing: 8 kHz µ-law, 20 ms = 160 bytes. */
export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_BYTES = 160;

/**
 * Re-chunks arbitrary µ-law byte runs into exact 160-byte frames, in order.
 * `flush` pads the tail with µ-law silence so the last syllable is not cut.
 */
export class Framer {
  private pending: Buffer = Buffer.alloc(0);

  push(bytes: Buffer): Buffer[] {
    const all = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    const frames: Buffer[] = [];
    let off = 0;
    for (; off + FRAME_BYTES <= all.length; off += FRAME_BYTES) {
      frames.push(all.subarray(off, off + FRAME_BYTES));
    }
    this.pending = Buffer.from(all.subarray(off));
    return frames;
  }

  flush(): Buffer | undefined {
    if (this.pending.length === 0) return undefined;
    const frame = Buffer.alloc(FRAME_BYTES, 0xff);
    this.pending.copy(frame);
    this.pending = Buffer.alloc(0);
    return frame;
  }
}

/** Split a whole µ-law buffer into 20 ms frames (the last one padded with silence). */
export function toFrames(ulaw: Buffer): Buffer[] {
  const f = new Framer();
  const frames = f.push(ulaw);
  const tail = f.flush();
  if (tail) frames.push(tail);
  return frames;
}

/** µ-law silence of the given duration, whole frames. */
export function silenceFrames(ms: number): Buffer[] {
  const n = Math.ceil(ms / FRAME_MS);
  return Array.from({ length: n }, () => Buffer.alloc(FRAME_BYTES, 0xff));
}
