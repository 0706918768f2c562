import {
  connectStream,
  FakeTwilioError,
  placeCall,
  randomSid,
  type TwilioStreamClient,
} from '../../../scripts/lib/twilio-client.js';
import {
  AUTH_TOKEN,
  PUBLIC_URL,
  marksOf,
  startTwilioServer,
  stopOf,
  tone,
  waitUntil,
  type Behaviour,
  type TestServer,
} from './harness.js';

const FROM = '+15550001111';
const TO = '+15550002222';
const STREAM_URL = 'wss://ivr.example.test/media';

/** Test bot: DTMF echo, plus per-flow canned speech on call start. */
const bot: Behaviour = (leg, e) => {
  if (e.type === 'dtmf') {
    leg.playAudio(tone(e.digit, 200));
    leg.sendMark(`dtmf-${e.digit}`);
  }
  if (e.type !== 'call.started') return;
  const flow = e.info.params.flowId;
  if (flow === 'talk') {
    leg.playAudio(tone('1', 700));
    leg.sendMark('half');
    leg.playAudio(tone('2', 800));
    leg.sendMark('end');
  } else if (flow === 'monologue') {
    leg.playAudio(tone('3', 3000));
    leg.sendMark('monologue-end');
  } else if (flow === 'interruptible') {
    leg.playAudio(tone('4', 100));
    leg.sendMark('a');
    leg.playAudio(tone('5', 2000));
    leg.sendMark('b');
  }
};

