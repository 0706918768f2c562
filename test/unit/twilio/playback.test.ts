import {
  PlaybackBuffer,
  type Scheduler,
  type Utterance,
} from '../../../scripts/lib/twilio-playback.js';

/** A virtual clock: timers run only when the test advances time, each at its due time. */
class ManualScheduler implements Scheduler {
  t = 1000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.ids;
    this.timers.push({ at: this.t + Math.max(0, ms), fn, id });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

function harness(quietMs = 100) {
  const clock = new ManualScheduler();
  const echoes: { name: string; at: number }[] = [];
  const ended: Utterance[] = [];
  const pb = new PlaybackBuffer(
    {
      markReached: (name) => echoes.push({ name, at: clock.t }),
      utteranceEnded: (u) => ended.push(u),
    },
    { quietMs },
    clock,
  );
  const frame = (ms = 20) => Buffer.alloc(ms * 8, 0x11);
  return { clock, pb, echoes, ended, frame };
}

describe("fake Twilio's playback buffer", () => {
  it('echoes a mark when playback reaches it, at once when nothing is queued', () => {
    const h = harness();
    h.pb.pushMark('first');
    expect(h.echoes).toEqual([{ name: 'first', at: 1000 }]);
    h.pb.pushAudio(h.frame(100));
    h.pb.pushMark('after-100ms');
    h.pb.pushAudio(h.frame(40));
    h.pb.pushMark('after-140ms');
    h.clock.advance(99);
    expect(h.echoes.map((e) => e.name)).toEqual(['first']);
    h.clock.advance(1);
    expect(h.echoes.at(-1)).toEqual({ name: 'after-100ms', at: 1100 });
    h.clock.advance(40);
    expect(h.echoes.at(-1)).toEqual({ name: 'after-140ms', at: 1140 });
    expect(h.pb.bufferedMs()).toBe(0);
  });

  it('clear drops queued audio and echoes every pending mark in order', () => {
    const h = harness();
    h.pb.pushAudio(h.frame(200));
    h.pb.pushMark('a');
    h.pb.pushAudio(h.frame(200));
    h.pb.pushMark('b');
    h.clock.advance(50);
    expect(h.pb.bufferedMs()).toBe(350);
    h.pb.clear();
    expect(h.echoes).toEqual([
      { name: 'a', at: 1050 },
      { name: 'b', at: 1050 },
    ]);
    expect(h.pb.playing).toBe(false);
    h.clock.advance(100);
    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]).toMatchObject({
      interrupted: true,
      audioMs: 400,
      playedUntilMs: 1050,
      marks: ['a', 'b'],
    });
  });

  it('detects "bot finished speaking" after quietMs of an empty buffer', () => {
    const h = harness(100);
    for (let i = 0; i < 5; i++) h.pb.pushAudio(h.frame());
    expect(h.pb.speaking).toBe(true);
    h.clock.advance(100); // played out at 1100
    expect(h.pb.playing).toBe(false);
    expect(h.pb.speaking).toBe(true);
    h.clock.advance(99);
    expect(h.ended).toHaveLength(0);
    h.clock.advance(1);
    expect(h.ended).toEqual([
      expect.objectContaining({
        index: 0,
        startedAtMs: 1000,
        playedUntilMs: 1100,
        endedAtMs: 1200,
        audioMs: 100,
        underruns: 0,
      }),
    ]);
    expect(h.ended[0]!.audio).toEqual(Buffer.alloc(800, 0x11));
    expect(h.pb.speaking).toBe(false);
  });

  it('counts an underrun when audio resumes after running dry mid-utterance, not after a mark', () => {
    const h = harness(300);
    h.pb.pushAudio(h.frame());
    h.clock.advance(50); // dry at 1020; 30 ms gap
    h.pb.pushAudio(h.frame());
    expect(h.pb.underruns).toBe(1);
    expect(h.pb.underrunMs).toBe(30);
    h.pb.pushMark('sentence');
    h.clock.advance(100); // utterance boundary declared by the mark
    h.pb.pushAudio(h.frame());
    expect(h.pb.underruns).toBe(1);
    h.clock.advance(1000); // beyond quietMs: a new utterance, not an underrun
    h.pb.pushAudio(h.frame());
    expect(h.pb.underruns).toBe(1);
    expect(h.ended.map((u) => u.underruns)).toEqual([1]);
  });

  it('measures buffered audio in audio time and inter-arrival jitter', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) h.pb.pushAudio(h.frame()); // an 80 ms burst
    expect(h.pb.maxBufferedMs).toBe(80);
    h.clock.advance(20);
    h.pb.pushAudio(h.frame());
    h.clock.advance(25);
    h.pb.pushAudio(h.frame());
    expect(h.pb.maxBufferedMs).toBe(80);
    expect(h.pb.jitterMs).toEqual([-20, -20, -20, 0, 5]);
    expect(h.pb.arrivalsMs).toEqual([1000, 1000, 1000, 1000, 1020, 1045]);
  });

  it('close ends the utterance in progress and stops its timer', () => {
    const h = harness();
    h.pb.pushAudio(h.frame(1000));
    h.clock.advance(300);
    h.pb.close();
    expect(h.ended).toEqual([expect.objectContaining({ playedUntilMs: 1300, audioMs: 1000 })]);
    h.clock.advance(5000);
    expect(h.ended).toHaveLength(1);
  });
});
