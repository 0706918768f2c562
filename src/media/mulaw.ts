/**
 * G.711 µ-law, table-driven. Decode: 256-entry table. Encode: 16 K-entry table indexed by the
 * top 14 bits of a 16-bit sample (µ-law resolves no finer than that), so both are one lookup.
 */
const BIAS = 0x84;
const CLIP = 32635;

function encodeSlow(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function decodeSlow(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  return sign ? -magnitude : magnitude;
}

const DECODE = new Int16Array(256);
for (let i = 0; i < 256; i++) DECODE[i] = decodeSlow(i);

const ENCODE = new Uint8Array(1 << 14);
for (let i = 0; i < ENCODE.length; i++) ENCODE[i] = encodeSlow(((i << 2) << 16) >> 16);

/** µ-law digital silence. */
export const ULAW_SILENCE = 0xff;

export function ulawToLinearSample(byte: number): number {
  return DECODE[byte & 0xff]!;
}

export function linearToUlawSample(sample: number): number {
  return ENCODE[(sample >> 2) & 0x3fff]!;
}

/** µ-law bytes → 16-bit PCM samples. */
export function decodeUlaw(ulaw: Uint8Array, out = new Int16Array(ulaw.length)): Int16Array {
  for (let i = 0; i < ulaw.length; i++) out[i] = DECODE[ulaw[i]!]!;
  return out;
}

/** 16-bit PCM samples → µ-law bytes. */
export function encodeUlaw(pcm: Int16Array, out = Buffer.allocUnsafe(pcm.length)): Buffer {
  for (let i = 0; i < pcm.length; i++) out[i] = ENCODE[(pcm[i]! >> 2) & 0x3fff]!;
  return out;
}
