/**
 * A local server speaking Deepgram Listen v1 (see /work/shared/reference/vendor-protocols.md §2):
 * `GET /v1/listen?<params>` upgraded to a WebSocket, `Authorization: Token <key>` checked at the
 * upgrade (401 + `dg-error` otherwise), binary frames = audio in the declared encoding (µ-law
 * 8 kHz expected), text frames = KeepAlive / Finalize / CloseStream. Recognition is by energy
 * (see deepgram-recognizer.ts); transcripts come from a script the test controls with `say()`.
 * Faults: refused upgrades (any status), stalled upgrades, latency, dropped sockets (abrupt or
 * with a close code), idle close 1011 NET-0001.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { FakeRecognizer, type ScriptItem } from './deepgram-recognizer.js';

export interface DeepgramFakeOptions {
  /** Accepted API key; default 'test-key'. */
  apiKey?: string;
  /** Close 1011 NET-0001 after this long without audio or a text message; default 10000. */
  idleTimeoutMs?: number;
  /** Delay before each server message is sent, in ms; default 0. */
  latencyMs?: number;
  /** Transcript of an utterance when the script is empty; default 'hello'. */
  defaultTranscript?: string;
  /** RMS threshold of the energy VAD; default 300. */
  vadThreshold?: number;
  /** Audio ms between interim results during speech; default 400. */
  interimEveryMs?: number;
}

/** What one connection sent us. */
export interface FakeDeepgramConnection {
  id: number;
  /** The query string as received. */
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Bytes of binary (audio) frames received. */
  audioBytes: number;
  /** `type` of every text message received, in order ('KeepAlive', 'Finalize', …). */
  control: string[];
  /** Close code once closed (1006 = dropped without a close frame). */
  closeCode?: number;
  open: boolean;
}

export interface DeepgramFake {
  /** Base URL to give the provider (DEEPGRAM_URL), e.g. http://127.0.0.1:12345. */
  url: string;
  apiKey: string;
  received: { connections: FakeDeepgramConnection[]; upgrades: number };
  /** Queues the transcript of the next utterance; an array = segments split at pauses. */
  say(text: string | string[], confidence?: number): void;
  /** Forgets queued transcripts. */
  clearScript(): void;
  /** The next `count` upgrades are answered with HTTP `status` (401, 403, 500, 503, …). */
  refuse(status: number, count?: number): void;
  /** The next `count` upgrades never get an answer (connect timeout). */
  stall(count?: number): void;
  setLatency(ms: number): void;
  /** The next `count` upgrades are answered only after `ms` (a slow reconnect). */
  delayUpgrades(ms: number, count?: number): void;
  /** When false, finals never carry speech_final (turns end by UtteranceEnd only). */
  setSpeechFinal(enabled: boolean): void;
  /** Ends every open connection now: abruptly (no close frame), or with `code`/`reason`. */
  drop(opts?: { code?: number; reason?: string }): void;
  /** Abruptly drops the connection `afterMs` after the next speech onset (mid-utterance). */
  dropOnNextSpeech(afterMs?: number): void;
  /** Forgets pending refusals, stalls, drops and latency; speech_final back on. */
  clearFaults(): void;
  /** Resolves once `n` connections have been accepted in total. */
  waitForConnections(n: number, timeoutMs?: number): Promise<FakeDeepgramConnection>;
  close(): Promise<void>;
}

export async function startDeepgramFake(opts: DeepgramFakeOptions = {}): Promise<DeepgramFake> {
  const fake = new FakeDeepgramServer(opts);
  await fake.listen();
  return fake;
}

class FakeDeepgramServer implements DeepgramFake {
  url = '';
  readonly apiKey: string;
  readonly received: DeepgramFake['received'] = { connections: [], upgrades: 0 };
  private latencyMs: number;
  private speechFinal = true;
  private refusals: number[] = [];
  private stalls = 0;
  private upgradeDelays: number[] = [];
  private dropOnSpeech: number | undefined;
  private readonly script: ScriptItem[] = [];
  private readonly sockets = new Map<number, WebSocket>();
  private readonly stalled = new Set<Socket>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly server: Server = createServer((_req, res) => res.writeHead(404).end());

