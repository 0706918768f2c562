import { silentLogger } from '../../../src/logger.js';
import { Pacer } from '../../../src/media/pacer.js';
import { newLegStats } from '../../../src/telephony/twilio/leg-stats.js';
import type {
  StartMessage,
  TwilioInbound,
  TwilioOutbound,
} from '../../../src/telephony/twilio/messages.js';
import { TwilioLeg, type LegTransport } from '../../../src/telephony/twilio/twilio-leg.js';
import type { LegEvent } from '../../../src/telephony/types.js';

const AC = 'AC' + '1'.repeat(32);
const CA = 'CA' + '2'.repeat(32);
const MZ = 'MZ' + '3'.repeat(32);

const start: StartMessage = {
  event: 'start',
  sequenceNumber: '1',
  streamSid: MZ,
  start: {
    accountSid: AC,
    streamSid: MZ,
    callSid: CA,
    tracks: ['inbound'],
    customParameters: { flowId: 'demo', from: '+15550001111' },
    mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
  },
};

const tick = () => new Promise<void>((r) => setImmediate(r));

function harness(leadMs = 60) {
  let t = 10_000;
  const pacer = new Pacer(leadMs, 10, () => t);
  const sent: TwilioOutbound[] = [];
  const closes: { code: number; reason: string }[] = [];
  const transport: LegTransport = {
    send: (text) => sent.push(JSON.parse(text) as TwilioOutbound),
    close: (code, reason) => {
      closes.push({ code, reason });
      return Promise.resolve();
    },
  };
  const stats = newLegStats();
  const leg = new TwilioLeg(start, {
    transport,
    pacer,
    logger: silentLogger(),
    stats,
    now: () => 42,
  });
  const events: LegEvent[] = [];
  let seq = 1;
  const twilio = (m: Record<string, unknown>) =>
    leg.handleMessage({ sequenceNumber: String(++seq), streamSid: MZ, ...m } as TwilioInbound);
  return {
    leg,
    pacer,
    sent,
    closes,
    stats,
    events,
    twilio,
    listen: async () => {
      leg.onEvent((e) => events.push(e));
      await tick();
    },
    advance: (ms: number) => {
      for (let i = 0; i < ms; i += 10) {
        t += 10;
        pacer.tick();
      }
    },
    kinds: () => sent.map((m) => (m.event === 'mark' ? `mark:${m.mark.name}` : m.event)),
    marks: () => events.flatMap((e) => (e.type === 'mark' ? [e.name] : [])),
  };
}
type Harness = ReturnType<typeof harness>;
const echo = (h: Harness, name: string) => h.twilio({ event: 'mark', mark: { name } });
const media = (payload: Buffer, track = 'inbound') => ({
  event: 'media',
  media: { track, chunk: '1', timestamp: '0', payload: payload.toString('base64') },
});

describe('TwilioLeg: Twilio → CallLeg events', () => {
  it('starts with call.started, buffered until a listener is registered and delivered after onEvent returns', async () => {
    const h = harness();
    expect(h.leg.info).toEqual({
      callSid: CA,
      streamSid: MZ,
      accountSid: AC,
      params: { flowId: 'demo', from: '+15550001111' },
    });
    h.twilio(media(Buffer.alloc(160, 1)));
    h.leg.onEvent((e) => h.events.push(e));
    expect(h.events).toEqual([]); // never re-entrant from onEvent
    await tick();
    expect(h.events.map((e) => e.type)).toEqual(['call.started', 'audio']);
    expect(() => h.leg.onEvent(() => undefined)).toThrow();
    h.pacer.close();
  });

  it('delivers caller audio, digits and stop in protocol order; nothing after call.stopped', async () => {
    const h = harness();
    await h.listen();
    const frame = Buffer.alloc(160, 0x55);
    h.twilio(media(frame));
    h.twilio(media(Buffer.alloc(160, 1), 'outbound')); // not the caller: ignored
    h.twilio({ event: 'dtmf', dtmf: { track: 'inbound_track', digit: '7' } });
    h.twilio(media(frame));
    h.twilio({ event: 'stop', stop: { accountSid: AC, callSid: CA } });
    h.twilio(media(frame));
    expect(h.events).toEqual([
      { type: 'call.started', info: h.leg.info },
      { type: 'audio', frame, receivedAtMs: 42 },
      { type: 'dtmf', digit: '7', receivedAtMs: 42 },
      { type: 'audio', frame, receivedAtMs: 42 },
      { type: 'call.stopped', reason: 'stop' },
    ]);
    expect(h.closes).toEqual([{ code: 1000, reason: 'stop' }]);
    expect(h.stats).toMatchObject({ framesIn: 2, dtmf: 1, sequenceGaps: 0 });
    h.pacer.close();
  });

  it('counts messages for another stream, a second start, and sequence gaps, and carries on', async () => {
    const h = harness();
    await h.listen();
    h.leg.handleMessage({ ...start, sequenceNumber: '2' });
    h.twilio({ ...media(Buffer.alloc(160)), streamSid: 'MZ' + '9'.repeat(32) });
    h.leg.handleMessage({
      ...(media(Buffer.alloc(160)) as object),
      sequenceNumber: '9',
      streamSid: MZ,
    } as TwilioInbound);
    expect(h.stats).toMatchObject({ unexpected: 2, sequenceGaps: 1, framesIn: 1 });
    expect(h.events.map((e) => e.type)).toEqual(['call.started', 'audio']);
    h.pacer.close();
  });
});

