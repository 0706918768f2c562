import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { startFerretDb, type FerretDbServer } from '../../src/store/embedded-server.js';

/**
 * A real MongoDB-wire server for one test file: its own FerretDB runner process (built by
 * `npm run setup`, path from FERRETDB_BIN or the default) on 127.0.0.1, with its SQLite files in a
 * fresh temp directory. One process per file keeps files independent and lets a test crash and
 * restart "the database" without touching other files. Start-up takes well under a second.
 *
 * Never skipped: when the runner is missing or does not start, startTestDatabase rejects with a
 * message saying how to build it, and the file's tests fail.
 *
 * Usage:
 *   let db: TestDatabase;
 *   beforeAll(async () => { db = await startTestDatabase(); });
 *   afterAll(async () => { await db.stop(); });
 *   // connect with connectMongoose(db.uri, { dbName: db.dbName, logger, direct: true })
 */
export interface TestDatabase {
  /** `mongodb://127.0.0.1:PORT/`: stays the same across kill()/restart(). */
  uri: string;
  /** A database name unique to this file; pass it as `dbName`. */
  dbName: string;
  /** Ends the server for good and deletes its files (afterAll). Idempotent. */
  stop(): Promise<void>;
  /** SIGKILLs the server (a crash) and resolves once it is gone; files are kept. */
  kill(): Promise<void>;
  /** Stops the server if it runs, then starts it again on the same port with the same files. */
  restart(): Promise<void>;
}

const RESTART_ATTEMPTS = 20;
const RESTART_BACKOFF_MS = 100;

export async function startTestDatabase(): Promise<TestDatabase> {
  const binPath = loadConfig(process.env).db.ferretBin;
  const dataDir = await mkdtemp(join(tmpdir(), 'voice-ivr-testdb-'));
  const logger = silentLogger();
  const start = (port?: number): Promise<FerretDbServer> =>
    startFerretDb({ binPath, dataDir, logger, ...(port ? { port } : {}), stopGraceMs: 3000 });

  let server: FerretDbServer | undefined;
  try {
    server = await start();
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(
      `test database did not start (runner ${binPath}). Build it with \`npm run setup\` ` +
        `(needs Go >=1.22). Cause: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const port = server.port;
  let stopped: Promise<void> | undefined;

  const halt = async (): Promise<void> => {
    const s = server;
    server = undefined;
    await s?.stop();
  };
  const restartOnSamePort = async (): Promise<void> => {
    await halt();
    // The old listener is closed once the process has exited; a retry covers a slow kernel.
    for (let attempt = 1; ; attempt++) {
      try {
        server = await start(port);
        return;
      } catch (err) {
        if (attempt >= RESTART_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, RESTART_BACKOFF_MS));
      }
    }
  };

  return {
    uri: server.uri,
    dbName: `test_${randomBytes(4).toString('hex')}`,
    stop: () =>
      (stopped ??= (async () => {
        await halt();
        await rm(dataDir, { recursive: true, force: true });
      })()),
    kill: async () => {
      const s = server;
      server = undefined;
      if (!s) return;
      s.kill();
      await s.exited;
    },
    restart: restartOnSamePort,
  };
}
