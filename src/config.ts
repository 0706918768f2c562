import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';

/** The only reader of process.env. Everything else receives a typed `Config`. */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const ms = (def: number) => z.coerce.number().int().min(0).default(def);

const EnvObject = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** Public https base URL Twilio reaches us at (e.g. https://abc.ngrok.app). */
  PUBLIC_BASE_URL: z.url().optional(),
  TUNNEL: bool.default(false),
  NGROK_AUTHTOKEN: z.string().min(1).optional(),
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC + 32 hex')
    .optional(),
  /** When set, every webhook and media upgrade must carry a valid X-Twilio-Signature. */
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  ADMIN_API_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PII: bool.default(false),
  LOG_PRETTY: bool.default(false),
  STT_PROVIDER: z.enum(['pocketsphinx', 'deepgram', 'none']).default('pocketsphinx'),
  /** Used when the primary recognizer is down (a cloud primary only). */
  STT_FALLBACK: z.enum(['pocketsphinx', 'none']).default('pocketsphinx'),
  TTS_PROVIDER: z.enum(['espeak', 'elevenlabs']).default('espeak'),
  DEEPGRAM_API_KEY: z.string().min(1).optional(),
  /** Base URL (https/wss or http/ws for a local server speaking the Deepgram protocol). */
  DEEPGRAM_URL: z.url().default('https://api.deepgram.com'),
  DEEPGRAM_MODEL: z.string().default('nova-3'),
  ELEVENLABS_API_KEY: z.string().min(1).optional(),
  ELEVENLABS_URL: z.url().default('https://api.elevenlabs.io'),
  ELEVENLABS_VOICE_ID: z.string().min(1).optional(),
  ELEVENLABS_MODEL_ID: z.string().default('eleven_flash_v2_5'),
  /** Enables the LLM understanding step (any OpenAI-compatible server). */
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  /** An LLM answer later than this falls back to the rules' result (a re-prompt). */
  OPENAI_TIMEOUT_MS: ms(2500),
  /** A provider that failed is not tried again for this long (then one probe call). */
  PROVIDER_COOLDOWN_MS: ms(30000),
  /** Prompt audio cache on disk; default <DATA_DIR>/tts-cache. */
  TTS_CACHE_DIR: z.string().optional(),
  TTS_VOICE: z.string().default('en-us'),
  LOCALE: z.string().default('en-US'),
  DEFAULT_FLOW: z.string().default('main-menu'),
  BUSINESS_NAME: z.string().default('our store'),
  FLOWS_DIR: z.string().default('flows'),
  PROMPTS_DIR: z.string().default('prompts'),
  POCKETSPHINX_BIN: z.string().default('.cache/bin/ps-frontend'),
  POCKETSPHINX_MODEL_DIR: z.string().default('/usr/share/pocketsphinx/model/en-us/en-us'),
  POCKETSPHINX_DICT: z.string().default('/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict'),
  /** Decoder beams: `narrow` keeps catalog-sized (ordering) grammars fast; `wide` = the front end's. */
  POCKETSPHINX_BEAMS: z.enum(['narrow', 'wide']).default('narrow'),
  ESPEAK_BIN: z.string().default('espeak-ng'),
  STREAM_START_TIMEOUT_MS: ms(5000),
  STREAM_IDLE_TIMEOUT_MS: ms(10000),
  PACE_LEAD_MS: ms(240),
  SHUTDOWN_DRAIN_MS: ms(10000),
  /** A real MongoDB (Atlas, replica set…). When unset, an embedded server is started (see store/database.ts). */
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  /** Directory for local state; the embedded database keeps its files in <DATA_DIR>/db. */
  DATA_DIR: z.string().default('data'),
  /**
   * Seed an EMPTY database (flows, prompts, the demo tenant) at boot. `auto`: only the embedded
   * database, never a MONGODB_URI (production data is seeded with `npm run seed` on purpose).
   */
  SEED_ON_EMPTY: z.enum(['auto', 'true', 'false']).default('auto'),
  /** The FerretDB runner built by scripts/build-db.sh; default $HOME/.cache/voice-ivr/ferretdb-runner. */
  FERRETDB_BIN: z.string().optional(),
});