describe('Twilio media stream over a real socket', () => {
  let s: TestServer;
  const clients: TwilioStreamClient[] = [];
  beforeAll(async () => {
    s = await startTwilioServer({ behaviour: bot });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
  });
  afterAll(() => s.close());

  const dial = async (
    flow = 'main-menu',
    extra: { callSid?: string; silenceWhenIdle?: boolean } = {},
  ) => {
    const placed = await placeCall({
      server: s.url,
      publicUrl: PUBLIC_URL,
      voicePath: `/twilio/voice?flow=${flow}`,
      from: FROM,
      to: TO,
      authToken: AUTH_TOKEN,
      ...extra,
    });
    clients.push(placed.client);
    const mine = () =>
      s.legs.filter(
        (l) =>
          l.leg.info.callSid === placed.callSid &&
          l.leg.info.streamSid === placed.client.identity.streamSid,
      );
    await waitUntil(() => mine().length === 1);
    return { ...placed, rec: mine()[0]! };
  };

  it('runs a call: start with parameters, caller audio, DTMF answered with audio and a mark, stop', async () => {
    const { client, rec, callSid } = await dial('main-menu');
    expect(rec.leg.info).toMatchObject({
      callSid,
      streamSid: client.identity.streamSid,
      params: { flowId: 'main-menu', from: FROM, to: TO, callSid, direction: 'inbound' },
    });
    // Caller audio arrives intact and in order, between frames of streamed silence.
    const speech = Array.from({ length: 10 }, (_, i) => Buffer.alloc(160, i + 1));
    await client.streamFrames(speech);
    const heard = () =>
      rec.events.flatMap((e) => (e.type === 'audio' && e.frame[0] !== 0xff ? [e.frame] : []));
    await waitUntil(() => heard().length === 10);
    expect(heard()).toEqual(speech);
    const before = client.playback.utterances.length;
    client.sendDtmf('5');
    const u = await client.waitForBotFinished({ after: before });
    expect(u).toMatchObject({ bytes: 1600, audioMs: 200, marks: ['dtmf-5'], interrupted: false });
    expect(u.audio).toEqual(tone('5', 200));
    await waitUntil(() => marksOf(rec.events).length === 1);
    const info = await client.stop();
    expect(info).toMatchObject({ code: 1000, initiatedBy: 'client' });
    await waitUntil(() => stopOf(rec.events) !== undefined);
    const types = rec.events.map((e) => e.type);
    expect(types[0]).toBe('call.started');
    expect(types.filter((t) => t !== 'audio')).toEqual([
      'call.started',
      'dtmf',
      'mark',
      'call.stopped',
    ]);
    expect(rec.events).toContainEqual({
      type: 'dtmf',
      digit: '5',
      receivedAtMs: expect.any(Number),
    });
    expect(stopOf(rec.events)).toBe('stop');
    await waitUntil(() => s.media.getMediaStats().liveStreams === 0);
  });

  it('refuses a media upgrade with a bad or missing signature with 403, and no stream exists', async () => {
    const before = s.media.getMediaStats();
    const legs = s.legs.length;
    for (const authToken of ['wrong-token', undefined]) {
      const attempt = connectStream({
        streamUrl: STREAM_URL,
        server: s.url,
        ...(authToken ? { authToken } : {}),
      });
      await expect(attempt).rejects.toBeInstanceOf(FakeTwilioError);
      await expect(attempt).rejects.toMatchObject({ code: 'UPGRADE_REJECTED', status: 403 });
    }
    // Signed over the https:// form instead of wss://: also refused.
    const https = connectStream({
      streamUrl: 'https://ivr.example.test/media',
      server: s.url,
      authToken: AUTH_TOKEN,
    });
    await expect(https).rejects.toMatchObject({ status: 403 });
    const after = s.media.getMediaStats();
    expect(after.upgradesRejected - before.upgradesRejected).toBe(3);
    expect(after.upgradesAccepted).toBe(before.upgradesAccepted);
    expect(s.legs.length).toBe(legs);
  });

  it('counts malformed messages and keeps the call going', async () => {
    const { client, rec } = await dial();
    const before = s.media.getMediaStats().legs.malformed;
    client.sendRaw('{"event":"media",'); // invalid JSON
    client.sendRaw(JSON.stringify({ event: 'transcript', text: 'secret' })); // unknown event
    client.sendRaw(
      JSON.stringify({
        event: 'dtmf',
        sequenceNumber: '99',
        streamSid: client.identity.streamSid,
        dtmf: { track: 'inbound_track', digit: 'A' },
      }),
    ); // schema violation
    client.sendRaw(Buffer.from([1, 2, 3]), { binary: true }); // binary frame
    await waitUntil(() => s.media.getMediaStats().legs.malformed - before === 4);
    const n = client.playback.utterances.length;
    client.sendDtmf('9');
    await client.waitForBotFinished({ after: n });
    expect(client.open).toBe(true);
    expect(rec.events.filter((e) => e.type === 'dtmf')).toHaveLength(1);
    expect(stopOf(rec.events)).toBeUndefined();
  });

  it('a second stream for the same call replaces the first: only one leg ever sends audio', async () => {
    const callSid = randomSid('CA');
    const first = await dial('monologue', { callSid });
    await first.client.waitForBotSpeaking();
    const replacedBefore = s.media.getMediaStats().replaced;
    const second = await dial('monologue', { callSid });
    const closed = await first.client.closed;
    expect(closed).toMatchObject({ code: 4001, initiatedBy: 'server' });
    expect(stopOf(first.rec.events)).toBe('replaced');
    expect(stopOf(second.rec.events)).toBeUndefined();
    await second.client.waitForBotSpeaking();
    const a = first.client.playback.arrivalsMs;
    const b = second.client.playback.arrivalsMs;
    expect(Math.max(...a)).toBeLessThanOrEqual(Math.min(...b));
    expect(s.media.getMediaStats()).toMatchObject({ replaced: replacedBefore + 1 });
    expect(
      s.legs.filter((l) => l.leg.info.callSid === callSid && stopOf(l.events) === undefined),
    ).toHaveLength(1);
  });

  it('paces outbound audio: buffered audio never exceeds the lead plus a frame, marks come back in order', async () => {
    const { client, rec } = await dial('talk');
    const u = await client.waitForBotFinished({ after: 0 });
    expect(u).toMatchObject({ audioMs: 1500, marks: ['half', 'end'], interrupted: false });
    // Audio time, not wall time. Slack covers socket delivery jitter between the two sides.
    const leadMs = s.config.media.paceLeadMs;
    expect(client.stats().maxBufferedMs).toBeLessThanOrEqual(leadMs + 20 + 40);
    expect(client.stats().maxBufferedMs).toBeGreaterThanOrEqual(leadMs - 20);
    await waitUntil(() => marksOf(rec.events).length === 2);
    expect(marksOf(rec.events)).toEqual(['half', 'end']);
    expect(client.echoedMarks).toEqual(['half', 'end']);
    expect(client.counts.invalidReceived).toBe(0);
  });

  it('clear drops queued audio at both ends and every pending mark comes back once, in order', async () => {
    const { client, rec } = await dial('interruptible');
    await client.waitFor('markReceived', (name) => name === 'a');
    rec.leg.clearAudio(); // barge-in
    await client.waitFor('clear');
    expect(client.playback.playing).toBe(false);
    await waitUntil(() => marksOf(rec.events).length === 2);
    expect(marksOf(rec.events)).toEqual(['a', 'b']);
    expect(client.echoedMarks).toEqual(['a']); // 'b' was dropped before it was ever sent
    expect(client.counts.clearsReceived).toBe(1);
    expect(client.counts.bytesReceived).toBeLessThan(8 * 2100);
    const u = await client.waitForBotFinished({ after: 0 });
    expect(u.interrupted).toBe(true);
  });

  it('hangUp closes the socket (Twilio then runs <Hangup/>)', async () => {
    const { client, rec, twiml } = await dial();
    expect(twiml.afterConnect).toEqual(['Hangup']);
    await rec.leg.hangUp('goodbye');
    expect(await client.closed).toMatchObject({ code: 1000, initiatedBy: 'server' });
    expect(stopOf(rec.events)).toBe('hangup');
  });

  it('a socket that drops without stop ends the leg as closed', async () => {
    const { client, rec } = await dial();
    client.drop();
    await waitUntil(() => stopOf(rec.events) !== undefined);
    expect(stopOf(rec.events)).toBe('closed');
  });
});

