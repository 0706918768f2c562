import type { Config } from '../config.js';

/**
 * The part of the audio cache key that comes from configuration rather than the request: the
 * settings that change the sound of the same (provider, voice, language, text). ElevenLabs speaks
 * in ELEVENLABS_VOICE_ID with ELEVENLABS_MODEL_ID whatever TTS_VOICE says, so both belong here;
 * espeak-ng's voice is the request's own.
 */
export function audioCacheVariant(config: Config): string {
  if (config.tts.provider === 'elevenlabs') {
    return `elevenlabs/${config.elevenlabs.voiceId ?? ''}/${config.elevenlabs.modelId}`;
  }
  return config.tts.provider;
}