/** Cloud providers need their key (and ElevenLabs a voice): reported with every other problem. */
const EnvSchema = EnvObject.superRefine((e, ctx) => {
  const need = (when: boolean, path: string, message: string) => {
    if (when) ctx.addIssue({ code: 'custom', path: [path], message });
  };
  need(
    e.STT_PROVIDER === 'deepgram' && !e.DEEPGRAM_API_KEY,
    'DEEPGRAM_API_KEY',
    'required when STT_PROVIDER=deepgram',
  );
  need(
    e.TTS_PROVIDER === 'elevenlabs' && !e.ELEVENLABS_API_KEY,
    'ELEVENLABS_API_KEY',
    'required when TTS_PROVIDER=elevenlabs',
  );
  need(
    e.TTS_PROVIDER === 'elevenlabs' && !e.ELEVENLABS_VOICE_ID,
    'ELEVENLABS_VOICE_ID',
    'required when TTS_PROVIDER=elevenlabs',
  );
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicBaseUrl?: string;
  tunnel: { enabled: boolean; authtoken?: string };
  twilio: { accountSid?: string; authToken?: string };
  adminApiToken?: string;
  log: { level: string; pii: boolean; pretty: boolean };
  stt: { provider: 'pocketsphinx' | 'deepgram' | 'none'; fallback: 'pocketsphinx' | 'none' };
  tts: { provider: 'espeak' | 'elevenlabs'; voice: string; cacheDir: string };
  deepgram: { apiKey?: string; url: string; model: string };
  elevenlabs: { apiKey?: string; url: string; voiceId?: string; modelId: string };
  /** Present only when OPENAI_API_KEY is set. */
  openai?: { apiKey: string; baseUrl: string; model: string; timeoutMs: number };
  providerCooldownMs: number;
  locale: string;
  dialog: { defaultFlow: string; businessName: string; flowsDir: string; promptsDir: string };
  pocketsphinx: { bin: string; modelDir: string; dict: string; beams: 'narrow' | 'wide' };
  espeak: { bin: string };
  media: { startTimeoutMs: number; idleTimeoutMs: number; paceLeadMs: number };
  shutdownDrainMs: number;
  db: { uri?: string; dataDir: string; ferretBin: string; seedOnEmpty: 'auto' | 'true' | 'false' };
}

/** Loads `.env` from the working directory into process.env when present (never overrides). */
export function loadDotEnv(path = '.env'): void {
  try {
    process.loadEnvFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Parse an environment; throws one CONFIG_INVALID error listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const r = EnvSchema.safeParse(cleaned);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new AppError('CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`, {
      problems,
    });
  }
  const e = r.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    ...(e.PUBLIC_BASE_URL ? { publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/$/, '') } : {}),
    tunnel: { enabled: e.TUNNEL, ...(e.NGROK_AUTHTOKEN ? { authtoken: e.NGROK_AUTHTOKEN } : {}) },
    twilio: {
      ...(e.TWILIO_ACCOUNT_SID ? { accountSid: e.TWILIO_ACCOUNT_SID } : {}),
      ...(e.TWILIO_AUTH_TOKEN ? { authToken: e.TWILIO_AUTH_TOKEN } : {}),
    },
    ...(e.ADMIN_API_TOKEN ? { adminApiToken: e.ADMIN_API_TOKEN } : {}),
    log: { level: e.LOG_LEVEL, pii: e.LOG_PII, pretty: e.LOG_PRETTY },
    stt: { provider: e.STT_PROVIDER, fallback: e.STT_FALLBACK },
    tts: {
      provider: e.TTS_PROVIDER,
      voice: e.TTS_VOICE,
      cacheDir: e.TTS_CACHE_DIR ?? join(e.DATA_DIR, 'tts-cache'),
    },
    deepgram: {
      ...(e.DEEPGRAM_API_KEY ? { apiKey: e.DEEPGRAM_API_KEY } : {}),
      url: e.DEEPGRAM_URL.replace(/\/$/, ''),
      model: e.DEEPGRAM_MODEL,
    },
    elevenlabs: {
      ...(e.ELEVENLABS_API_KEY ? { apiKey: e.ELEVENLABS_API_KEY } : {}),
      url: e.ELEVENLABS_URL.replace(/\/$/, ''),
      ...(e.ELEVENLABS_VOICE_ID ? { voiceId: e.ELEVENLABS_VOICE_ID } : {}),
      modelId: e.ELEVENLABS_MODEL_ID,
    },
    ...(e.OPENAI_API_KEY
      ? {
          openai: {
            apiKey: e.OPENAI_API_KEY,
            baseUrl: e.OPENAI_BASE_URL.replace(/\/$/, ''),
            model: e.OPENAI_MODEL,
            timeoutMs: e.OPENAI_TIMEOUT_MS,
          },
        }
      : {}),
    providerCooldownMs: e.PROVIDER_COOLDOWN_MS,
    locale: e.LOCALE,
    dialog: {
      defaultFlow: e.DEFAULT_FLOW,
      businessName: e.BUSINESS_NAME,
      flowsDir: e.FLOWS_DIR,
      promptsDir: e.PROMPTS_DIR,
    },
    pocketsphinx: {
      bin: e.POCKETSPHINX_BIN,
      modelDir: e.POCKETSPHINX_MODEL_DIR,
      dict: e.POCKETSPHINX_DICT,
      beams: e.POCKETSPHINX_BEAMS,
    },
    espeak: { bin: e.ESPEAK_BIN },
    media: {
      startTimeoutMs: e.STREAM_START_TIMEOUT_MS,
      idleTimeoutMs: e.STREAM_IDLE_TIMEOUT_MS,
      paceLeadMs: e.PACE_LEAD_MS,
    },
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    db: {
      ...(e.MONGODB_URI ? { uri: e.MONGODB_URI } : {}),
      dataDir: e.DATA_DIR,
      seedOnEmpty: e.SEED_ON_EMPTY,
      ferretBin:
        e.FERRETDB_BIN ?? join(env.HOME ?? homedir(), '.cache', 'voice-ivr', 'ferretdb-runner'),
    },
  };
}
