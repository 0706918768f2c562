import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import twilio from 'twilio';
import { WebSocket } from 'ws';
import {
  TwilioStreamClient,
  type StreamClientOptions,
  type StreamIdentity,
} from './twilio-stream-client.js';

/**
 * A fake Twilio for the phone simulator, benchmarks and integration tests. It does what Twilio
 * does for an inbound call answered with `<Connect><Stream>`:
 * 1. POSTs the signed, form-encoded voice webhook (`placeCall`);
 * 2. reads `<Stream url>` and its `<Parameter>`s from the TwiML;
 * 3. opens the WebSocket with X-Twilio-Signature over the Stream URL as written (no params),
 *    connecting to the real server when the public host differs (a tunnel in production);
 * 4. sends `connected` and `start`, then behaves as the stream (see TwilioStreamClient).
 */

export * from './twilio-stream-client.js';
export type { Utterance } from './twilio-playback.js';

export type FakeTwilioErrorCode =
  'WEBHOOK_FAILED' | 'NO_STREAM' | 'UPGRADE_REJECTED' | 'CONNECT_FAILED';

export class FakeTwilioError extends Error {
  constructor(
    readonly code: FakeTwilioErrorCode,
    message: string,
    /** HTTP status, when the server answered with one. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FakeTwilioError';
  }
}

export function randomSid(prefix: 'AC' | 'CA' | 'MZ'): string {
  return prefix + randomBytes(16).toString('hex');
}

/** X-Twilio-Signature for `url` (as Twilio requested it) and the POST params (`{}` for GET/WS). */
export function signTwilio(
  authToken: string,
  url: string,
  params: Readonly<Record<string, string>> = {},
): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

export interface WebhookRequest {
  /** Where the server really listens, e.g. `http://127.0.0.1:8080`. */
  server: string;
  /** The public base URL configured at Twilio (signatures cover it). Default: `server`. */
  publicUrl?: string;
  /** Path and query, e.g. `/twilio/voice?flow=main-menu`. */
  path: string;
  params: Readonly<Record<string, string>>;
  /** Sign with this token; without one no signature header is sent. */
  authToken?: string;
  /** Send this signature instead of the correct one. */
  signature?: string;
  headers?: Readonly<Record<string, string>>;
}

export interface WebhookResponse {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** POST a form-encoded Twilio webhook, signed as Twilio signs it. */
export function postTwilioWebhook(req: WebhookRequest): Promise<WebhookResponse> {
  const signedUrl = (req.publicUrl ?? req.server).replace(/\/+$/, '') + req.path;
  const target = new URL(req.path, req.server);
  const body = new URLSearchParams(req.params).toString();
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': 'TwilioProxy/1.1',
    ...req.headers,
  };
  const signature =
    req.signature ?? (req.authToken ? signTwilio(req.authToken, signedUrl, req.params) : undefined);
  if (signature !== undefined) headers['x-twilio-signature'] = signature;
  const send = target.protocol === 'https:' ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    const r = send(target, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

export interface ParsedTwiml {
  /** `<Connect><Stream url>`, if any. */
  streamUrl?: string;
  /** `<Parameter name value>`s of that Stream. */
  parameters: Record<string, string>;
  /** Top-level verbs after `</Connect>`, e.g. `['Hangup']`: what Twilio runs when the stream ends. */
  afterConnect: string[];
}

/** A tag's attribute text: `>` may appear unescaped inside quoted values. */
const ATTRS = '(?:[^>"/]|"[^"]*")*';

/** Just enough TwiML parsing for `<Connect><Stream>`; attribute values are XML-unescaped. */
export function parseTwiml(xml: string): ParsedTwiml {
  const connect = new RegExp(`<Connect\\b${ATTRS}>([\\s\\S]*?)</Connect>`).exec(xml);
  const stream = connect ? new RegExp(`<Stream\\b(${ATTRS})/?>`).exec(connect[1]!) : null;
  const out: ParsedTwiml = { parameters: {}, afterConnect: [] };
  if (stream) {
    const url = attrs(stream[1]!).url;
    if (url !== undefined) out.streamUrl = url;
    for (const p of connect![1]!.matchAll(new RegExp(`<Parameter\\b(${ATTRS})/?>`, 'g'))) {
      const a = attrs(p[1]!);
      if (a.name !== undefined) out.parameters[a.name] = a.value ?? '';
    }
  }
  const rest = connect ? xml.slice(connect.index + connect[0].length) : '';
  for (const v of rest.matchAll(/<([A-Z][A-Za-z]*)\b/g)) out.afterConnect.push(v[1]!);
  return out;
}

function attrs(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/([A-Za-z_:][\w:.-]*)="([^"]*)"/g)) out[m[1]!] = unescapeXml(m[2]!);
  return out;
}

function unescapeXml(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) =>
    e.startsWith('#x')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(parseInt(e.slice(1), 10))
        : (named[e] ?? ''),
  );
}