describe('media stream timeouts', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTwilioServer({
      env: { STREAM_START_TIMEOUT_MS: '150', STREAM_IDLE_TIMEOUT_MS: '300' },
    });
  });
  afterAll(() => s.close());

  it('closes a socket that never sends start', async () => {
    const client = await connectStream({
      streamUrl: STREAM_URL,
      server: s.url,
      authToken: AUTH_TOKEN,
      sendStart: false,
    });
    expect(await client.closed).toMatchObject({ code: 4002, initiatedBy: 'server' });
    await waitUntil(() => s.media.getMediaStats().connections === 0);
    expect(s.media.getMediaStats()).toMatchObject({ startTimeouts: 1, liveStreams: 0 });
    expect(s.legs).toHaveLength(0);
  });

  it('closes a started stream that goes silent, with call.stopped timeout', async () => {
    const client = await connectStream({
      streamUrl: STREAM_URL,
      server: s.url,
      authToken: AUTH_TOKEN,
      silenceWhenIdle: false,
    });
    const rec = await s.leg(0);
    expect(await client.closed).toMatchObject({ code: 4002, initiatedBy: 'server' });
    expect(stopOf(rec.events)).toBe('timeout');
    expect(s.media.getMediaStats()).toMatchObject({ idleTimeouts: 1, liveStreams: 0 });
  });

  it('keeps a stream that streams silence, as Twilio does', async () => {
    const client = await connectStream({
      streamUrl: STREAM_URL,
      server: s.url,
      authToken: AUTH_TOKEN,
    });
    const rec = await s.leg(1);
    // Far longer than the idle limit, counted in received frames rather than wall time.
    await waitUntil(() => rec.events.filter((e) => e.type === 'audio').length >= 40);
    expect(client.open).toBe(true);
    expect(stopOf(rec.events)).toBeUndefined();
    await client.stop();
    await waitUntil(() => stopOf(rec.events) === 'stop');
  });
});
