import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { AppError, errorSummary } from './errors.js';
import { buildApp } from './app.js';
import { Pacer } from './media/pacer.js';
import { attachMediaServer } from './telephony/twilio/media-server.js';
import { loadPromptCatalogs, renderPrompt, type PromptCatalog } from './prompts/index.js';
import { loadFlows } from './dialog/runner.js';
import { createSttProvider } from './stt/registry.js';
import { createTtsProvider } from './tts/registry.js';
import { withAudioCache, type AudioCache } from './tts/cache.js';
import { audioCacheVariant } from './tts/cache-key.js';
import type { TtsProvider } from './tts/types.js';
import { CallRegistry } from './call/call-registry.js';
import { createCallHandler } from './call/call-handler.js';
import { buildTaskCatalog } from './call/task-catalog.js';
import { createOrderingSettingsService } from './domain/ordering/settings.js';
import { ALL_TASK_SPECS } from './call/task-specs.js';
import { RuntimeStats } from './http/stats.js';
import { openPersistence, type Persistence } from './persistence.js';
import { openDatabase, type Database } from './store/database.js';
import { Metrics } from './metrics/metrics.js';
import { sessionMetrics } from './metrics/session-metrics.js';
import { ProviderHealth } from './providers/health.js';

export interface RunningServer {
  url: string;
  port: number;
  db: Database;
  persistence: Persistence;
  registry: CallRegistry;
  stats: RuntimeStats;
  /** This server's Prometheus registry (GET /metrics). */
  metrics: Metrics;
  /** Stop accepting, let live calls finish (up to SHUTDOWN_DRAIN_MS), then close everything. */
  close(): Promise<void>;
}

const APOLOGY_PROMPT = 'system.apology';
const AUDIO_CACHE_BYTES = 64 * 1024 * 1024;

