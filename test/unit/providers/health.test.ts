import { describe, expect, it } from '@jest/globals';
import { ProviderError } from '../../../src/errors.js';
import { ProviderHealth } from '../../../src/providers/health.js';

const retryable = () => new ProviderError('cloud', true, 'timeout', { code: 'PROVIDER_FAILED' });
const auth = () => new ProviderError('cloud', false, 'bad key', { code: 'PROVIDER_UNAVAILABLE' });
const aborted = () => new ProviderError('cloud', false, 'aborted', { code: 'PROVIDER_ABORTED' });

function breaker(threshold = 3) {
  const clock = { ms: 1_000_000 };
  const health = new ProviderHealth({
    cooldownMs: 30_000,
    failureThreshold: threshold,
    now: () => clock.ms,
  });
  const changes: [string, boolean][] = [];
  health.onChange((p, up) => changes.push([p, up]));
  return { health, clock, changes };
}

describe('ProviderHealth', () => {
  it('goes down after N consecutive retryable failures, not before', () => {
    const { health, changes } = breaker(3);
    health.failure('cloud', retryable());
    health.failure('cloud', retryable());
    expect(health.state('cloud')).toBe('up');
    expect(health.tryAcquire('cloud')).toBe(true);
    health.failure('cloud', retryable());
    expect(health.state('cloud')).toBe('down');
    expect(health.tryAcquire('cloud')).toBe(false);
    expect(changes).toEqual([['cloud', false]]);
  });

  it('a success in between resets the count', () => {
    const { health } = breaker(2);
    health.failure('cloud', retryable());
    health.success('cloud');
    health.failure('cloud', retryable());
    expect(health.state('cloud')).toBe('up');
  });

  it('one non-retryable failure (auth) turns it down at once', () => {
    const { health } = breaker(3);
    health.failure('cloud', auth());
    expect(health.state('cloud')).toBe('down');
    expect(health.snapshot()).toEqual([
      expect.objectContaining({
        provider: 'cloud',
        state: 'down',
        lastErrorCode: 'PROVIDER_UNAVAILABLE',
      }),
    ]);
  });

  it('aborts and per-request errors do not turn it down', () => {
    const { health } = breaker(1);
    health.failure('cloud', aborted());
    health.failure('cloud', new DOMException('aborted', 'AbortError'));
    expect(health.state('cloud')).toBe('up');
    const { health: h2 } = breaker(2);
    h2.failure('cloud', new ProviderError('cloud', false, 'bad voice', { code: 'BAD_REQUEST' }));
    expect(h2.state('cloud')).toBe('up');
  });

  it('after the cooldown admits exactly one probe; its success turns it up', () => {
    const { health, clock, changes } = breaker(1);
    health.failure('cloud', retryable());
    clock.ms += 29_999;
    expect(health.tryAcquire('cloud')).toBe(false);
    clock.ms += 1;
    expect(health.state('cloud')).toBe('half-open');
    expect(health.tryAcquire('cloud')).toBe(true);
    expect(health.tryAcquire('cloud')).toBe(false); // probe in flight: others wait
    health.success('cloud');
    expect(health.state('cloud')).toBe('up');
    expect(health.tryAcquire('cloud')).toBe(true);
    expect(changes).toEqual([
      ['cloud', false],
      ['cloud', true],
    ]);
  });

  it('a failed probe turns it down for another full cooldown', () => {
    const { health, clock } = breaker(3);
    health.failure('cloud', auth());
    clock.ms += 30_000;
    expect(health.tryAcquire('cloud')).toBe(true);
    health.failure('cloud', retryable()); // one retryable failure is enough for a probe
    expect(health.state('cloud')).toBe('down');
    clock.ms += 29_000;
    expect(health.tryAcquire('cloud')).toBe(false);
    clock.ms += 1_000;
    expect(health.tryAcquire('cloud')).toBe(true);
  });

  it('an aborted probe frees the slot for the next caller', () => {
    const { health, clock } = breaker(1);
    health.failure('cloud', retryable());
    clock.ms += 30_000;
    expect(health.tryAcquire('cloud')).toBe(true);
    health.failure('cloud', aborted());
    expect(health.state('cloud')).toBe('half-open');
    expect(health.tryAcquire('cloud')).toBe(true);
  });

  it('a probe that never reports is forgotten after another cooldown', () => {
    const { health, clock } = breaker(1);
    health.failure('cloud', retryable());
    clock.ms += 30_000;
    expect(health.tryAcquire('cloud')).toBe(true);
    clock.ms += 30_000;
    expect(health.tryAcquire('cloud')).toBe(true);
  });

  it('tracks providers independently and lists tracked ones as up', () => {
    const { health } = breaker(1);
    health.track('espeak');
    health.failure('cloud', retryable());
    const states = Object.fromEntries(health.snapshot().map((s) => [s.provider, s.state]));
    expect(states).toEqual({ espeak: 'up', cloud: 'down' });
  });
});
