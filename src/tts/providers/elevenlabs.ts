import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { AppError, ProviderError } from '../../errors.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { Framer } from '../../media/framing.js';
import type { TtsProvider, TtsRequest } from '../types.js';
import { settledFetch, toProviderError } from './elevenlabs-errors.js';
import { Prefetched } from './elevenlabs-prefetch.js';
import { languageCodeFor, resolveVoiceId, segmentText, type Segment } from './elevenlabs-text.js';

/**
 * ElevenLabs streaming TTS over HTTP (`POST /v1/text-to-speech/{voice_id}/stream`,
 * `output_format=ulaw_8000`): the vendor's µ-law 8 kHz bytes go to the caller untouched, only
 * re-chunked into exact 160-byte frames (the last partial frame padded with µ-law silence 0xFF).
 *
 * Long text: the first sentence is its own request, so first audio does not wait for the rest;
 * the next request starts once the current one delivers its first bytes (at most two requests in
 * flight per synthesis) and is buffered until its turn. Requests carry `previous_text` /
 * `next_text` so prosody continues across them.
 *
 * Abort: every request of the synthesis is cancelled at once (the connection is closed) and the
 * iteration ends without further frames or errors. The SDK's own retries are off: retry and
 * failover are decorators' business.
 */
export interface ElevenLabsOptions {
  apiKey: string;
  /** API base, e.g. https://api.elevenlabs.io or a local server speaking the protocol. */
  baseUrl: string;
  /** Used unless the request's voice is itself an ElevenLabs voice id (see resolveVoiceId). */
  voiceId: string;
  modelId: string;
  logger: Logger;
  /** Response headers must arrive within this; default 10000 ms. */
  connectTimeoutMs?: number;
  /** A response that delivers no bytes for this long fails (retryable); default 10000 ms. */
  idleTimeoutMs?: number;
}

const PROVIDER = 'elevenlabs';
const OUTPUT_FORMAT = 'ulaw_8000';

export function createElevenLabsProvider(opts: ElevenLabsOptions): TtsProvider {
  const client = new ElevenLabsClient({
    apiKey: opts.apiKey,
    baseUrl: opts.baseUrl,
    maxRetries: 0,
    fetch: settledFetch,
  });
  return {
    id: PROVIDER,
    capabilities: { streaming: true, nativeUlaw8k: true },
    synthesize: (req, signal) => synthesize(client, opts, req, signal),
  };
}

/** The registry's factory: CONFIG_INVALID when the key or voice is missing. */
export function elevenLabsFromConfig(c: Config, logger: Logger): TtsProvider {
  const { apiKey, voiceId, url, modelId } = c.elevenlabs;
  if (!apiKey || !voiceId) {
    throw new AppError(
      'CONFIG_INVALID',
      'ElevenLabs needs ELEVENLABS_API_KEY and ELEVENLABS_VOICE_ID',
    );
  }
  return createElevenLabsProvider({ apiKey, voiceId, baseUrl: url, modelId, logger });
}

interface RequestPlan {
  voiceId: string;
  languageCode: string | undefined;
}

async function* synthesize(
  client: ElevenLabsClient,
  opts: ElevenLabsOptions,
  req: TtsRequest,
  signal: AbortSignal,
): AsyncGenerator<Buffer> {
  const segments = segmentText(req.text);
  if (segments.length === 0 || signal.aborted) return;
  const plan: RequestPlan = {
    voiceId: resolveVoiceId(req.voice, opts.voiceId),
    languageCode: languageCodeFor(opts.modelId, req.language),
  };
  const ctrl = new AbortController();
  const onAbort = (): void => ctrl.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const start = (i: number) =>
    new Prefetched(requestAudio(client, opts, plan, segments[i]!, ctrl.signal), ctrl.signal);
  const framer = new Framer();
  const startedMs = performance.now();
  let frames = 0;
  try {
    for await (const bytes of pipelined(start, segments.length, ctrl.signal)) {
      for (const frame of framer.push(bytes)) {
        if (signal.aborted) return;
        if (frames++ === 0) logFirstFrame(opts.logger, startedMs);
        yield frame;
      }
    }
    const tail = framer.flush();
    if (tail && !signal.aborted) yield tail;
  } catch (err) {
    if (signal.aborted) return;
    throw toProviderError(err);
  } finally {
    signal.removeEventListener('abort', onAbort);
    ctrl.abort(); // cancels requests still in flight (early exit, error)
  }
}

