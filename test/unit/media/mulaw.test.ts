import fc from 'fast-check';
import {
  decodeUlaw,
  encodeUlaw,
  linearToUlawSample,
  ulawToLinearSample,
} from '../../../src/media/mulaw.js';

describe('µ-law', () => {
  it('decodes the two zero codes to (near) zero and the extremes to ±32124', () => {
    expect(ulawToLinearSample(0xff)).toBe(0);
    expect(ulawToLinearSample(0x7f)).toBe(0);
    expect(ulawToLinearSample(0x00)).toBe(-32124);
    expect(ulawToLinearSample(0x80)).toBe(32124);
  });

  it('every code survives decode → encode unchanged (except the negative zero)', () => {
    for (let b = 0; b < 256; b++) {
      if (b === 0x7f) continue;
      expect(linearToUlawSample(ulawToLinearSample(b))).toBe(b);
    }
  });

  it('encode → decode error stays within the µ-law quantisation step', () => {
    fc.assert(
      fc.property(fc.integer({ min: -32768, max: 32767 }), (s) => {
        const back = ulawToLinearSample(linearToUlawSample(s));
        const clipped = Math.max(-32124, Math.min(32124, s));
        expect(Math.abs(back - clipped)).toBeLessThanOrEqual(Math.max(8, Math.abs(clipped) / 16));
      }),
    );
  });

  it('buffer codecs agree with the sample codecs', () => {
    const pcm = Int16Array.from([0, 100, -100, 32767, -32768, 1234]);
    const ulaw = encodeUlaw(pcm);
    expect([...ulaw]).toEqual([...pcm].map(linearToUlawSample));
    expect([...decodeUlaw(ulaw)]).toEqual([...ulaw].map(ulawToLinearSample));
  });
});
