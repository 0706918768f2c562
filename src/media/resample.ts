/**
 * Sample-rate conversion for speech (telephone band). Pure, allocation per call only.
 * Upsampling 8→16 kHz: linear interpolation (the model only needs the 0–4 kHz band that exists).
 * Downsampling: a short windowed-sinc low-pass then fractional-position linear interpolation,
 * so 22.05 kHz synthesis does not alias into the telephone band.
 */

/** 8 kHz → 16 kHz. `prev` is the last sample of the previous chunk (continuity across frames). */
export function upsample8to16(input: Int16Array, prev = 0): Int16Array {
  const out = new Int16Array(input.length * 2);
  let last = prev;
  for (let i = 0; i < input.length; i++) {
    const s = input[i]!;
    out[2 * i] = (last + s) >> 1;
    out[2 * i + 1] = s;
    last = s;
  }
  return out;
}

function lowPassKernel(cutoff: number, taps: number): Float32Array {
  const k = new Float32Array(taps);
  const mid = (taps - 1) / 2;
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const hamming = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (taps - 1));
    k[i] = sinc * hamming;
    sum += k[i]!;
  }
  for (let i = 0; i < taps; i++) k[i]! /= sum;
  return k;
}

const kernels = new Map<string, Float32Array>();
function kernelFor(fromHz: number, toHz: number): Float32Array {
  const key = `${fromHz}:${toHz}`;
  let k = kernels.get(key);
  if (!k) {
    // Cut-off just below the new Nyquist, as a fraction of the input rate.
    k = lowPassKernel((0.45 * toHz) / fromHz, 31);
    kernels.set(key, k);
  }
  return k;
}

/** Any rate → a lower rate (e.g. 22050 → 8000, 16000 → 8000). Whole buffer at once. */
export function downsample(input: Int16Array, fromHz: number, toHz: number): Int16Array {
  if (toHz >= fromHz) throw new RangeError('downsample: toHz must be below fromHz');
  const k = kernelFor(fromHz, toHz);
  const half = (k.length - 1) / 2;
  const filtered = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) {
    let acc = 0;
    for (let j = 0; j < k.length; j++) {
      const idx = i + j - half;
      if (idx >= 0 && idx < input.length) acc += input[idx]! * k[j]!;
    }
    filtered[i] = acc;
  }
  const outLen = Math.floor((input.length * toHz) / fromHz);
  const out = new Int16Array(outLen);
  const step = fromHz / toHz;
  for (let n = 0; n < outLen; n++) {
    const pos = n * step;
    const i0 = Math.floor(pos);
    const frac = pos - i0;
    const a = filtered[i0] ?? 0;
    const b = filtered[i0 + 1] ?? a;
    const v = a + (b - a) * frac;
    out[n] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
  }
  return out;
}
