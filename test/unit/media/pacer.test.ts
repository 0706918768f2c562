import { Pacer, type PacedSink } from '../../../src/media/pacer.js';

function harness(leadMs = 60) {
  let t = 1000;
  const pacer = new Pacer(leadMs, 10, () => t);
  const out: Array<{ at: number; what: string }> = [];
  const sink: PacedSink = {
    sendFrame: (f) => out.push({ at: t, what: `f${f[0]}` }),
    sendMark: (m) => out.push({ at: t, what: `m:${m}` }),
  };
  const stream = pacer.open(sink);
  const stall = (ms: number) => {
    t += ms;
    pacer.tick();
  };
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i += 10) {
      t += 10;
      pacer.tick();
    }
  };
  return { pacer, stream, out, advance, stall, now: () => t };
}
const frame = (n: number) => Buffer.alloc(160, n);

describe('Pacer', () => {
  it('releases only the lead at once, then one frame per 20 ms, in order, marks behind audio', () => {
    const h = harness(60);
    for (let i = 0; i < 10; i++) h.stream.enqueueFrame(frame(i));
    h.stream.enqueueMark('end');
    expect(h.out.map((o) => o.what)).toEqual(['f0', 'f1', 'f2']);
    h.advance(200);
    expect(h.out.map((o) => o.what)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `f${i}`),
      'm:end',
    ]);
    // Never more than the lead ahead of real-time playback.
    const start = h.out[0]!.at;
    h.out.forEach((o, i) => {
      if (o.what.startsWith('f')) expect(start + i * 20 - o.at).toBeLessThanOrEqual(60);
    });
    expect(h.stream.stats).toEqual({ framesSent: 10, lateFrames: 0 });
    h.pacer.close();
  });

  it('clear drops unreleased audio and returns the unreleased marks', () => {
    const h = harness(40);
    for (let i = 0; i < 5; i++) h.stream.enqueueFrame(frame(i));
    h.stream.enqueueMark('a');
    h.stream.enqueueFrame(frame(9));
    h.stream.enqueueMark('b');
    expect(h.stream.clear()).toEqual(['a', 'b']);
    h.advance(200);
    expect(h.out.map((o) => o.what)).toEqual(['f0', 'f1']);
    h.pacer.close();
  });

  it('counts a frame as late when the listener buffer ran dry mid-utterance', () => {
    const h = harness(40);
    h.stream.enqueueFrame(frame(1));
    h.stream.enqueueFrame(frame(2));
    h.stream.enqueueFrame(frame(3)); // held back by the lead
    expect(h.stream.stats).toEqual({ framesSent: 2, lateFrames: 0 });
    h.stall(200); // an event-loop stall: the listener ran out of audio 160 ms ago
    expect(h.stream.stats).toEqual({ framesSent: 3, lateFrames: 1 });
    // A new utterance after the line went idle is not late.
    h.advance(100);
    h.stream.enqueueFrame(frame(4));
    expect(h.stream.stats).toEqual({ framesSent: 4, lateFrames: 1 });
    h.pacer.close();
  });

  it('rejects frames that are not 20 ms', () => {
    const h = harness();
    expect(() => h.stream.enqueueFrame(Buffer.alloc(100))).toThrow(RangeError);
    h.pacer.close();
  });
});
