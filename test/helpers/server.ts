import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { startTestDatabase } from './database.js';

export type TestServer = RunningServer & { stopAll(): Promise<void> };

/**
 * The real service, in-process, on a free port of 127.0.0.1, with its own FerretDB server and
 * data directory (seeded with the demo tenant, which owns +15550002222). `env` overrides.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const database = await startTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ivr-data-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SHUTDOWN_DRAIN_MS: '2000',
    MONGODB_URI: database.uri,
    SEED_ON_EMPTY: 'true',
    DATA_DIR: dataDir,
    ...env,
  });
  let srv: RunningServer;
  try {
    srv = await startServer(config, silentLogger());
  } catch (err) {
    await database.stop(); // a failed boot must not leave the database running (jest would hang)
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return Object.assign(srv, {
    async stopAll() {
      await srv.close();
      await database.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}