export interface ConnectStreamOptions extends StreamClientOptions {
  /** The `<Stream url>` exactly as the TwiML wrote it (what Twilio signs). */
  streamUrl: string;
  /** Where the server really listens; the socket goes there when the hosts differ. */
  server: string;
  authToken?: string;
  /** Send this signature instead of the correct one. */
  signature?: string;
  callSid?: string;
  accountSid?: string;
  streamSid?: string;
  customParameters?: Readonly<Record<string, string>>;
  /** Send `start` after `connected` (default true; false to test the start timeout). */
  sendStart?: boolean;
}

/** Open a media stream as Twilio does; rejects with FakeTwilioError UPGRADE_REJECTED (status). */
export async function connectStream(opts: ConnectStreamOptions): Promise<TwilioStreamClient> {
  const signature =
    opts.signature ?? (opts.authToken ? signTwilio(opts.authToken, opts.streamUrl) : undefined);
  const ws = new WebSocket(socketUrl(opts.streamUrl, opts.server), {
    headers: signature === undefined ? {} : { 'x-twilio-signature': signature },
  });
  await opened(ws);
  const identity: StreamIdentity = {
    accountSid: opts.accountSid ?? randomSid('AC'),
    callSid: opts.callSid ?? randomSid('CA'),
    streamSid: opts.streamSid ?? randomSid('MZ'),
    customParameters: opts.customParameters ?? {},
  };
  const client = new TwilioStreamClient(ws, identity, opts);
  client.begin({ sendStart: opts.sendStart ?? true });
  return client;
}

/** The Stream URL's path on the real server (ws for http servers, wss for https). */
function socketUrl(streamUrl: string, server: string): string {
  const s = new URL(server);
  const u = new URL(streamUrl);
  return `${s.protocol === 'https:' ? 'wss' : 'ws'}://${s.host}${u.pathname}${u.search}`;
}

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      reject(
        new FakeTwilioError(
          'UPGRADE_REJECTED',
          `media upgrade refused with HTTP ${status}`,
          status,
        ),
      );
      ws.terminate();
    });
    ws.on('error', (err) => reject(new FakeTwilioError('CONNECT_FAILED', err.message)));
  });
}

export interface PlaceCallOptions extends StreamClientOptions {
  /** Where the server really listens, e.g. `http://127.0.0.1:8080`. */
  server: string;
  /** The public base URL the number is configured with (PUBLIC_BASE_URL). Default: `server`. */
  publicUrl?: string;
  /** Voice webhook path and query (default `/twilio/voice`). */
  voicePath?: string;
  from: string;
  to: string;
  authToken?: string;
  callSid?: string;
  accountSid?: string;
  direction?: 'inbound' | 'outbound-api' | 'outbound-dial';
  /** Extra webhook headers (e.g. X-Forwarded-Proto). */
  headers?: Readonly<Record<string, string>>;
}

export interface PlacedCall {
  client: TwilioStreamClient;
  twiml: ParsedTwiml;
  callSid: string;
}

/** An inbound call: voice webhook → TwiML → media stream with `connected` + `start` sent. */
export async function placeCall(opts: PlaceCallOptions): Promise<PlacedCall> {
  const callSid = opts.callSid ?? randomSid('CA');
  const accountSid = opts.accountSid ?? randomSid('AC');
  const res = await postTwilioWebhook({
    server: opts.server,
    path: opts.voicePath ?? '/twilio/voice',
    params: voiceParams({ ...opts, callSid, accountSid }),
    ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : {}),
    ...(opts.authToken !== undefined ? { authToken: opts.authToken } : {}),
    ...(opts.headers !== undefined ? { headers: opts.headers } : {}),
  });
  if (res.status !== 200)
    throw new FakeTwilioError('WEBHOOK_FAILED', `voice webhook answered ${res.status}`, res.status);
  const twiml = parseTwiml(res.body);
  if (!twiml.streamUrl)
    throw new FakeTwilioError('NO_STREAM', 'TwiML has no <Connect><Stream url>');
  const client = await connectStream({
    ...opts,
    streamUrl: twiml.streamUrl,
    callSid,
    accountSid,
    customParameters: twiml.parameters,
  });
  return { client, twiml, callSid };
}

/** The standard voice webhook parameters Twilio sends for a new call. */
export function voiceParams(o: {
  callSid: string;
  accountSid: string;
  from: string;
  to: string;
  direction?: string;
}): Record<string, string> {
  return {
    AccountSid: o.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: o.callSid,
    CallStatus: 'ringing',
    Called: o.to,
    Caller: o.from,
    Direction: o.direction ?? 'inbound',
    From: o.from,
    To: o.to,
  };
}