/**
 * The byte chunks of every segment, in speaking order. Request i+1 starts as soon as request i
 * delivers its first bytes (or ends), so at most two are in flight.
 */
async function* pipelined(
  start: (i: number) => Prefetched<Buffer>,
  count: number,
  signal: AbortSignal,
): AsyncGenerator<Buffer> {
  let current: Prefetched<Buffer> | undefined = start(0);
  for (let i = 0; current && !signal.aborted; i++) {
    let next: Prefetched<Buffer> | undefined;
    for await (const bytes of current.read()) {
      if (!next && i + 1 < count) next = start(i + 1);
      yield bytes;
    }
    current = next ?? (i + 1 < count && !signal.aborted ? start(i + 1) : undefined);
  }
}

function logFirstFrame(logger: Logger, startedMs: number): void {
  logger.debug({ firstFrameMs: Math.round(performance.now() - startedMs) }, 'tts.first_frame');
}

/**
 * One streaming request: yields the response body's byte chunks as they arrive. Throws
 * ProviderError on an HTTP error, a non-audio (JSON/text) body, an empty body, a stalled body
 * (idleTimeoutMs) or a broken connection.
 */
async function* requestAudio(
  client: ElevenLabsClient,
  opts: ElevenLabsOptions,
  plan: RequestPlan,
  seg: Segment,
  signal: AbortSignal,
): AsyncGenerator<Buffer> {
  const idle = new IdleWatch(signal, opts.idleTimeoutMs ?? 10_000);
  try {
    const { data, rawResponse } = await client.textToSpeech
      .stream(
        plan.voiceId,
        {
          text: seg.text,
          modelId: opts.modelId,
          outputFormat: OUTPUT_FORMAT,
          ...(plan.languageCode ? { languageCode: plan.languageCode } : {}),
          ...(seg.previousText ? { previousText: seg.previousText } : {}),
          ...(seg.nextText ? { nextText: seg.nextText } : {}),
        },
        {
          abortSignal: idle.signal,
          maxRetries: 0,
          timeoutInSeconds: (opts.connectTimeoutMs ?? 10_000) / 1000,
        },
      )
      .withRawResponse();
    const type = rawResponse.headers.get('content-type') ?? '';
    if (/json|^text\//i.test(type)) {
      await data.cancel().catch(() => undefined);
      throw new ProviderError(PROVIDER, true, `unexpected ${type} body with HTTP 200`);
    }
    let bytes = 0;
    for await (const chunk of readChunks(data, idle)) {
      bytes += chunk.length;
      yield chunk;
    }
    if (bytes === 0) throw new ProviderError(PROVIDER, true, 'empty audio response');
  } catch (err) {
    throw idle.fired ? idle.error() : err;
  } finally {
    idle.stop();
  }
}

async function* readChunks(
  body: ReadableStream<Uint8Array>,
  idle: IdleWatch,
): AsyncGenerator<Buffer> {
  const reader = body.getReader();
  try {
    for (;;) {
      idle.arm();
      const { done, value } = await reader.read();
      if (done) return;
      if (value.byteLength > 0) yield Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** Aborts its own signal (linked to the parent) when no progress is reported for `ms`. */
class IdleWatch {
  private readonly ctrl = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  fired = false;

  constructor(
    private readonly parent: AbortSignal,
    private readonly ms: number,
  ) {
    parent.addEventListener('abort', this.onParent, { once: true });
  }

  get signal(): AbortSignal {
    return this.ctrl.signal;
  }

  private readonly onParent = (): void => this.ctrl.abort(this.parent.reason);

  arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.ctrl.abort();
    }, this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.parent.removeEventListener('abort', this.onParent);
  }

  error(): ProviderError {
    return new ProviderError(PROVIDER, true, `no audio for ${this.ms} ms`, {
      code: 'PROVIDER_UNAVAILABLE',
    });
  }
}
