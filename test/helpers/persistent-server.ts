import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { loadConfig, type Config } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import type { Persistence } from '../../src/persistence.js';
import { startServer } from '../../src/server.js';
import type { TestDatabase } from './database.js';

export interface PersistentServer {
  url: string;
  config: Config;
  connection: Connection;
  persistence: Persistence;
  close(): Promise<void>;
}

/**
 * The service exactly as `src/server.ts` composes it (the composition root), on port 0 of
 * 127.0.0.1, against the test database `db` (seeded with the demo tenant when empty), with
 * keypad-only STT and its own temp DATA_DIR. `close()` stops the service but not the database.
 */
export async function startPersistentServer(
  db: TestDatabase,
  env: Record<string, string> = {},
): Promise<PersistentServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'voice-ivr-persist-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    STT_PROVIDER: 'none',
    SHUTDOWN_DRAIN_MS: '2000',
    MONGODB_URI: db.uri,
    SEED_ON_EMPTY: 'true',
    DATA_DIR: dataDir,
    ...env,
  });
  const srv = await startServer(config, silentLogger());
  return {
    url: srv.url,
    config,
    connection: srv.db.connection,
    persistence: srv.persistence,
    async close() {
      await srv.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
