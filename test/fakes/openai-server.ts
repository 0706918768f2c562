/**
 * A fake OpenAI Chat Completions server speaking the real wire protocol
 * (shared/reference/vendor-protocols.md §4): `POST {baseURL}/chat/completions` with
 * `Authorization: Bearer <key>`; `stream: true` → `text/event-stream` of
 * `data: {chat.completion.chunk}\n\n` events ending with a finish_reason chunk and
 * `data: [DONE]\n\n`; otherwise one `chat.completion` JSON. Errors use the OpenAI error body.
 *
 * Scripting: replies queued with `enqueue()` are used one per request, in order; when the queue
 * is empty the responder set with `respondWith()` decides (default: the text "OK.").
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeReply {
  /** Streamed as `delta.content` tokens (words, numbers and single punctuation marks). */
  text?: string;
  /** Explicit content tokens (instead of splitting `text`). */
  tokens?: string[];
  /** A function call; `args` is JSON-encoded unless it is a string (sent raw, e.g. invalid). */
  toolCall?: { name: string; args: unknown; id?: string };
  /** Explicit `arguments` fragments (default: the raw arguments cut at arbitrary points). */
  argFragments?: string[];
  /** Answer with this HTTP status and an OpenAI error body (401, 429, 500…). */
  status?: number;
  /** Read the request and never answer (not even headers). */
  hang?: boolean;
  /** Destroy the connection after this many `data:` events (a drop mid-stream). */
  dropAfterChunks?: number;
  /** Send a mid-stream `data: {"error": …}` event after this many `data:` events, then end. */
  errorAfterChunks?: number;
  /** Pause after this many `data:` events until `release()`. */
  holdAfterChunks?: number;
  /** Delay before the first chunk (headers are sent at once). Default: the server's. */
  firstTokenDelayMs?: number;
  /** Delay between later chunks. Default: the server's. */
  tokenDelayMs?: number;
  /** Default `stop`, or `tool_calls` for a tool call. */
  finishReason?: string;
}

export interface FakeOpenAiRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  model: unknown;
  messages: unknown;
  tools: unknown;
  toolChoice: unknown;
  stream: boolean;
  /** `data:` events written so far. */
  chunksSent: number;
  /** The finish_reason chunk was written. */
  finished: boolean;
  /** The client closed the connection before the response ended. */
  disconnected: boolean;
}

export type FakeResponder = (req: FakeOpenAiRequest) => FakeReply | Promise<FakeReply>;

export interface FakeOpenAiOptions {
  apiKey?: string;
  firstTokenDelayMs?: number;
  tokenDelayMs?: number;
}

export interface FakeOpenAi {
  /** The base URL to configure, with `/v1` (`origin` alone works too). */
  readonly url: string;
  readonly origin: string;
  readonly apiKey: string;
  readonly requests: FakeOpenAiRequest[];
  /** Client disconnects before a response ended. */
  readonly disconnects: number;
  enqueue(...replies: FakeReply[]): void;
  respondWith(responder: FakeResponder): void;
  /** Resumes every stream paused by `holdAfterChunks`; requests received so far no longer pause. */
  release(): void;
  /** Resolves once `disconnects` reaches `count`. */
  waitForDisconnect(count?: number): Promise<void>;
  close(): Promise<void>;
}

const PATHS = new Set(['/v1/chat/completions', '/chat/completions']);

