import { errorSummary, isAbortError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ProviderHealth } from '../providers/health.js';
import { abortedError, isRetryable, sleep } from '../providers/retry.js';
import type { TtsProvider, TtsRequest } from './types.js';

export interface TtsFailoverDeps {
  health: ProviderHealth;
  metrics?: Metrics;
  logger: Logger;
  /** Delay before the one retry of a retryable failure (ms). Default 150. */
  retryDelayMs?: number;
  /** The request as the fallback gets it (e.g. its own voice). Default: unchanged. */
  fallbackRequest?: (req: TtsRequest) => TtsRequest;
}

/**
 * Decorator: a synthesizer that falls back to another one, per request.
 *
 * - primary down (see ProviderHealth): the fallback synthesizes the request.
 * - primary fails before its first frame: one retry when the error is retryable (and the
 *   primary is still up), then the fallback synthesizes the same request, so the caller hears
 *   the fallback voice rather than silence.
 * - primary fails after frames were yielded: the error is rethrown (the caller already heard
 *   part of the sentence; the session apologises).
 * Aborting `signal` ends the iteration without further frames and without error, as the
 * providers do; an abort is not counted as a provider failure. Id and capabilities are the
 * primary's.
 */
export function withTtsFailover(
  primary: TtsProvider,
  fallback: TtsProvider,
  deps: TtsFailoverDeps,
): TtsProvider {
  deps.health.track(primary.id);
  deps.health.track(fallback.id);
  return {
    id: primary.id,
    capabilities: primary.capabilities,
    synthesize: (req, signal) => synthesize(primary, fallback, deps, req, signal),
  };
}

async function* synthesize(
  primary: TtsProvider,
  fallback: TtsProvider,
  deps: TtsFailoverDeps,
  req: TtsRequest,
  signal: AbortSignal,
): AsyncGenerator<Buffer> {
  if (deps.health.tryAcquire(primary.id)) {
    for (let attempt = 0; attempt < 2; attempt++) {
      let frames = 0;
      try {
        for await (const frame of primary.synthesize(req, signal)) {
          if (frames++ === 0) deps.health.success(primary.id);
          yield frame;
        }
        // An aborted request says nothing about the provider but frees a probe slot.
        if (frames === 0) {
          if (signal.aborted) deps.health.failure(primary.id, abortedError(primary.id));
          else deps.health.success(primary.id);
        }
        return;
      } catch (err) {
        if (signal.aborted || isAbortError(err)) {
          deps.health.failure(primary.id, err); // releases a probe slot; no state change
          return;
        }
        deps.health.failure(primary.id, err);
        deps.metrics?.providerError(primary.id, (err as { code?: string }).code ?? 'UNKNOWN');
        if (frames > 0) throw err;
        deps.logger.warn({ err: errorSummary(err), attempt }, 'tts primary failed before audio');
        const again = attempt === 0 && isRetryable(err) && deps.health.state(primary.id) === 'up';
        if (!again) break;
        try {
          await sleep(deps.retryDelayMs ?? 150, signal, primary.id);
        } catch {
          return; // aborted while waiting
        }
      }
    }
  }
  if (signal.aborted) return;
  deps.metrics?.fallback('tts', primary.id, fallback.id);
  yield* fallback.synthesize(deps.fallbackRequest?.(req) ?? req, signal);
}
