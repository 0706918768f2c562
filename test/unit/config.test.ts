import { loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';

describe('loadConfig', () => {
  it('boots on an empty environment with offline defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.stt.provider).toBe('pocketsphinx');
    expect(c.tts.provider).toBe('espeak');
    expect(c.twilio.authToken).toBeUndefined();
  });

  it('reports every bad variable in one CONFIG_INVALID error', () => {
    let err: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        PUBLIC_BASE_URL: 'not a url',
        STT_PROVIDER: 'whisper',
        LOG_PII: 'maybe',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe('CONFIG_INVALID');
    const keys = (e.details?.problems as string[]).map((p) => p.split(':')[0]);
    expect(keys.sort()).toEqual(['LOG_PII', 'PORT', 'PUBLIC_BASE_URL', 'STT_PROVIDER']);
  });

  it('treats empty strings as unset and strips a trailing slash from the public URL', () => {
    const c = loadConfig({ TWILIO_AUTH_TOKEN: '', PUBLIC_BASE_URL: 'https://ivr.example.com/' });
    expect(c.twilio.authToken).toBeUndefined();
    expect(c.publicBaseUrl).toBe('https://ivr.example.com');
  });
});
