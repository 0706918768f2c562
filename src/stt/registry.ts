import { AppError } from '../errors.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createKeypadOnlyProvider } from './providers/keypad-only.js';
import { createPocketsphinxProvider } from './providers/pocketsphinx.js';
import type { SttProvider } from './types.js';

type SttFactory = (config: Config, logger: Logger) => SttProvider;

/** Speech recognizers by STT_PROVIDER id. */
export const sttProviders: Record<Config['stt']['provider'], SttFactory> = {
  pocketsphinx: (c, logger) =>
    createPocketsphinxProvider({
      bin: c.pocketsphinx.bin,
      modelDir: c.pocketsphinx.modelDir,
      dict: c.pocketsphinx.dict,
      logger,
    }),
  none: () => createKeypadOnlyProvider(),
  deepgram: () => {
    throw new AppError('CONFIG_INVALID', 'STT_PROVIDER=deepgram is not available in this build');
  },
};

export function createSttProvider(config: Config, logger: Logger): SttProvider {
  return sttProviders[config.stt.provider](config, logger.child({ provider: config.stt.provider }));
}
