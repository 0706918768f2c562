import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createEspeakProvider } from './providers/espeak.js';
import { elevenLabsFromConfig } from './providers/elevenlabs.js';
import type { TtsProvider } from './types.js';
import { withTtsFailover } from './failover.js';
import { ProviderHealth } from '../providers/health.js';
import type { Metrics } from '../metrics/metrics.js';

type TtsFactory = (config: Config, logger: Logger) => TtsProvider;

/** Speech synthesizers by TTS_PROVIDER id. */
export const ttsProviders: Record<Config['tts']['provider'], TtsFactory> = {
  espeak: (c, logger) => createEspeakProvider({ bin: c.espeak.bin, logger }),
  elevenlabs: (c, logger) => elevenLabsFromConfig(c, logger),
};

/** Per-server collaborators of the failover decorator; omitted = a private circuit breaker. */
export interface TtsProviderDeps {
  health?: ProviderHealth;
  metrics?: Metrics;
  /**
   * Decorates the configured synthesizer alone, inside the failover (e.g. the audio cache, so
   * fallback audio is never stored under the primary's key).
   */
  wrapPrimary?: (primary: TtsProvider) => TtsProvider;
}

/**
 * The configured synthesizer. A cloud one (elevenlabs) is wrapped with failover to espeak,
 * which then speaks in its own voice for the request's language; espeak alone is returned as built.
 */
export function createTtsProvider(
  config: Config,
  logger: Logger,
  deps: TtsProviderDeps = {},
): TtsProvider {
  const id = config.tts.provider;
  const built = ttsProviders[id](config, logger.child({ provider: id }));
  const primary = deps.wrapPrimary ? deps.wrapPrimary(built) : built;
  if (id === 'espeak') return primary;
  const fallback = ttsProviders.espeak(config, logger.child({ provider: 'espeak' }));
  return withTtsFailover(primary, fallback, {
    health: deps.health ?? new ProviderHealth({ cooldownMs: config.providerCooldownMs }),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    logger: logger.child({ provider: id, fallback: 'espeak' }),
    fallbackRequest: (req) => ({ ...req, voice: '' }),
  });
}
