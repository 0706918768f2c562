import { AppError, isAbortError, ProviderError } from '../errors.js';

/**
 * Per-provider circuit breaker, one instance per server (not a module singleton).
 *
 * - `up`: calls go through. `failureThreshold` consecutive failures, or one failure that will not
 *   heal by retrying (a non-retryable ProviderError such as bad credentials or a missing binary),
 *   turn it `down` for `cooldownMs`.
 * - `down`: `tryAcquire` refuses, so no call or turn waits on a provider known to be broken.
 * - after the cooldown (`half-open`): `tryAcquire` admits exactly one probe call; its `success`
 *   turns the provider `up`, its `failure` turns it `down` for another cooldown. A probe that
 *   never reports (caller aborted) is forgotten after one more cooldown.
 *
 * Aborted calls (PROVIDER_ABORTED, AbortError) say nothing about the provider: they release a
 * probe slot and change no state. Per-request errors (BAD_REQUEST) count like retryable ones.
 */
export type ProviderState = 'up' | 'down' | 'half-open';

export interface ProviderHealthSnapshot {
  provider: string;
  state: ProviderState;
  consecutiveFailures: number;
  /** Wall clock (ms) at which a down provider may be probed; absent when up. */
  downUntilMs?: number;
  /** Code of the last failure, if any. */
  lastErrorCode?: string;
}

export interface ProviderHealthOptions {
  cooldownMs: number;
  /** Consecutive failures that turn a provider down. Default 3. */
  failureThreshold?: number;
  /** Clock in ms (tests inject one). Default Date.now. */
  now?: () => number;
}

interface Entry {
  failures: number;
  downUntilMs?: number;
  probeStartedMs?: number;
  lastErrorCode?: string;
}

export class ProviderHealth {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners: ((provider: string, up: boolean) => void)[] = [];
  private readonly now: () => number;
  private readonly threshold: number;

  constructor(private readonly opts: ProviderHealthOptions) {
    this.now = opts.now ?? Date.now;
    this.threshold = Math.max(1, opts.failureThreshold ?? 3);
  }

  /** Makes a provider known (shown as up in snapshots before its first call). */
  track(provider: string): void {
    this.entry(provider);
  }

  /** Called synchronously whenever a provider turns up (`true`) or down (`false`). */
  onChange(listener: (provider: string, up: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** Current state; no side effects. */
  state(provider: string): ProviderState {
    const e = this.entries.get(provider);
    if (e?.downUntilMs === undefined) return 'up';
    return this.now() >= e.downUntilMs ? 'half-open' : 'down';
  }

  /**
   * May a call go to `provider` now? Always while up; never while down; once (the probe) when
   * half-open. A caller that got `true` must report `success` or `failure` (abort included).
   */
  tryAcquire(provider: string): boolean {
    const e = this.entry(provider);
    if (e.downUntilMs === undefined) return true;
    const now = this.now();
    if (now < e.downUntilMs) return false;
    const probing = e.probeStartedMs !== undefined && now - e.probeStartedMs < this.opts.cooldownMs;
    if (probing) return false;
    e.probeStartedMs = now;
    return true;
  }

  success(provider: string): void {
    const e = this.entry(provider);
    const wasDown = e.downUntilMs !== undefined;
    e.failures = 0;
    delete e.downUntilMs;
    delete e.probeStartedMs;
    if (wasDown) this.emit(provider, true);
  }

  failure(provider: string, err: unknown): void {
    const e = this.entry(provider);
    const probe = e.probeStartedMs !== undefined;
    delete e.probeStartedMs;
    if (isAbortError(err) || (err as { name?: unknown } | null)?.name === 'AbortError') return;
    e.failures++;
    e.lastErrorCode = err instanceof AppError ? err.code : 'UNKNOWN';
    const fatal = err instanceof ProviderError && !err.retryable && err.code !== 'BAD_REQUEST';
    if (!probe && !fatal && e.failures < this.threshold && e.downUntilMs === undefined) return;
    const wasUp = e.downUntilMs === undefined;
    e.downUntilMs = this.now() + this.opts.cooldownMs;
    if (wasUp) this.emit(provider, false);
  }

  snapshot(): ProviderHealthSnapshot[] {
    return [...this.entries].map(([provider, e]) => ({
      provider,
      state: this.state(provider),
      consecutiveFailures: e.failures,
      ...(e.downUntilMs !== undefined ? { downUntilMs: e.downUntilMs } : {}),
      ...(e.lastErrorCode !== undefined ? { lastErrorCode: e.lastErrorCode } : {}),
    }));
  }

  private entry(provider: string): Entry {
    let e = this.entries.get(provider);
    if (!e) this.entries.set(provider, (e = { failures: 0 }));
    return e;
  }

  private emit(provider: string, up: boolean): void {
    for (const l of this.listeners) l(provider, up);
  }
}