describe('TwilioLeg: outbound audio, marks, clear', () => {
  it('paces audio at the lead, one frame per 20 ms, the mark behind the last frame', async () => {
    const h = harness(60);
    await h.listen();
    h.leg.playAudio(Buffer.alloc(8000, 0x10)); // 1 s
    h.leg.sendMark('end');
    expect(h.kinds()).toEqual(['media', 'media', 'media']); // 60 ms lead
    h.advance(500);
    expect(h.kinds().length).toBe(3 + 25);
    h.advance(600);
    expect(h.kinds()).toEqual([...Array<string>(50).fill('media'), 'mark:end']);
    expect(h.stats).toMatchObject({ framesOut: 50, marksSent: 1, lateFrames: 0 });
    for (const m of h.sent) expect(m.streamSid).toBe(MZ);
    echo(h, 'end');
    expect(h.marks()).toEqual(['end']);
    expect(h.stats.marksEchoed).toBe(1);
    h.pacer.close();
  });

  it('re-frames odd-sized audio and pads the tail with silence before a mark', async () => {
    const h = harness(200);
    await h.listen();
    h.leg.playAudio(Buffer.alloc(100, 1));
    h.leg.playAudio(Buffer.alloc(100, 2));
    expect(h.kinds()).toEqual(['media']);
    h.leg.sendMark('m');
    expect(h.kinds()).toEqual(['media', 'media', 'mark:m']);
    const frames = h.sent.flatMap((m) =>
      m.event === 'media' ? [Buffer.from(m.media.payload, 'base64')] : [],
    );
    expect(frames[0]).toEqual(Buffer.concat([Buffer.alloc(100, 1), Buffer.alloc(60, 2)]));
    expect(frames[1]).toEqual(Buffer.concat([Buffer.alloc(40, 2), Buffer.alloc(120, 0xff)]));
    h.pacer.close();
  });

  it('ignores an echo of a mark it never sent', async () => {
    const h = harness();
    await h.listen();
    echo(h, 'ghost');
    expect(h.marks()).toEqual([]);
    expect(h.stats.unexpected).toBe(1);
    h.pacer.close();
  });

  it('clear drops local audio, sends clear, and returns every mark exactly once, in order', async () => {
    const h = harness(60);
    await h.listen();
    h.leg.playAudio(Buffer.alloc(320)); // released at once
    h.leg.sendMark('a'); // sent to Twilio
    h.leg.playAudio(Buffer.alloc(1600)); // mostly held back locally
    h.leg.sendMark('b'); // not sent yet
    expect(h.kinds()).toEqual(['media', 'media', 'mark:a', 'media']);
    h.leg.clearAudio();
    h.leg.playAudio(Buffer.alloc(160)); // the next utterance
    h.leg.sendMark('c');
    expect(h.kinds().slice(4)).toEqual(['clear', 'media', 'mark:c']);
    await tick();
    expect(h.marks()).toEqual([]); // 'b' waits for Twilio to return 'a' first
    echo(h, 'a'); // Twilio echoes pending marks on clear
    expect(h.marks()).toEqual(['a', 'b']);
    echo(h, 'c');
    expect(h.marks()).toEqual(['a', 'b', 'c']);
    h.advance(1000);
    expect(h.kinds().filter((k) => k === 'media').length).toBe(4);
    expect(h.stats).toMatchObject({ clears: 1, marksSent: 2, marksEchoed: 2 });
    h.pacer.close();
  });

  it('returns marks dropped by clear asynchronously when nothing is outstanding at Twilio', async () => {
    const h = harness(20);
    await h.listen();
    h.leg.playAudio(Buffer.alloc(800));
    h.leg.sendMark('x');
    h.leg.clearAudio();
    expect(h.marks()).toEqual([]); // never from inside clearAudio()
    await tick();
    expect(h.marks()).toEqual(['x']);
    expect(h.kinds()).toEqual(['media', 'clear']);
    h.pacer.close();
  });

  it('hangUp stops sending, emits call.stopped once and closes with 1000', async () => {
    const h = harness(60);
    await h.listen();
    h.leg.playAudio(Buffer.alloc(8000));
    await h.leg.hangUp('done');
    await h.leg.hangUp('again');
    h.advance(1000);
    h.leg.playAudio(Buffer.alloc(160));
    h.leg.sendMark('late');
    h.leg.clearAudio();
    expect(h.kinds()).toEqual(['media', 'media', 'media']);
    expect(h.events.filter((e) => e.type === 'call.stopped')).toEqual([
      { type: 'call.stopped', reason: 'hangup' },
    ]);
    expect(h.closes).toEqual([{ code: 1000, reason: 'hangup' }]);
    expect(h.leg.stopped).toBe(true);
    h.pacer.close();
  });

  it('closes with the reason-specific code when replaced or timed out', async () => {
    for (const [reason, code] of [
      ['replaced', 4001],
      ['timeout', 4002],
    ] as const) {
      const h = harness();
      await h.listen();
      await h.leg.stop(reason);
      expect(h.closes).toEqual([{ code, reason }]);
      expect(h.events.at(-1)).toEqual({ type: 'call.stopped', reason });
      h.pacer.close();
    }
  });

  it('a listener that throws does not stop later events', async () => {
    const h = harness();
    const seen: string[] = [];
    h.leg.onEvent((e) => {
      seen.push(e.type);
      if (e.type === 'call.started') throw new Error('boom');
    });
    await tick();
    h.twilio({ event: 'dtmf', dtmf: { track: 'inbound_track', digit: '1' } });
    expect(seen).toEqual(['call.started', 'dtmf']);
    h.pacer.close();
  });
});
