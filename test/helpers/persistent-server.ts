import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { CallRegistry } from '../../src/call/call-registry.js';
import { createCallHandler } from '../../src/call/call-handler.js';
import { loadFlows } from '../../src/dialog/runner.js';
import { RuntimeStats } from '../../src/http/stats.js';
import { Pacer } from '../../src/media/pacer.js';
import { openPersistence, type Persistence } from '../../src/persistence.js';
import { loadPromptCatalogs } from '../../src/prompts/index.js';
import { connectMongoose } from '../../src/store/database.js';
import { createSttProvider } from '../../src/stt/registry.js';
import { attachMediaServer } from '../../src/telephony/twilio/media-server.js';
import { createTtsProvider } from '../../src/tts/registry.js';
import type { TestDatabase } from './database.js';

export interface PersistentServer {
  url: string;
  config: Config;
  connection: Connection;
  persistence: Persistence;
  close(): Promise<void>;
}

/**
 * The service as server.ts composes it once persistence is wired (see src/persistence.ts): the
 * real app, media server, call handler, flows and prompts, with the call recorder as the store,
 * tenant admission at the voice webhook and caller continuity — on port 0 of 127.0.0.1, against
 * `db`. Keypad-only STT (no recognizer process) and espeak TTS.
 */
export async function startPersistentServer(
  db: TestDatabase,
  env: Record<string, string> = {},
): Promise<PersistentServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    STT_PROVIDER: 'none',
    SHUTDOWN_DRAIN_MS: '2000',
    ...env,
  });
  const logger = silentLogger();
  const dataDir = await mkdtemp(join(tmpdir(), 'voice-ivr-persist-'));
  const connection = await connectMongoose(db.uri, { dbName: db.dbName, logger, direct: true });
  const persistence = await openPersistence(connection, {
    logger,
    dataDir,
    seed: { flowsDir: config.dialog.flowsDir, promptsDir: config.dialog.promptsDir },
    recorder: { flushIntervalMs: 50 },
  });
  const catalogs = await loadPromptCatalogs(config.dialog.promptsDir);
  const flows = await loadFlows(config.dialog.flowsDir, catalogs);
  const registry = new CallRegistry();
  const stats = new RuntimeStats();
  const pacer = new Pacer(config.media.paceLeadMs);
  const onLeg = createCallHandler({
    flows,
    defaultFlow: config.dialog.defaultFlow,
    prompts: catalogs.get(config.locale)!,
    stt: createSttProvider(config, logger),
    tts: createTtsProvider(config, logger),
    store: persistence.recorder,
    registry,
    metrics: { replyOverheadMs: () => {}, bargeInMs: () => {} },
    apologyAudio: () => [],
    voice: { voice: config.tts.voice, language: config.locale },
    vars: { businessName: config.dialog.businessName },
    contexts: persistence.contexts,
    onCallEnded: persistence.onCallEnded,
    logger,
  });
  const server = http.createServer();
  const media = attachMediaServer(server, { config, logger, pacer, onLeg });
  const app = buildApp({
    config,
    logger,
    store: persistence.recorder,
    registry,
    stats,
    mediaStats: () => media.getMediaStats(),
    onStatus: (e) =>
      persistence.recorder.addStatus(e.callSid, {
        status: e.status,
        atMs: Date.now(),
        ...(e.sequenceNumber !== undefined ? { sequence: e.sequenceNumber } : {}),
        ...(e.callDurationSec !== undefined ? { durationSec: e.callDurationSec } : {}),
      }),
    admit: (c) => persistence.admit(c),
    recorderStats: () => persistence.recorder.stats(),
  });
  server.on('request', app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    connection,
    persistence,
    close: async () => {
      server.close();
      await registry.drain(config.shutdownDrainMs);
      media.close();
      pacer.close();
      stats.close();
      server.closeAllConnections();
      await persistence.close();
      await connection.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
