import { ElevenLabsError, ElevenLabsTimeoutError } from '@elevenlabs/elevenlabs-js';
import { ProviderError } from '../../errors.js';

/** How ElevenLabs failures become ProviderErrors (no I/O of its own). */

const PROVIDER = 'elevenlabs';
/** Synthetic status for a request that got no HTTP response at all (see settledFetch). */
const TRANSPORT_FAILURE = 599;

/**
 * The SDK clears its request-timeout timer only when fetch resolves, so a rejected fetch (abort
 * on barge-in, connection refused) would leave a timer pending for the whole timeout. This fetch
 * always resolves: a transport failure becomes a synthetic HTTP 599 in the vendor's error shape
 * (`detail.status` = timeout | aborted | network_error), which toProviderError maps to a
 * retryable PROVIDER_UNAVAILABLE; a caller's abort is recognised by the caller's own signal.
 */
export const settledFetch: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, init);
  } catch (err) {
    const signal = init?.signal;
    const status =
      signal?.reason === 'timeout' ? 'timeout' : signal?.aborted ? 'aborted' : 'network_error';
    const message = err instanceof Error ? err.message.slice(0, 200) : 'fetch failed';
    return new Response(JSON.stringify({ detail: { status, message } }), {
      status: TRANSPORT_FAILURE,
      headers: { 'content-type': 'application/json' },
    });
  }
};

/**
 * 401/403 → TTS_AUTH (not retryable); 408/429/5xx, timeouts and network failures → retryable
 * PROVIDER_UNAVAILABLE; other 4xx → BAD_REQUEST (not retryable). Messages never carry the key.
 */
export function toProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof ElevenLabsTimeoutError) {
    return new ProviderError(PROVIDER, true, 'no response in time', {
      cause: err,
      code: 'PROVIDER_UNAVAILABLE',
    });
  }
  const status = err instanceof ElevenLabsError ? err.statusCode : undefined;
  if (status === undefined) {
    const why = err instanceof Error ? err.message.slice(0, 200) : 'unknown error';
    return new ProviderError(PROVIDER, true, `request failed: ${why}`, {
      cause: err,
      code: 'PROVIDER_UNAVAILABLE',
    });
  }
  const detail = detailStatus((err as ElevenLabsError).body);
  const message = `HTTP ${status}${detail ? ` (${detail})` : ''}`;
  if (status === 401 || status === 403) {
    return new ProviderError(PROVIDER, false, message, { cause: err, code: 'TTS_AUTH' });
  }
  if (status === 408 || status === 429 || status >= 500) {
    return new ProviderError(PROVIDER, true, message, { cause: err, code: 'PROVIDER_UNAVAILABLE' });
  }
  return new ProviderError(PROVIDER, false, message, { cause: err, code: 'BAD_REQUEST' });
}

/** `{"detail":{"status":"invalid_api_key",…}}` → "invalid_api_key" (a short vendor code only). */
function detailStatus(body: unknown): string | undefined {
  const detail = (body as { detail?: { status?: unknown } } | undefined)?.detail;
  const s = detail?.status;
  return typeof s === 'string' && /^[a-z0-9_]{1,64}$/.test(s) ? s : undefined;
}