/** The composition root: config → providers, flows, stores → HTTP + media server, listening. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const catalogs = await loadPromptCatalogs(config.dialog.promptsDir);
  const prompts = catalogs.get(config.locale);
  if (!prompts) throw new AppError('CONFIG_INVALID', `no prompts for LOCALE ${config.locale}`);
  const flows = await loadFlows(config.dialog.flowsDir, catalogs, { taskSpecs: ALL_TASK_SPECS });
  if (!flows.has(config.dialog.defaultFlow)) {
    throw new AppError(
      'FLOW_NOT_FOUND',
      `DEFAULT_FLOW ${config.dialog.defaultFlow} is not in ${config.dialog.flowsDir}`,
    );
  }
  const health = new ProviderHealth({ cooldownMs: config.providerCooldownMs });
  health.onChange((provider, up) => logger.warn({ provider, up }, 'provider health changed'));
  const metrics = new Metrics({ providerHealth: () => health.snapshot() });
  const stt = createSttProvider(config, logger, { health, metrics });
  // The cache wraps the configured synthesizer inside the failover: fallback audio is not kept.
  let cache: AudioCache | undefined;
  const tts = createTtsProvider(config, logger, {
    health,
    metrics,
    wrapPrimary: (primary) =>
      (cache = withAudioCache(primary, {
        maxBytes: AUDIO_CACHE_BYTES,
        dir: config.tts.cacheDir,
        variant: audioCacheVariant(config),
        logger,
      })),
  });
  const voice = { voice: config.tts.voice, language: config.locale };
  const vars = { businessName: config.dialog.businessName };
  const apology = await synthesizeApology(tts, prompts, voice, logger);
  if (cache) warmStaticPrompts(cache, prompts, vars, voice, logger);

  const db = await openDatabase(config, logger);
  const persistence = await openPersistence(db.connection, {
    logger,
    dataDir: config.db.dataDir,
    ...(shouldSeed(config, db)
      ? { seed: { flowsDir: config.dialog.flowsDir, promptsDir: config.dialog.promptsDir } }
      : {}),
  });
  logger.info({ source: db.source }, 'database ready');
  const store = persistence.recorder;
  const registry = new CallRegistry();
  const stats = new RuntimeStats();
  metrics.setLiveCalls(() => registry.size);
  const pacer = new Pacer(config.media.paceLeadMs);
  const onLeg = createCallHandler({
    flows,
    defaultFlow: config.dialog.defaultFlow,
    prompts,
    stt,
    tts,
    store,
    registry,
    metrics: sessionMetrics(stats, metrics),
    apologyAudio: () => apology,
    voice,
    vars,
    contexts: persistence.contexts,
    tasks: buildTaskCatalog({
      config,
      ordering: persistence.ordering,
      addressOf: async (tenantId, phone) =>
        (await persistence.customers.find(tenantId, phone))?.preferences.address,
      health,
      metrics,
      logger,
    }),
    onCallEnded: persistence.onCallEnded,
    logger,
  });
  const server = http.createServer();
  const media = attachMediaServer(server, { config, logger, pacer, onLeg });
  const app = buildApp({
    config,
    logger,
    store,
    registry,
    stats,
    mediaStats: () => media.getMediaStats(),
    orderingSettings: createOrderingSettingsService(persistence.models.Tenant),
    admit: persistence.admit,
    ordering: persistence.ordering,
    recorderStats: () => persistence.recorder.stats(),
    metrics,
    providerHealth: () => health.snapshot(),
    onStatus: (e) =>
      store.addStatus(e.callSid, {
        status: e.status,
        atMs: Date.now(),
        ...(e.sequenceNumber !== undefined ? { sequence: e.sequenceNumber } : {}),
        ...(e.callDurationSec !== undefined ? { durationSec: e.callDurationSec } : {}),
      }),
  });
  server.on('request', app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const close = async () => {
    server.close();
    const left = await registry.drain(config.shutdownDrainMs);
    if (left > 0) logger.warn({ left }, 'drain timed out; closing live calls');
    media.close();
    pacer.close();
    stats.close();
    server.closeAllConnections();
    await persistence.close();
    await db.close();
  };
  const url = `http://127.0.0.1:${port}`;
  return { url, port, db, persistence, registry, stats, metrics, close };
}

function shouldSeed(config: Config, db: Database): boolean {
  const mode = config.db.seedOnEmpty;
  return mode === 'true' || (mode === 'auto' && db.source !== 'MONGODB_URI');
}

/** The apology played when synthesis fails mid-call. Empty (logged) if TTS is down at boot. */
async function synthesizeApology(
  tts: TtsProvider,
  prompts: PromptCatalog,
  voice: { voice: string; language: string },
  logger: Logger,
): Promise<Buffer[]> {
  const frames: Buffer[] = [];
  try {
    const text = renderPrompt(prompts, APOLOGY_PROMPT, {});
    for await (const f of tts.synthesize({ text, ...voice }, new AbortController().signal))
      frames.push(f);
  } catch (err) {
    logger.error({ err: errorSummary(err) }, 'could not synthesize the apology prompt');
  }
  return frames;
}

/** Fills the audio cache with every prompt that needs no per-call variable, in the background. */
function warmStaticPrompts(
  tts: ReturnType<typeof withAudioCache>,
  prompts: PromptCatalog,
  vars: Record<string, string>,
  voice: { voice: string; language: string },
  logger: Logger,
): void {
  const texts: string[] = [];
  for (const key of prompts.texts.keys()) {
    try {
      texts.push(renderPrompt(prompts, key, vars));
    } catch {
      // needs a per-call variable: synthesized when used
    }
  }
  // One at a time (no burst of vendor requests at boot); a failed prompt is synthesized when used.
  void (async () => {
    let failed = 0;
    for (const text of texts) {
      await tts.warm({ text, ...voice }).catch((err: unknown) => {
        if (failed++ === 0) logger.warn({ err: errorSummary(err) }, 'prompt cache warm-up failed');
      });
    }
    const pruned = await tts.pruneDisk();
    logger.info(
      { prompts: texts.length, failed, pruned, bytes: tts.cachedBytes },
      'prompt audio cache warm',
    );
  })().catch((err: unknown) =>
    logger.warn({ err: errorSummary(err) }, 'prompt cache warm-up failed'),
  );
}
