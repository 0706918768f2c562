/**
 * A local stand-in for the ElevenLabs TTS HTTP API (vendor-protocols.md §3.1), on 127.0.0.1:0.
 *
 *   POST /v1/text-to-speech/:voiceId/stream  chunked audio bytes as they are "generated"
 *   POST /v1/text-to-speech/:voiceId         the same audio in one body (Content-Length)
 *
 * Auth: header `xi-api-key` must equal `apiKey`; else 401 `{"detail":{"status":…,"message":…}}`.
 * Query `output_format` (default mp3_44100_128): `ulaw_8000` → headerless µ-law 8 kHz,
 * `pcm_8000` → 16-bit little-endian PCM 8 kHz; any other valid format → 422 (this fake encodes
 * no mp3/opus), an unknown one → 422. Body: JSON with a string `text` (else 422).
 * Audio: a deterministic tone per word (or real espeak-ng speech with `audio: 'espeak'`), sent
 * in irregular chunk sizes (never multiples of 160), after `firstByteDelayMs`, with
 * `chunkDelayMs` between chunks. The stream-input WebSocket is not implemented.
 *
 * Every request is recorded in `requests` (see FakeTtsRequest), including whether the client
 * hung up before the response ended (`aborted`). Options may be changed between requests by
 * assigning to `fake.options`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../src/logger.js';
import { decodeUlaw, encodeUlaw } from '../../src/media/mulaw.js';
import { createEspeakProvider } from '../../src/tts/providers/espeak.js';

export interface FakeElevenLabsOptions {
  /** The key requests must carry in `xi-api-key`. Default 'test-elevenlabs-key'. */
  apiKey?: string;
  /** Delay before the response headers and first audio bytes (vendor model latency). */
  firstByteDelayMs?: number;
  /** Delay between audio chunks. */
  chunkDelayMs?: number;
  /** Chunk sizes in bytes, cycled. Default [37, 211, 96, 503, 13, 237]. */
  chunkSizes?: number[];
  /** Audio per request text: 'tone' (default, deterministic), 'espeak' (real speech), or a function returning µ-law 8 kHz. */
  audio?: 'tone' | 'espeak' | ((text: string, voiceId: string) => Buffer | Promise<Buffer>);
  /** Every request answers this HTTP status with the vendor's JSON error body (e.g. 500, 429). */
  failStatus?: number;
  /** Statuses for the next requests, consumed one per request (before `failStatus`). */
  failNext?: number[];
  /** Send this many audio bytes, then destroy the connection (mid-stream disconnect). */
  disconnectAfterBytes?: number;
  /** Send this many audio bytes, then wait for `release()` before sending the rest. */
  holdAfterBytes?: number;
}

export interface FakeTtsRequest {
  voiceId: string;
  /** True for the /stream endpoint. */
  stream: boolean;
  query: Record<string, string>;
  /** Request headers, lowercased names (includes xi-api-key). */
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: Record<string, unknown> | undefined;
  text: string | undefined;
  modelId: string | undefined;
  status: number;
  /** Audio bytes written to the connection, in order. */
  sent: Buffer;
  startedAtMs: number;
  firstByteAtMs?: number;
  endedAtMs?: number;
  /** The whole response was written. */
  finished: boolean;
  /** The client closed the connection before the response was complete. */
  aborted: boolean;
  /** The fake dropped the connection on purpose (`disconnectAfterBytes`). */
  disconnected: boolean;
}

export interface FakeElevenLabs {
  /** Base URL for the SDK / ELEVENLABS_URL, e.g. http://127.0.0.1:PORT. */
  url: string;
  apiKey: string;
  options: FakeElevenLabsOptions;
  requests: FakeTtsRequest[];
  /** Lets responses held by `holdAfterBytes` continue (and every later one pass the hold). */
  release(): void;
  /** Resolves when request `index` has ended (finished, aborted or disconnected). */
  ended(index: number, timeoutMs?: number): Promise<FakeTtsRequest>;
  /** The audio this fake produces for a text (what a successful request streams). */
  audioFor(text: string, voiceId?: string): Promise<Buffer>;
  close(): Promise<void>;
}

const FORMATS = new Set([
  'mp3_22050_32', 'mp3_24000_48', 'mp3_44100_32', 'mp3_44100_64', 'mp3_44100_96', 'mp3_44100_128',
  'mp3_44100_192', 'pcm_8000', 'pcm_16000', 'pcm_22050', 'pcm_24000', 'pcm_32000', 'pcm_44100',
  'pcm_48000', 'ulaw_8000', 'alaw_8000', 'opus_48000_32', 'opus_48000_64', 'opus_48000_96',
  'opus_48000_128', 'opus_48000_192',
]); // prettier-ignore