  constructor(private readonly opts: DeepgramFakeOptions) {
    this.apiKey = opts.apiKey ?? 'test-key';
    this.latencyMs = opts.latencyMs ?? 0;
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  say(text: string | string[], confidence = 0.97): void {
    this.script.push({ segments: Array.isArray(text) ? text : [text], confidence });
  }

  clearScript(): void {
    this.script.length = 0;
  }

  refuse(status: number, count = 1): void {
    for (let i = 0; i < count; i++) this.refusals.push(status);
  }

  stall(count = 1): void {
    this.stalls += count;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  delayUpgrades(ms: number, count = 1): void {
    for (let i = 0; i < count; i++) this.upgradeDelays.push(ms);
  }

  setSpeechFinal(enabled: boolean): void {
    this.speechFinal = enabled;
  }

  drop({ code, reason }: { code?: number; reason?: string } = {}): void {
    for (const ws of this.sockets.values()) {
      if (code === undefined) ws.terminate();
      else ws.close(code, reason);
    }
  }

  dropOnNextSpeech(afterMs = 200): void {
    this.dropOnSpeech = afterMs;
  }

  clearFaults(): void {
    this.latencyMs = 0;
    this.speechFinal = true;
    this.refusals = [];
    this.stalls = 0;
    this.upgradeDelays = [];
    this.dropOnSpeech = undefined;
  }

  async waitForConnections(n: number, timeoutMs = 5000): Promise<FakeDeepgramConnection> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.connections.length < n) {
      if (Date.now() > deadline) throw new Error(`fewer than ${n} connections in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received.connections[n - 1]!;
  }

  async close(): Promise<void> {
    for (const s of this.stalled) s.destroy();
    for (const ws of this.sockets.values()) ws.terminate();
    this.wss.close();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    this.received.upgrades++;
    const delay = this.upgradeDelays.shift();
    if (delay !== undefined) {
      setTimeout(() => this.answerUpgrade(req, socket, head), delay);
      return;
    }
    this.answerUpgrade(req, socket, head);
  }

  private answerUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (this.stalls > 0) {
      this.stalls--;
      this.stalled.add(socket);
      return;
    }
    const refusal = this.refusals.shift();
    if (refusal !== undefined) return reject(socket, refusal, 'REFUSED');
    if (url.pathname !== '/v1/listen') return reject(socket, 404, 'NOT_FOUND');
    if (req.headers.authorization !== `Token ${this.apiKey}`) {
      return reject(socket, 401, 'INVALID_AUTH');
    }
    if (url.searchParams.get('encoding') && !url.searchParams.get('sample_rate')) {
      return reject(socket, 400, 'INVALID_QUERY_PARAMETER');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, url.searchParams));
  }

  private accept(ws: WebSocket, req: IncomingMessage, query: URLSearchParams): void {
    const conn: FakeDeepgramConnection = {
      id: this.received.connections.length + 1,
      query,
      headers: req.headers,
      audioBytes: 0,
      control: [],
      open: true,
    };
    this.received.connections.push(conn);
    this.sockets.set(conn.id, ws);
    const out = this.outbox(ws);
    const rec = this.recognizer(ws, query, out.send);
    const idleMs = this.opts.idleTimeoutMs ?? 10000;
    let idle = setTimeout(() => ws.close(1011, 'NET-0001'), idleMs);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      clearTimeout(idle);
      idle = setTimeout(() => ws.close(1011, 'NET-0001'), idleMs);
      if (isBinary) {
        conn.audioBytes += data.length;
        rec.audio(data);
      } else control(ws, conn, rec, out, data.toString('utf8'));
    });
    ws.on('close', (code) => {
      clearTimeout(idle);
      conn.open = false;
      conn.closeCode = code;
      this.sockets.delete(conn.id);
    });
    ws.on('error', () => undefined); // a terminated peer; 'close' follows
  }

  /** Server messages in order, each delayed by the latency in force when it was produced. */
  private outbox(ws: WebSocket): Outbox {
    let chain = Promise.resolve();
    const then = (step: () => void | Promise<void>): void => {
      chain = chain.then(step);
    };
    const send = (msg: Record<string, unknown>): void => {
      const text = JSON.stringify(msg);
      const delay = this.latencyMs;
      then(async () => {
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        if (ws.readyState === WebSocket.OPEN) ws.send(text);
      });
    };
    return { send, then };
  }

  private recognizer(ws: WebSocket, query: URLSearchParams, send: Outbox['send']): FakeRecognizer {
    return new FakeRecognizer({
      params: query,
      nextScript: () => this.script.shift(),
      defaultTranscript: this.opts.defaultTranscript ?? 'hello',
      vadThreshold: this.opts.vadThreshold ?? 300,
      interimEveryMs: this.opts.interimEveryMs ?? 400,
      speechFinal: () => this.speechFinal,
      send,
      onSpeechStart: () => {
        const after = this.dropOnSpeech;
        if (after === undefined) return;
        this.dropOnSpeech = undefined;
        setTimeout(() => ws.terminate(), after);
      },
    });
  }
}

interface Outbox {
  send(msg: Record<string, unknown>): void;
  /** Runs `step` after every message queued so far has been sent. */
  then(step: () => void | Promise<void>): void;
}

/** KeepAlive: nothing. Finalize: flush, from_finalize. CloseStream: flush, Metadata, close 1000. */
function control(
  ws: WebSocket,
  conn: FakeDeepgramConnection,
  rec: FakeRecognizer,
  out: Outbox,
  text: string,
): void {
  let type = 'invalid';
  try {
    type = String((JSON.parse(text) as { type?: unknown }).type);
  } catch {
    // not JSON: recorded as 'invalid'
  }
  conn.control.push(type);
  if (type === 'Finalize') rec.flush(true);
  else if (type === 'CloseStream') {
    rec.flush(false);
    out.send(metadata(rec.receivedAudioMs));
    out.then(() => ws.close(1000));
  } else if (type !== 'KeepAlive') ws.close(1008, 'DATA-0000');
}

function reject(socket: Socket, status: number, errCode: string): void {
  const body = JSON.stringify({ err_code: errCode, err_msg: errCode, request_id: randomUUID() });
  socket.end(
    `HTTP/1.1 ${status} Error\r\ndg-error: ${errCode}\r\ndg-request-id: ${randomUUID()}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `connection: close\r\n\r\n${body}`,
  );
}

function metadata(audioMs: number): Record<string, unknown> {
  return {
    type: 'Metadata',
    transaction_key: 'deprecated',
    request_id: randomUUID(),
    sha256: '0'.repeat(64),
    created: new Date().toISOString(),
    duration: audioMs / 1000,
    channels: 1,
  };
}
