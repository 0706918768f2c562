import { AppError } from '../errors.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createDeepgramProvider } from './providers/deepgram.js';
import { createKeypadOnlyProvider } from './providers/keypad-only.js';
import { createPocketsphinxProvider, ORDER_DECODER_ARGS } from './providers/pocketsphinx.js';
import type { SttProvider } from './types.js';
import { withSttFailover } from './failover.js';
import { ProviderHealth } from '../providers/health.js';
import type { Metrics } from '../metrics/metrics.js';

type SttFactory = (config: Config, logger: Logger) => SttProvider;

/** Speech recognizers by STT_PROVIDER id. */
export const sttProviders: Record<Config['stt']['provider'], SttFactory> = {
  pocketsphinx: (c, logger) =>
    createPocketsphinxProvider({
      bin: c.pocketsphinx.bin,
      modelDir: c.pocketsphinx.modelDir,
      dict: c.pocketsphinx.dict,
      ...(c.pocketsphinx.beams === 'narrow' ? { decoderArgs: ORDER_DECODER_ARGS } : {}),
      logger,
    }),
  none: () => createKeypadOnlyProvider(),
  deepgram: (c, logger) => {
    const apiKey = c.deepgram.apiKey;
    if (!apiKey)
      throw new AppError('CONFIG_INVALID', 'STT_PROVIDER=deepgram needs DEEPGRAM_API_KEY');
    return createDeepgramProvider({ apiKey, url: c.deepgram.url, model: c.deepgram.model, logger });
  },
};

/** Per-server collaborators of the failover decorator; omitted = a private circuit breaker. */
export interface SttProviderDeps {
  health?: ProviderHealth;
  metrics?: Metrics;
}

/**
 * The configured recognizer. A cloud one (deepgram) is wrapped with failover to
 * STT_FALLBACK (pocketsphinx, or none = keypad only); offline ones are returned as built.
 */
export function createSttProvider(
  config: Config,
  logger: Logger,
  deps: SttProviderDeps = {},
): SttProvider {
  const id = config.stt.provider;
  const primary = sttProviders[id](config, logger.child({ provider: id }));
  if (id !== 'deepgram') return primary;
  const fallbackId = config.stt.fallback;
  const fallback = sttProviders[fallbackId](config, logger.child({ provider: fallbackId }));
  return withSttFailover(primary, fallback, {
    health: deps.health ?? new ProviderHealth({ cooldownMs: config.providerCooldownMs }),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    logger: logger.child({ provider: id, fallback: fallbackId }),
  });
}
