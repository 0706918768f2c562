/**
 * Cloud STT: Deepgram Listen v1 live streaming through `@deepgram/sdk` v5. Twilio audio goes as
 * received (µ-law 8 kHz mono, 20 ms frames) with interim results, VAD events, smart formatting
 * and punctuation. Per dialog state, the hints become `keyterm`s (nova-3) or `keywords` (older
 * models) and the endpointing policy picks `endpointing`/`utterance_end_ms` (see
 * deepgram-params.ts for the values). Both are connect-time query parameters, so a change of
 * expectations switches sockets make-before-break between caller turns (deepgram-stream.ts);
 * the session therefore calls setHints() as soon as the next state is known, ideally while the
 * bot is still prompting. Auth: `Authorization: Token <key>` (the SDK adds the scheme).
 *
 * openStream() makes one connection attempt: 401/403 → STT_AUTH (not retryable), other 4xx
 * → PROVIDER_FAILED (not retryable), 5xx/timeout/network → PROVIDER_UNAVAILABLE (retryable);
 * the failover decorator decides what happens next. After open, drops are handled inside the
 * stream (reconnect within ~2 s, audio replayed) and surface as one `error` event only when
 * that fails.
 */
import { DeepgramClient } from '@deepgram/sdk';
import { ProviderError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { SttProvider, SttStreamOptions } from '../types.js';
import { openListenConnection } from './deepgram-connection.js';
import { type ListenExpectation, listenQuery } from './deepgram-params.js';
import { DeepgramStream, type DeepgramStreamDeps } from './deepgram-stream.js';

export interface DeepgramOptions {
  apiKey: string;
  /** Base URL: https://api.deepgram.com, or http://127.0.0.1:port for a local server. */
  url: string;
  model: string;
  logger: Logger;
  /** Per connection attempt, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** KeepAlive after this long without sending anything, ms. Default 3000 (Deepgram: 3–5 s). */
  keepAliveMs?: number;
  /** A dropped socket must be replaced within this long, ms. Default 2000. */
  reconnectBudgetMs?: number;
  /** Audio buffered while reconnecting, ms. Default 3000. */
  maxBufferMs?: number;
  /** finalize() yields its transcript by then even without an answer, ms. Default 1500. */
  finalizeTimeoutMs?: number;
}

const PROVIDER = 'deepgram';

/** https→wss and http→ws: the SDK's listen socket takes the `production` environment URL. */
function environmentFor(url: string): {
  base: string;
  production: string;
  agent: string;
  agentRest: string;
} {
  const base = url.replace(/\/$/, '');
  const ws = base.replace(/^http(s?):\/\//, 'ws$1://');
  return { base, production: ws, agent: ws, agentRest: base };
}

/** Everything one call's stream needs; `nextId` numbers its sockets (logs, diagnostics). */
function streamDeps(
  client: DeepgramClient,
  opts: DeepgramOptions,
  language: string,
  nextId: () => number,
): DeepgramStreamDeps {
  return {
    logger: opts.logger,
    connect: (e, timeoutMs, signal) =>
      openListenConnection(client, {
        query: listenQuery(opts.model, language, e),
        apiKey: opts.apiKey,
        timeoutMs,
        signal,
        id: nextId(),
      }),
    connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
    keepAliveMs: opts.keepAliveMs ?? 3000,
    reconnectBudgetMs: opts.reconnectBudgetMs ?? 2000,
    maxBufferMs: opts.maxBufferMs ?? 3000,
    finalizeTimeoutMs: opts.finalizeTimeoutMs ?? 1500,
  };
}

export function createDeepgramProvider(opts: DeepgramOptions): SttProvider {
  const client = new DeepgramClient({ apiKey: opts.apiKey, environment: environmentFor(opts.url) });
  let connections = 0;
  const nextId = (): number => ++connections;
  return {
    id: PROVIDER,
    capabilities: { interim: true, grammarOnly: false, speechEvents: true },
    async openStream(sopts: SttStreamOptions, signal: AbortSignal) {
      if (signal.aborted) {
        throw new ProviderError(PROVIDER, false, 'aborted before start', {
          code: 'PROVIDER_ABORTED',
        });
      }
      const expectation: ListenExpectation = {
        hints: [...sopts.hints],
        endpointing: sopts.endpointing ?? 'normal',
      };
      const d = streamDeps(client, opts, sopts.language, nextId);
      const first = await d.connect(expectation, d.connectTimeoutMs, signal);
      const stream = new DeepgramStream(first, expectation, d);
      const onAbort = (): void => void stream.close();
      signal.addEventListener('abort', onAbort, { once: true });
      stream.onClose(() => signal.removeEventListener('abort', onAbort));
      return stream;
    },
  };
}