export async function startFakeOpenAi(opts: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const apiKey = opts.apiKey ?? 'sk-test-fake';
  const queue: FakeReply[] = [];
  let responder: FakeResponder = () => ({ text: 'OK.' });
  let releaseHolds: Array<() => void> = [];
  let disconnectWaiters: Array<() => void> = [];
  const requests: FakeOpenAiRequest[] = [];
  const released = new WeakSet<FakeOpenAiRequest>();
  let disconnects = 0;
  const defaults = { first: opts.firstTokenDelayMs ?? 0, token: opts.tokenDelayMs ?? 0 };

  const onDisconnect = (rec: FakeOpenAiRequest) => {
    rec.disconnected = true;
    disconnects++;
    const waiters = disconnectWaiters;
    disconnectWaiters = [];
    for (const w of waiters) w();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const raw = await readBody(req);
    if (req.method !== 'POST' || !PATHS.has(path)) {
      return sendError(res, 404, 'Not found', 'invalid_request_error', 'unknown_url');
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return sendError(
        res,
        400,
        'We could not parse the JSON body of your request.',
        'invalid_request_error',
        null,
      );
    }
    const rec: FakeOpenAiRequest = {
      path,
      headers: req.headers,
      body,
      model: body.model,
      messages: body.messages,
      tools: body.tools,
      toolChoice: body.tool_choice,
      stream: body.stream === true,
      chunksSent: 0,
      finished: false,
      disconnected: false,
    };
    requests.push(rec);
    res.on('close', () => {
      if (!res.writableFinished && !dropped.has(res)) onDisconnect(rec);
    });
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return sendError(
        res,
        401,
        'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      );
    }
    const reply = queue.shift() ?? (await responder(rec));
    if (reply.hang) return; // the socket stays open until the client gives up
    if (reply.status !== undefined) return sendStatus(res, reply.status);
    const timing = {
      first: reply.firstTokenDelayMs ?? defaults.first,
      token: reply.tokenDelayMs ?? defaults.token,
    };
    if (!rec.stream) return sendJson(res, rec, reply, timing.first);
    await streamReply(res, rec, reply, timing, () =>
      released.has(rec) ? Promise.resolve() : new Promise<void>((r) => releaseHolds.push(r)),
    );
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/v1`,
    origin,
    apiKey,
    requests,
    get disconnects() {
      return disconnects;
    },
    enqueue: (...replies) => void queue.push(...replies),
    respondWith: (r) => void (responder = r),
    release: () => {
      for (const r of requests) released.add(r);
      const holds = releaseHolds;
      releaseHolds = [];
      for (const h of holds) h();
    },
    waitForDisconnect: (count = 1) =>
      new Promise<void>((resolve) => {
        const check = () => (disconnects >= count ? resolve() : disconnectWaiters.push(check));
        check();
      }),
    close: async () => {
      for (const h of releaseHolds) h();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Responses whose connection the fake dropped on purpose (not a client disconnect). */
const dropped = new WeakSet<ServerResponse>();

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null,
): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type, param: null, code } }));
}

function sendStatus(res: ServerResponse, status: number): void {
  if (status === 429) {
    return sendError(
      res,
      429,
      'Rate limit reached for requests',
      'requests',
      'rate_limit_exceeded',
    );
  }
  if (status === 401) {
    return sendError(
      res,
      401,
      'Incorrect API key provided.',
      'invalid_request_error',
      'invalid_api_key',
    );
  }
  if (status >= 500) {
    return sendError(
      res,
      status,
      'The server had an error while processing your request. Sorry about that!',
      'server_error',
      null,
    );
  }
  return sendError(res, status, 'Invalid request.', 'invalid_request_error', null);
}

interface Ids {
  id: string;
  created: number;
  model: string;
}

function idsOf(rec: FakeOpenAiRequest): Ids {
  const model = typeof rec.model === 'string' ? `${rec.model}-fake` : 'gpt-fake';
  const id = `chatcmpl-fake${Math.random().toString(36).slice(2, 14)}`;
  return { id, created: Math.floor(Date.now() / 1000), model };
}

function rawArgs(call: NonNullable<FakeReply['toolCall']>): string {
  return typeof call.args === 'string' ? call.args : JSON.stringify(call.args);
}

/** The deltas of a streamed reply, in order, ending with the finish chunk's (delta, reason). */
function deltas(reply: FakeReply): Array<[Record<string, unknown>, string | null]> {
  const out: Array<[Record<string, unknown>, string | null]> = [];
  const tokens = reply.tokens ?? (reply.text !== undefined ? tokenize(reply.text) : []);
  if (!reply.toolCall || tokens.length > 0) {
    out.push([{ role: 'assistant', content: '', refusal: null }, null]);
  }
  for (const t of tokens) out.push([{ content: t }, null]);
  const call = reply.toolCall;
  if (call) {
    const id = call.id ?? `call_${Math.random().toString(36).slice(2, 14)}`;
    const fn = { name: call.name, arguments: '' };
    const head = { index: 0, id, type: 'function', function: fn };
    out.push([
      { ...(tokens.length ? {} : { role: 'assistant', content: null }), tool_calls: [head] },
      null,
    ]);
    for (const piece of reply.argFragments ?? cutArbitrarily(rawArgs(call))) {
      out.push([{ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null]);
    }
  }
  out.push([{}, reply.finishReason ?? (call ? 'tool_calls' : 'stop')]);
  return out;
}

async function streamReply(
  res: ServerResponse,
  rec: FakeOpenAiRequest,
  reply: FakeReply,
  timing: { first: number; token: number },
  hold: () => Promise<void>,
): Promise<void> {
  const ids = idsOf(rec);
  const usage = (rec.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  const events = deltas(reply);
  for (const [i, [delta, finish]] of events.entries()) {
    await sleep(i === 0 ? timing.first : i === 1 ? 0 : timing.token); // role + first token together
    if (res.destroyed) return;
    if (reply.dropAfterChunks !== undefined && rec.chunksSent >= reply.dropAfterChunks) {
      dropped.add(res);
      res.socket?.destroy();
      return;
    }
    if (reply.errorAfterChunks !== undefined && rec.chunksSent >= reply.errorAfterChunks) {
      res.end(
        `data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } })}\n\n`,
      );
      return;
    }
    if (reply.holdAfterChunks !== undefined && rec.chunksSent === reply.holdAfterChunks)
      await hold();
    if (res.destroyed) return;
    const chunk = {
      ...ids,
      object: 'chat.completion.chunk',
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(usage ? { usage: null } : {}),
    };
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    rec.chunksSent++;
    if (finish) rec.finished = true;
  }
  if (usage) {
    const u = {
      prompt_tokens: 20,
      completion_tokens: events.length,
      total_tokens: 20 + events.length,
    };
    res.write(
      `data: ${JSON.stringify({ ...ids, object: 'chat.completion.chunk', system_fingerprint: 'fp_fake', choices: [], usage: u })}\n\n`,
    );
  }
  res.end('data: [DONE]\n\n');
}

async function sendJson(
  res: ServerResponse,
  rec: FakeOpenAiRequest,
  reply: FakeReply,
  delayMs: number,
): Promise<void> {
  await sleep(delayMs);
  if (res.destroyed) return;
  const call = reply.toolCall;
  const text = reply.tokens?.join('') ?? reply.text;
  const message = {
    role: 'assistant',
    content: text ?? null,
    refusal: null,
    ...(call
      ? {
          tool_calls: [
            {
              id: call.id ?? 'call_fake',
              type: 'function',
              function: { name: call.name, arguments: rawArgs(call) },
            },
          ],
        }
      : {}),
  };
  const finish = reply.finishReason ?? (call ? 'tool_calls' : 'stop');
  rec.finished = true;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      ...idsOf(rec),
      object: 'chat.completion',
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
      usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
    }),
  );
}

/** Token-like pieces: words, numbers and single punctuation marks, each with its leading space. */
export function tokenize(text: string): string[] {
  return text.match(/\s*(?:[A-Za-z']+|\d+|[^\sA-Za-z\d])|\s+$/g) ?? [];
}

/** Cuts `s` into pieces of 1–5 characters at deterministic but arbitrary points. */
export function cutArbitrarily(s: string, seed = 7): string[] {
  const out: string[] = [];
  let state = seed;
  for (let i = 0; i < s.length;) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const n = 1 + (state % 5);
    out.push(s.slice(i, i + n));
    i += n;
  }
  return out;
}
