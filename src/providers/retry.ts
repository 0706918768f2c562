import { ProviderError } from '../errors.js';

/**
 * Retry with exponential backoff for retryable ProviderErrors, bounded in attempts and in total
 * time so a caller on the phone is never kept waiting long.
 */
export interface RetryPolicy {
  /** Total tries including the first. Default 3. */
  attempts?: number;
  /** Delay before the first retry, doubled each time (ms). Default 150. */
  baseDelayMs?: number;
  /** Cap on one delay (ms). Default 600. */
  maxDelayMs?: number;
  /**
   * Total time budget from the first try (ms). Default 1500. No retry starts when its delay
   * would end past the budget, and the `signal` given to a try aborts when the budget is spent
   * (the try then fails with a retryable PROVIDER_UNAVAILABLE). 0 = unbounded.
   */
  budgetMs?: number;
}

export interface RetryHooks {
  /** Provider id for the errors this helper throws itself (abort, deadline). */
  provider: string;
  /** Called after each failed try, before deciding whether to retry. */
  onFailure?(err: unknown, attempt: number): void;
  /** Checked before each retry: `false` stops retrying (e.g. the provider just went down). */
  mayRetry?(): boolean;
}

export const DEFAULT_RETRY: Required<RetryPolicy> = {
  attempts: 3,
  baseDelayMs: 150,
  maxDelayMs: 600,
  budgetMs: 1500,
};

/**
 * Runs `fn` until it resolves, a non-retryable error, the attempts or the budget run out; throws
 * the last error. `fn` gets the 0-based attempt and a signal that aborts when `signal` aborts or
 * the budget is spent; after success the budget no longer applies (the signal then follows only
 * `signal`, so a stream opened with it lives on). Aborting `signal` ends waiting at once with
 * ProviderError PROVIDER_ABORTED.
 */
export async function withRetry<T>(
  fn: (attempt: number, signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  hooks: RetryHooks,
): Promise<T> {
  const p = { ...DEFAULT_RETRY, ...policy };
  const startedMs = Date.now();
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signal, hooks.provider);
    const remainingMs = p.budgetMs > 0 ? p.budgetMs - (Date.now() - startedMs) : Infinity;
    try {
      return await tryOnce(fn, attempt, signal, remainingMs, hooks.provider);
    } catch (err) {
      hooks.onFailure?.(err, attempt);
      throwIfAborted(signal, hooks.provider);
      const delayMs = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt);
      const elapsedMs = Date.now() - startedMs;
      const retry =
        isRetryable(err) &&
        attempt + 1 < p.attempts &&
        (p.budgetMs === 0 || elapsedMs + delayMs < p.budgetMs) &&
        (hooks.mayRetry?.() ?? true);
      if (!retry) throw err;
      await sleep(delayMs, signal, hooks.provider);
    }
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof ProviderError && err.retryable;
}

/** Resolves after `ms`; rejects with PROVIDER_ABORTED as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal, provider: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortedError(provider));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(provider));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortedError(provider: string): ProviderError {
  return new ProviderError(provider, false, 'aborted', { code: 'PROVIDER_ABORTED' });
}

function throwIfAborted(signal: AbortSignal, provider: string): void {
  if (signal.aborted) throw abortedError(provider);
}

/** One try under a signal that also aborts at the deadline; the deadline is lifted on success. */
async function tryOnce<T>(
  fn: (attempt: number, signal: AbortSignal) => Promise<T>,
  attempt: number,
  signal: AbortSignal,
  remainingMs: number,
  provider: string,
): Promise<T> {
  if (remainingMs === Infinity) return fn(attempt, signal);
  const ctrl = new AbortController();
  const follow = (): void => ctrl.abort(signal.reason);
  signal.addEventListener('abort', follow, { once: true });
  let expired = false;
  const timer = setTimeout(
    () => {
      expired = true;
      ctrl.abort();
    },
    Math.max(0, remainingMs),
  );
  try {
    return await fn(attempt, ctrl.signal);
  } catch (err) {
    signal.removeEventListener('abort', follow);
    if (expired && !signal.aborted) {
      throw new ProviderError(provider, true, 'no answer within the retry budget', {
        cause: err,
        code: 'PROVIDER_UNAVAILABLE',
      });
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