const ERROR_DETAIL: Record<number, { status: string; message: string }> = {
  401: { status: 'invalid_api_key', message: 'Invalid API key' },
  429: {
    status: 'too_many_concurrent_requests',
    message: 'Too many concurrent requests for your subscription.',
  },
  500: { status: 'internal_server_error', message: 'An internal error occurred.' },
  503: { status: 'service_unavailable', message: 'The service is temporarily unavailable.' },
};

/** Unref'd: a response delayed by the fake never keeps the test process alive. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

export async function startFakeElevenLabs(
  options: FakeElevenLabsOptions = {},
): Promise<FakeElevenLabs> {
  const apiKey = options.apiKey ?? 'test-elevenlabs-key';
  const requests: FakeTtsRequest[] = [];
  const waiters: (() => void)[] = [];
  const espeakCache = new Map<string, Promise<Buffer>>();
  let released = false;
  const releaseWaiters: (() => void)[] = [];

  const fake: FakeElevenLabs = {
    url: '',
    apiKey,
    options,
    requests,
    release() {
      released = true;
      for (const w of releaseWaiters.splice(0)) w();
    },
    async ended(index, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = requests[index];
        if (r?.endedAtMs !== undefined) return r;
        if (Date.now() > deadline) throw new Error(`fake elevenlabs: request ${index} not ended`);
        await new Promise<void>((res) => {
          waiters.push(res);
          setTimeout(res, 20);
        });
      }
    },
    audioFor: (text, voiceId = '') => produceAudio(text, voiceId),
    close: () =>
      new Promise<void>((resolve) => {
        fake.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function produceAudio(text: string, voiceId: string): Promise<Buffer> {
    const a = fake.options.audio ?? 'tone';
    if (typeof a === 'function') return Promise.resolve(a(text, voiceId));
    if (a === 'tone') return Promise.resolve(toneFor(text));
    let p = espeakCache.get(text);
    if (!p) espeakCache.set(text, (p = espeakAudio(text)));
    return p;
  }

  const notify = () => {
    for (const w of waiters.splice(0)) w();
  };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (s) => s.setNoDelay(true));

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const m = /^\/v1\/text-to-speech\/([^/]+)(\/stream)?$/.exec(url.pathname);
    const raw = await readBody(req);
    if (!m || req.method !== 'POST') return json(res, 404, { detail: 'Not Found' });
    const body = parseJson(raw);
    const rec: FakeTtsRequest = {
      voiceId: decodeURIComponent(m[1]!),
      stream: m[2] !== undefined,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      text: typeof body?.text === 'string' ? body.text : undefined,
      modelId: typeof body?.model_id === 'string' ? body.model_id : undefined,
      status: 200,
      sent: Buffer.alloc(0),
      startedAtMs: performance.now(),
      finished: false,
      aborted: false,
      disconnected: false,
    };
    requests.push(rec);
    res.on('close', () => {
      if (!res.writableFinished && !rec.disconnected) rec.aborted = true;
      rec.endedAtMs = performance.now();
      notify();
    });
    const fail = checkRequest(req, rec, url);
    if (fail) {
      rec.status = fail.status;
      return json(res, fail.status, fail.body);
    }
    const ulaw = await produceAudio(rec.text!, rec.voiceId);
    const format = rec.query.output_format;
    const audio = format === 'pcm_8000' ? pcm16le(ulaw) : ulaw;
    const type = format === 'pcm_8000' ? 'application/octet-stream' : 'audio/basic';
    await sleep(fake.options.firstByteDelayMs ?? 0);
    if (res.destroyed) return;
    if (!rec.stream) {
      rec.firstByteAtMs = performance.now();
      rec.sent = audio;
      res.writeHead(200, { 'content-type': type, 'content-length': audio.length });
      res.end(audio, () => (rec.finished = true));
      return;
    }
    res.writeHead(200, { 'content-type': type, 'request-id': `req-${requests.length}` });
    await streamAudio(res, rec, audio);
  }

  function checkRequest(
    req: http.IncomingMessage,
    rec: FakeTtsRequest,
    url: URL,
  ): { status: number; body: unknown } | undefined {
    const key = req.headers['xi-api-key'];
    if (key === undefined) {
      return {
        status: 401,
        body: {
          detail: {
            status: 'needs_authorization',
            message: 'Neither authorization header nor xi-api-key received, please provide one.',
          },
        },
      };
    }
    if (key !== apiKey) return { status: 401, body: { detail: ERROR_DETAIL[401] } };
    const scripted = fake.options.failNext?.shift() ?? fake.options.failStatus;
    if (scripted !== undefined) {
      const detail = ERROR_DETAIL[scripted] ?? { status: 'error', message: `HTTP ${scripted}` };
      return { status: scripted, body: { detail } };
    }
    if (rec.text === undefined) {
      return {
        status: 422,
        body: { detail: [{ type: 'missing', loc: ['body', 'text'], msg: 'Field required' }] },
      };
    }
    const format = url.searchParams.get('output_format') ?? 'mp3_44100_128';
    if (!FORMATS.has(format) || (format !== 'ulaw_8000' && format !== 'pcm_8000')) {
      return {
        status: 422,
        body: {
          detail: [
            {
              type: 'enum',
              loc: ['query', 'output_format'],
              msg: `output format ${format} is not produced by this fake`,
            },
          ],
        },
      };
    }
    return undefined;
  }

  async function streamAudio(
    res: http.ServerResponse,
    rec: FakeTtsRequest,
    audio: Buffer,
  ): Promise<void> {
    const sizes = fake.options.chunkSizes ?? [37, 211, 96, 503, 13, 237];
    const sent: Buffer[] = [];
    let off = 0;
    for (let i = 0; off < audio.length; i++) {
      if (res.destroyed) return;
      let end = Math.min(audio.length, off + Math.max(1, sizes[i % sizes.length]!));
      const hold = fake.options.holdAfterBytes;
      const cut = fake.options.disconnectAfterBytes;
      if (hold !== undefined && !released && off < hold && end > hold) end = hold;
      if (cut !== undefined && end > cut) end = Math.max(off, cut);
      if (end > off) {
        const chunk = audio.subarray(off, end);
        rec.firstByteAtMs ??= performance.now();
        res.write(chunk);
        sent.push(chunk);
        rec.sent = Buffer.concat(sent);
        off = end;
      }
      if (cut !== undefined && off >= cut) {
        rec.disconnected = true;
        res.socket?.destroy();
        return;
      }
      if (hold !== undefined && !released && off >= hold) {
        await new Promise<void>((r) => releaseWaiters.push(r));
      }
      const delay = fake.options.chunkDelayMs ?? 0;
      if (delay > 0) await sleep(delay);
    }
    res.end(() => (rec.finished = true));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Deterministic "speech": per word a tone (pitch from the word's letters) of 50 ms per
 * character (at most 12) with a 10 ms fade, then 60 ms of silence. Amplitude ~8000. At most
 * 60 s of audio per text.
 */
