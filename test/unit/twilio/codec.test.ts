import fc from 'fast-check';
import {
  encodeClear,
  encodeInbound,
  encodeMark,
  encodeMedia,
  mediaEncoder,
  parse,
  parseFrame,
  parseOutbound,
  type ParseResult,
} from '../../../src/telephony/twilio/codec.js';
import {
  buildClear,
  buildMark,
  buildMedia,
  InboundSchemas,
  type TwilioInbound,
} from '../../../src/telephony/twilio/messages.js';

const AC = 'AC' + 'a'.repeat(32);
const CA = 'CA' + 'b'.repeat(32);
const MZ = 'MZ' + 'c'.repeat(32);
const payload = Buffer.alloc(160, 0xff).toString('base64');

const valid = {
  connected: { event: 'connected', protocol: 'Call', version: '1.0.0' },
  start: {
    event: 'start',
    sequenceNumber: '1',
    streamSid: MZ,
    start: {
      accountSid: AC,
      streamSid: MZ,
      callSid: CA,
      tracks: ['inbound'],
      customParameters: { flowId: 'main-menu', from: '+15550001111' },
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
  },
  media: {
    event: 'media',
    sequenceNumber: '4',
    streamSid: MZ,
    media: { track: 'inbound', chunk: '2', timestamp: '5', payload },
  },
  dtmf: {
    event: 'dtmf',
    streamSid: MZ,
    sequenceNumber: '5',
    dtmf: { track: 'inbound_track', digit: '#' },
  },
  mark: { event: 'mark', sequenceNumber: '6', streamSid: MZ, mark: { name: 'my label' } },
  stop: {
    event: 'stop',
    sequenceNumber: '7',
    streamSid: MZ,
    stop: { accountSid: AC, callSid: CA },
  },
} as const;

function errorOf<T>(r: ParseResult<T>) {
  if (r.ok) throw new Error('expected a parse error');
  return r.error;
}

/** Deep-copy `valid[event]` with one path replaced (or deleted when value is undefined). */
function mutate(event: keyof typeof valid, path: string[], value: unknown): string {
  const msg = JSON.parse(JSON.stringify(valid[event])) as Record<string, unknown>;
  let node = msg;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return JSON.stringify(msg);
}

describe('Media Streams codec: Twilio → server', () => {
  it.each(Object.keys(valid) as (keyof typeof valid)[])('parses a valid %s message', (event) => {
    const r = parse(JSON.stringify(valid[event]));
    expect(r).toEqual({ ok: true, message: valid[event] });
  });

  it('ignores extra fields Twilio may add and defaults missing customParameters', () => {
    const r = parse(
      mutate('start', ['start', 'customParameters'], undefined).replace('{', '{"future":1,'),
    );
    expect(r.ok && r.message.event === 'start' && r.message.start.customParameters).toEqual({});
    expect(r.ok && 'future' in r.message).toBe(false);
  });

  it('round-trips what the fake Twilio encodes', () => {
    for (const m of Object.values(valid))
      expect(parse(encodeInbound(m as TwilioInbound))).toEqual({ ok: true, message: m });
  });

  it.each([
    ['invalid JSON', '{"event":"media",', 'invalid_json'],
    ['empty text', '', 'invalid_json'],
    ['a number', '42', 'not_an_object'],
    ['null', 'null', 'not_an_object'],
    ['an array', '[{"event":"stop"}]', 'not_an_object'],
    ['no event', '{"sequenceNumber":"1"}', 'unknown_event'],
    ['a non-string event', '{"event":7}', 'unknown_event'],
    ['an unknown event', '{"event":"transcript","streamSid":"x"}', 'unknown_event'],
    ['an inherited property name', '{"event":"toString"}', 'unknown_event'],
  ])('rejects %s', (_what, text, reason) => {
    expect(errorOf(parse(text))).toMatchObject({ code: 'TWILIO_MESSAGE_INVALID', reason });
  });

  it('names the unknown event but never echoes the payload', () => {
    const e = errorOf(parse(JSON.stringify({ event: 'transcript', text: 'my card is 4111' })));
    expect(e).toEqual({
      code: 'TWILIO_MESSAGE_INVALID',
      reason: 'unknown_event',
      event: 'transcript',
    });
  });

  it.each<[string, keyof typeof valid, string[], unknown]>([
    ['numeric sequenceNumber', 'media', ['sequenceNumber'], 4],
    ['numeric chunk', 'media', ['media', 'chunk'], 2],
    ['numeric timestamp', 'media', ['media', 'timestamp'], 5],
    ['non-decimal chunk', 'media', ['media', 'chunk'], 'two'],
    ['payload not base64', 'media', ['media', 'payload'], 'not base64!'],
    ['payload with bad padding', 'media', ['media', 'payload'], 'AAA'],
    ['track inbound_track on media', 'media', ['media', 'track'], 'inbound_track'],
    ['missing payload', 'media', ['media', 'payload'], undefined],
    ['streamSid not MZ', 'media', ['streamSid'], 'MX' + 'c'.repeat(32)],
    ['short streamSid', 'mark', ['streamSid'], 'MZ123'],
    ['digit A', 'dtmf', ['dtmf', 'digit'], 'A'],
    ['two digits', 'dtmf', ['dtmf', 'digit'], '12'],
    ['numeric digit', 'dtmf', ['dtmf', 'digit'], 1],
    ['dtmf track inbound', 'dtmf', ['dtmf', 'track'], 'inbound'],
    ['mark without name', 'mark', ['mark', 'name'], undefined],
    ['start without callSid', 'start', ['start', 'callSid'], undefined],
    ['start with bad accountSid', 'start', ['start', 'accountSid'], 'AC1'],
    ['start with a-law', 'start', ['start', 'mediaFormat', 'encoding'], 'audio/x-alaw'],
    ['start with string sampleRate', 'start', ['start', 'mediaFormat', 'sampleRate'], '8000'],
    ['start with a numeric parameter', 'start', ['start', 'customParameters'], { n: 1 }],
    ['start with an unknown track', 'start', ['start', 'tracks'], ['both']],
    ['stop without callSid', 'stop', ['stop', 'callSid'], undefined],
    ['connected without protocol', 'connected', ['protocol'], undefined],
  ])('rejects %s as a schema violation', (_what, event, path, value) => {
    const e = errorOf(parse(mutate(event, path, value)));
    expect(e).toMatchObject({ code: 'TWILIO_MESSAGE_INVALID', reason: 'schema_violation', event });
    expect(e.issues?.length).toBeGreaterThan(0);
  });

  it('reports schema issues by field, never with the offending values', () => {
    const secret = 'SECRET4111';
    for (const [event, path] of [
      ['dtmf', ['dtmf', 'digit']],
      ['media', ['media', 'payload']],
      ['media', ['media', 'chunk']],
      ['start', ['start', 'callSid']],
    ] as const) {
      const e = errorOf(parse(mutate(event, [...path], secret)));
      expect(e.issues!.join()).toContain(path.join('.'));
      expect(JSON.stringify(e)).not.toContain(secret);
    }
  });

  it('accepts exactly what the MediaMessage schema accepts (hand-written hot path)', () => {
    const junk = fc.oneof(
      fc.constantFrom(
        '',
        '-1',
        '1.5',
        '1234567890123456',
        'inbound_track',
        'A===',
        '====',
        'AAAA=',
      ),
      fc.constantFrom('AA=A', 'QQ', 'ab-_', MZ.toLowerCase(), MZ + 'c', AC, ' 4'),
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.constantFrom(null, undefined, true, [], {}),
    );
    const or = <T>(good: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: junk, weight: 1 });
    const counter = fc.constantFrom('0', '4', '123456789012345');
    const media = fc.record({
      track: or(fc.constantFrom('inbound', 'outbound')),
      chunk: or(counter),
      timestamp: or(counter),
      payload: or(fc.constantFrom(payload, 'AAA=', 'AA==', 'ab+/', '')),
    });
    const msg = fc.record({
      sequenceNumber: or(counter),
      streamSid: or(fc.constant(MZ)),
      media: or(media),
    });
    let accepted = 0;
    fc.assert(
      fc.property(msg, (m) => {
        const obj = { event: 'media', ...m };
        const expected = InboundSchemas.media.safeParse(obj).success;
        if (expected) accepted++;
        expect(parse(JSON.stringify(obj)).ok).toBe(expected);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300); // both outcomes were exercised
  });

  it('treats every binary frame as invalid, even valid JSON', () => {
    const bytes = Buffer.from(JSON.stringify(valid.media));
    expect(errorOf(parseFrame(bytes, true))).toEqual({
      code: 'TWILIO_MESSAGE_INVALID',
      reason: 'binary_frame',
    });
    expect(parseFrame(bytes, false)).toEqual({ ok: true, message: valid.media });
  });
});

describe('Media Streams codec: server → Twilio', () => {
  const ulaw = Buffer.from([0x00, 0x7f, 0xff, 0x80, 0x01]);

  it('encodes media from a template identical to the JSON message', () => {
    const text = encodeMedia(MZ, ulaw);
    expect(JSON.parse(text)).toEqual(buildMedia(MZ, ulaw));
    expect(JSON.parse(text)).toEqual({
      event: 'media',
      streamSid: MZ,
      media: { payload: ulaw.toString('base64') },
    });
    expect(mediaEncoder(MZ)(ulaw)).toBe(text);
    expect(parseOutbound(text)).toEqual({ ok: true, message: buildMedia(MZ, ulaw) });
  });

  it('encodes marks with any name safely escaped', () => {
    for (const name of ['end', 'say-1#2', 'quote " and \\ backslash', 'ünïcødé\n']) {
      const text = encodeMark(MZ, name);
      expect(JSON.parse(text)).toEqual(buildMark(MZ, name));
      expect(parseOutbound(text)).toEqual({
        ok: true,
        message: { event: 'mark', streamSid: MZ, mark: { name } },
      });
    }
  });

  it('encodes clear', () => {
    expect(JSON.parse(encodeClear(MZ))).toEqual(buildClear(MZ));
    expect(parseOutbound(encodeClear(MZ))).toEqual({
      ok: true,
      message: { event: 'clear', streamSid: MZ },
    });
  });

  it.each([
    ['invalid JSON', 'nope', 'invalid_json'],
    ['an inbound-only event', JSON.stringify(valid.dtmf), 'unknown_event'],
    [
      'media without payload',
      JSON.stringify({ event: 'media', streamSid: MZ, media: {} }),
      'schema_violation',
    ],
    [
      'media with a WAV-ish payload',
      JSON.stringify({ event: 'media', streamSid: MZ, media: { payload: 'RIFF....' } }),
      'schema_violation',
    ],
    ['clear without streamSid', JSON.stringify({ event: 'clear' }), 'schema_violation'],
    [
      'mark with a numeric name',
      JSON.stringify({ event: 'mark', streamSid: MZ, mark: { name: 1 } }),
      'schema_violation',
    ],
  ])('rejects outbound %s', (_what, text, reason) => {
    expect(errorOf(parseOutbound(text))).toMatchObject({ code: 'TWILIO_MESSAGE_INVALID', reason });
  });
});
