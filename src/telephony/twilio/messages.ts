import { z } from 'zod';

/**
 * Twilio Media Streams wire messages (bidirectional `<Connect><Stream>`).
 *
 * Contract (Twilio docs, "WebSocket messages"): every frame is a JSON text frame; every field is a
 * JSON string except `mediaFormat.sampleRate` / `mediaFormat.channels` (numbers) and `tracks`
 * (array of strings). Unknown extra fields are tolerated (stripped) so a new Twilio field never
 * breaks a call; missing or mistyped known fields are a schema violation.
 */

/** The field rules, shared by the schemas and the codec's fast path for `media`. */
export const Patterns = {
  streamSid: /^MZ[0-9a-fA-F]{32}$/,
  /** Decimal counter carried as a string ("1", "2", …). */
  counter: /^\d{1,15}$/,
} as const;

const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
/**
 * Standard base64 with padding (no whitespace, no URL alphabet). With the length a multiple of 4
 * and at most two trailing `=`, the last quad is necessarily `xxxx`, `xxx=` or `xx==`.
 */
export function isBase64(s: string): boolean {
  return s.length % 4 === 0 && BASE64_CHARS.test(s);
}

const sid = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be ${prefix} + 32 hex`);
export const AccountSid = sid('AC');
export const CallSid = sid('CA');
export const StreamSid = z.string().regex(Patterns.streamSid, 'must be MZ + 32 hex');

const counter = z.string().regex(Patterns.counter, 'must be a decimal string');
const base64 = z.string().refine(isBase64, 'must be base64');

export const ConnectedMessage = z.object({
  event: z.literal('connected'),
  protocol: z.string(),
  version: z.string(),
});

export const StartMessage = z.object({
  event: z.literal('start'),
  sequenceNumber: counter,
  streamSid: StreamSid,
  start: z.object({
    accountSid: AccountSid,
    streamSid: StreamSid,
    callSid: CallSid,
    tracks: z.array(z.enum(['inbound', 'outbound'])),
    customParameters: z.record(z.string(), z.string()).default({}),
    /** The only format Twilio streams: µ-law, 8 kHz, mono. Anything else cannot be played. */
    mediaFormat: z.object({
      encoding: z.literal('audio/x-mulaw'),
      sampleRate: z.literal(8000),
      channels: z.literal(1),
    }),
  }),
});

export const MediaMessage = z.object({
  event: z.literal('media'),
  sequenceNumber: counter,
  streamSid: StreamSid,
  media: z.object({
    /** `inbound` = the caller. (Not `inbound_track`, unlike dtmf.) */
    track: z.enum(['inbound', 'outbound']),
    /** Per-track chunk counter from "1". */
    chunk: counter,
    /** Milliseconds since the stream started. */
    timestamp: counter,
    /** Headerless µ-law 8 kHz bytes; normally 160 (20 ms). */
    payload: base64,
  }),
});

export const DtmfMessage = z.object({
  event: z.literal('dtmf'),
  sequenceNumber: counter,
  streamSid: StreamSid,
  dtmf: z.object({
    track: z.literal('inbound_track'),
    digit: z.string().regex(/^[0-9*#]$/, 'must be one of 0-9 * #'),
  }),
});

/** Twilio reached (or, after `clear`, dropped) a mark we sent. */
export const MarkMessage = z.object({
  event: z.literal('mark'),
  sequenceNumber: counter,
  streamSid: StreamSid,
  mark: z.object({ name: z.string() }),
});

export const StopMessage = z.object({
  event: z.literal('stop'),
  sequenceNumber: counter,
  streamSid: StreamSid,
  stop: z.object({ accountSid: AccountSid, callSid: CallSid }),
});

/** Every message Twilio sends us, keyed by `event`. */
export const InboundSchemas = {
  connected: ConnectedMessage,
  start: StartMessage,
  media: MediaMessage,
  dtmf: DtmfMessage,
  mark: MarkMessage,
  stop: StopMessage,
} as const;
export type InboundEvent = keyof typeof InboundSchemas;

export type ConnectedMessage = z.infer<typeof ConnectedMessage>;
export type StartMessage = z.infer<typeof StartMessage>;
export type MediaMessage = z.infer<typeof MediaMessage>;
export type DtmfMessage = z.infer<typeof DtmfMessage>;
export type MarkMessage = z.infer<typeof MarkMessage>;
export type StopMessage = z.infer<typeof StopMessage>;
export type TwilioInbound =
  ConnectedMessage | StartMessage | MediaMessage | DtmfMessage | MarkMessage | StopMessage;

// ---- server → Twilio -------------------------------------------------------------------------

/** Appended to Twilio's playback buffer and played in order. */
export const OutboundMediaMessage = z.object({
  event: z.literal('media'),
  streamSid: StreamSid,
  media: z.object({ payload: base64 }),
});
/** Queued behind earlier media; Twilio echoes it when playback reaches it (or on `clear`). */
export const OutboundMarkMessage = z.object({
  event: z.literal('mark'),
  streamSid: StreamSid,
  mark: z.object({ name: z.string() }),
});
/** Empties Twilio's playback buffer; every pending mark is then echoed. */
export const ClearMessage = z.object({ event: z.literal('clear'), streamSid: StreamSid });

export const OutboundSchemas = {
  media: OutboundMediaMessage,
  mark: OutboundMarkMessage,
  clear: ClearMessage,
} as const;
export type OutboundEvent = keyof typeof OutboundSchemas;

export type OutboundMediaMessage = z.infer<typeof OutboundMediaMessage>;
export type OutboundMarkMessage = z.infer<typeof OutboundMarkMessage>;
export type ClearMessage = z.infer<typeof ClearMessage>;
export type TwilioOutbound = OutboundMediaMessage | OutboundMarkMessage | ClearMessage;

export function buildMedia(streamSid: string, ulaw: Buffer): OutboundMediaMessage {
  return { event: 'media', streamSid, media: { payload: ulaw.toString('base64') } };
}

export function buildMark(streamSid: string, name: string): OutboundMarkMessage {
  return { event: 'mark', streamSid, mark: { name } };
}

export function buildClear(streamSid: string): ClearMessage {
  return { event: 'clear', streamSid };
}
