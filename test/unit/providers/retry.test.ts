import { describe, expect, it } from '@jest/globals';
import { ProviderError } from '../../../src/errors.js';
import { withRetry } from '../../../src/providers/retry.js';

const retryable = () => new ProviderError('cloud', true, 'blip');
const fatal = () => new ProviderError('cloud', false, 'bad key', { code: 'PROVIDER_UNAVAILABLE' });
const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20, budgetMs: 5_000 };
const hooks = { provider: 'cloud' };
const never = () => new AbortController().signal;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return (err as ProviderError).code;
  }
}

describe('withRetry', () => {
  it('retries retryable errors and returns the first success', async () => {
    const tries: number[] = [];
    const failures: number[] = [];
    const v = await withRetry(
      async (n) => {
        tries.push(n);
        if (n < 2) throw retryable();
        return 'ok';
      },
      fast,
      never(),
      { ...hooks, onFailure: (_e, n) => failures.push(n) },
    );
    expect(v).toBe('ok');
    expect(tries).toEqual([0, 1, 2]);
    expect(failures).toEqual([0, 1]);
  });

  it('does not retry a non-retryable error', async () => {
    let tries = 0;
    const p = withRetry(
      async () => {
        tries++;
        throw fatal();
      },
      fast,
      never(),
      hooks,
    );
    expect(await codeOf(p)).toBe('PROVIDER_UNAVAILABLE');
    expect(tries).toBe(1);
  });

  it('stops after the attempts and throws the last error', async () => {
    let tries = 0;
    const p = withRetry(
      async () => {
        tries++;
        throw retryable();
      },
      fast,
      never(),
      hooks,
    );
    expect(await codeOf(p)).toBe('PROVIDER_FAILED');
    expect(tries).toBe(3);
  });

  it('stops retrying when mayRetry says no (the provider went down)', async () => {
    let tries = 0;
    const p = withRetry(
      async () => {
        tries++;
        throw retryable();
      },
      fast,
      never(),
      { ...hooks, mayRetry: () => false },
    );
    expect(await codeOf(p)).toBe('PROVIDER_FAILED');
    expect(tries).toBe(1);
  });

  it('aborting during the backoff rejects at once with PROVIDER_ABORTED', async () => {
    const ctrl = new AbortController();
    let tries = 0;
    const p = withRetry(
      async () => {
        tries++;
        setTimeout(() => ctrl.abort(), 10);
        throw retryable();
      },
      { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, budgetMs: 0 },
      ctrl.signal,
      hooks,
    );
    const started = Date.now();
    expect(await codeOf(p)).toBe('PROVIDER_ABORTED');
    expect(tries).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('an already aborted signal makes no try', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    let tries = 0;
    const p = withRetry(async () => void tries++, fast, ctrl.signal, hooks);
    expect(await codeOf(p)).toBe('PROVIDER_ABORTED');
    expect(tries).toBe(0);
  });

  it('a try that outlives the budget is aborted and fails retryable PROVIDER_UNAVAILABLE', async () => {
    let seen: AbortSignal | undefined;
    const p = withRetry(
      (_n, signal) =>
        new Promise((_resolve, reject) => {
          seen = signal;
          signal.addEventListener('abort', () => reject(new Error('aborted by budget')));
        }),
      { attempts: 3, baseDelayMs: 10, maxDelayMs: 10, budgetMs: 50 },
      never(),
      hooks,
    );
    expect(await codeOf(p)).toBe('PROVIDER_UNAVAILABLE');
    expect(seen?.aborted).toBe(true);
  });

  it('the signal of a successful try no longer has a deadline but follows the caller', async () => {
    const ctrl = new AbortController();
    let seen: AbortSignal | undefined;
    await withRetry(
      async (_n, signal) => {
        seen = signal;
      },
      { budgetMs: 20 },
      ctrl.signal,
      hooks,
    );
    await new Promise((r) => setTimeout(r, 60));
    expect(seen?.aborted).toBe(false);
    ctrl.abort();
    expect(seen?.aborted).toBe(true);
  });
});
