import { downsample, upsample8to16 } from '../../../src/media/resample.js';
import { FRAME_BYTES, Framer, silenceFrames, toFrames } from '../../../src/media/framing.js';

function tone(hz: number, rate: number, seconds: number, amp = 10000): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++)
    out[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}
function rms(x: Int16Array, from = 0): number {
  let s = 0;
  for (let i = from; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (x.length - from));
}

describe('resampling', () => {
  it('8 → 16 kHz doubles the length and keeps a 1 kHz tone', () => {
    const x = tone(1000, 8000, 0.1);
    const y = upsample8to16(x);
    expect(y.length).toBe(x.length * 2);
    expect(rms(y) / rms(x)).toBeGreaterThan(0.85);
  });

  it('22.05 → 8 kHz gives the right length, keeps 1 kHz and removes 6 kHz (no aliasing)', () => {
    const keep = downsample(tone(1000, 22050, 1), 22050, 8000);
    expect(keep.length).toBe(8000);
    expect(rms(keep, 100) / (10000 / Math.SQRT2)).toBeGreaterThan(0.9);
    const alias = downsample(tone(6000, 22050, 1), 22050, 8000);
    expect(rms(alias, 100) / (10000 / Math.SQRT2)).toBeLessThan(0.1);
  });

  it('refuses to "downsample" upwards', () => {
    expect(() => downsample(new Int16Array(10), 8000, 16000)).toThrow(RangeError);
  });
});

describe('framing', () => {
  it('re-chunks arbitrary runs into exact 160-byte frames in order', () => {
    const f = new Framer();
    const bytes = Buffer.from(Array.from({ length: 500 }, (_, i) => i % 256));
    const frames = [...f.push(bytes.subarray(0, 170)), ...f.push(bytes.subarray(170))];
    expect(frames).toHaveLength(3);
    expect(frames.every((fr) => fr.length === FRAME_BYTES)).toBe(true);
    expect(Buffer.concat(frames)).toEqual(bytes.subarray(0, 480));
    const tail = f.flush()!;
    expect(tail.subarray(0, 20)).toEqual(bytes.subarray(480));
    expect(tail.subarray(20).every((b) => b === 0xff)).toBe(true);
    expect(f.flush()).toBeUndefined();
  });

  it('toFrames pads the last frame; silenceFrames rounds up to whole frames', () => {
    expect(toFrames(Buffer.alloc(161))).toHaveLength(2);
    expect(silenceFrames(50)).toHaveLength(3);
  });
});
