import { AppError } from '../errors.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createEspeakProvider } from './providers/espeak.js';
import type { TtsProvider } from './types.js';

type TtsFactory = (config: Config, logger: Logger) => TtsProvider;

/** Speech synthesizers by TTS_PROVIDER id. */
export const ttsProviders: Record<Config['tts']['provider'], TtsFactory> = {
  espeak: (c, logger) => createEspeakProvider({ bin: c.espeak.bin, logger }),
  elevenlabs: () => {
    throw new AppError('CONFIG_INVALID', 'TTS_PROVIDER=elevenlabs is not available in this build');
  },
};

export function createTtsProvider(config: Config, logger: Logger): TtsProvider {
  return ttsProviders[config.tts.provider](config, logger.child({ provider: config.tts.provider }));
}
