import type { z } from 'zod';
import {
  InboundSchemas,
  OutboundSchemas,
  Patterns,
  isBase64,
  type MediaMessage,
  type InboundEvent,
  type OutboundEvent,
  type TwilioInbound,
  type TwilioOutbound,
} from './messages.js';

/**
 * Pure Media Streams codec: text in, typed message or coded error out; no I/O, no logging.
 * The error never carries the payload (it may hold caller audio or digits).
 */

export type MessageErrorReason =
  'binary_frame' | 'invalid_json' | 'not_an_object' | 'unknown_event' | 'schema_violation';

export interface MessageError {
  code: 'TWILIO_MESSAGE_INVALID';
  reason: MessageErrorReason;
  /** The `event` field when it was a string (unknown events included). */
  event?: string;
  /** Schema issues as `path: message`, without values. */
  issues?: string[];
}

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: MessageError };

function fail<T>(reason: MessageErrorReason, extra: Partial<MessageError> = {}): ParseResult<T> {
  return { ok: false, error: { code: 'TWILIO_MESSAGE_INVALID', reason, ...extra } };
}

function parseWith<T>(text: string, schemas: Readonly<Record<string, z.ZodType>>): ParseResult<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('invalid_json');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('not_an_object');
  const event = (raw as { event?: unknown }).event;
  if (typeof event !== 'string') return fail('unknown_event');
  if (event === 'media' && schemas === InboundSchemas && isWellFormedMedia(raw)) {
    return { ok: true, message: raw as T };
  }
  const schema = Object.hasOwn(schemas, event) ? schemas[event] : undefined;
  if (!schema) return fail('unknown_event', { event });
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    return fail('schema_violation', { event, issues });
  }
  return { ok: true, message: r.data as T };
}

/**
 * The hot path (50 media messages/s per call): the same rules as `MediaMessage`, checked by hand.
 * Anything it does not accept goes through the schema, which reports the precise issue.
 * (Extra fields are not stripped on this path.)
 */
function isWellFormedMedia(raw: object): raw is MediaMessage {
  const m = raw as Partial<Record<keyof MediaMessage, unknown>>;
  const media = m.media as Partial<Record<keyof MediaMessage['media'], unknown>> | null | undefined;
  return (
    typeof m.sequenceNumber === 'string' &&
    Patterns.counter.test(m.sequenceNumber) &&
    typeof m.streamSid === 'string' &&
    Patterns.streamSid.test(m.streamSid) &&
    typeof media === 'object' &&
    media !== null &&
    (media.track === 'inbound' || media.track === 'outbound') &&
    typeof media.chunk === 'string' &&
    Patterns.counter.test(media.chunk) &&
    typeof media.timestamp === 'string' &&
    Patterns.counter.test(media.timestamp) &&
    typeof media.payload === 'string' &&
    isBase64(media.payload)
  );
}

/** Parse one text frame Twilio sent us. */
export function parse(text: string): ParseResult<TwilioInbound> {
  return parseWith<TwilioInbound>(text, InboundSchemas);
}

/**
 * Parse one WebSocket frame Twilio sent us. Twilio sends only text frames; a binary frame is
 * invalid whatever it contains.
 */
export function parseFrame(data: Buffer | string, isBinary: boolean): ParseResult<TwilioInbound> {
  if (isBinary) return fail('binary_frame');
  return parse(typeof data === 'string' ? data : data.toString('utf8'));
}

/** Parse one text frame we sent to Twilio (used by the fake Twilio and tests). */
export function parseOutbound(text: string): ParseResult<TwilioOutbound> {
  return parseWith<TwilioOutbound>(text, OutboundSchemas);
}

export const inboundEvents = Object.keys(InboundSchemas) as InboundEvent[];
export const outboundEvents = Object.keys(OutboundSchemas) as OutboundEvent[];

// ---- encoders (server → Twilio) ---------------------------------------------------------------

/**
 * Returns a media encoder bound to one stream. The message is templated, not JSON.stringify'd:
 * it runs 50×/s per call, and the only per-frame allocation is the base64 string (the output
 * of `toString('base64')` never needs JSON escaping).
 */
export function mediaEncoder(streamSid: string): (ulaw: Buffer) => string {
  const head = `{"event":"media","streamSid":${JSON.stringify(streamSid)},"media":{"payload":"`;
  return (ulaw) => head + ulaw.toString('base64') + '"}}';
}

export function encodeMedia(streamSid: string, ulaw: Buffer): string {
  return mediaEncoder(streamSid)(ulaw);
}

export function encodeMark(streamSid: string, name: string): string {
  return `{"event":"mark","streamSid":${JSON.stringify(streamSid)},"mark":{"name":${JSON.stringify(name)}}}`;
}

export function encodeClear(streamSid: string): string {
  return `{"event":"clear","streamSid":${JSON.stringify(streamSid)}}`;
}

/** Encode a message as Twilio sends it (used by the fake Twilio; not on the hot path). */
export function encodeInbound(message: TwilioInbound): string {
  return JSON.stringify(message);
}