export function toneFor(text: string): Buffer {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const parts: Buffer[] = [];
  let total = 0;
  for (const w of words) {
    if (total >= MAX_TONE_BYTES) break;
    const part = wordTone(w);
    parts.push(part);
    total += part.length;
  }
  return Buffer.concat(parts).subarray(0, MAX_TONE_BYTES);
}

const MAX_TONE_BYTES = 60 * 8000;
const wordTones = new Map<string, Buffer>();

function wordTone(w: string): Buffer {
  let hit = wordTones.get(w);
  if (hit) return hit;
  let h = 0;
  for (const c of w) h = (h * 31 + c.charCodeAt(0)) % 997;
  const freq = 220 + (h % 40) * 12;
  const n = 8 * 50 * Math.min(w.length, 12);
  const pcm = new Int16Array(n + 480);
  for (let i = 0; i < n; i++) {
    const fade = Math.min(1, i / 80, (n - i) / 80);
    pcm[i] = Math.round(8000 * fade * Math.sin((2 * Math.PI * freq * i) / 8000));
  }
  hit = encodeUlaw(pcm);
  wordTones.set(w, hit);
  return hit;
}

async function espeakAudio(text: string): Promise<Buffer> {
  const tts = createEspeakProvider({ bin: 'espeak-ng', logger: silentLogger() });
  const frames: Buffer[] = [];
  const req = { text, voice: 'en-us', language: 'en-US' };
  for await (const f of tts.synthesize(req, new AbortController().signal)) frames.push(f);
  return Buffer.concat(frames);
}

function pcm16le(ulaw: Buffer): Buffer {
  const pcm = decodeUlaw(ulaw);
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}
