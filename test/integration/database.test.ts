import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Schema, type Connection } from 'mongoose';
import { loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { startFerretDb } from '../../src/store/embedded-server.js';
import { findMongodBinary } from '../../src/store/mongod-memory.js';
import {
  connectMongoose,
  isDatabaseUnavailableError,
  openDatabase,
} from '../../src/store/database.js';
import { startTestDatabase, type TestDatabase } from '../helpers/database.js';

const logger = silentLogger();
const ferretBin = loadConfig(process.env).db.ferretBin;
/** Short timeouts so an outage surfaces within a second or two. */
const fastDriver = { serverSelectionTimeoutMS: 1500, heartbeatFrequencyMS: 500 };

const widgetSchema = new Schema({
  sku: { type: String, required: true, unique: true },
  qty: { type: Number, default: 0 },
});

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'voice-ivr-dbtest-'));
  tempDirs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(what: string, fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: still failing`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Resolves true when something accepts TCP connections on the port. */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s.destroy() && true));
    s.once('error', () => resolve(false));
  });
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  await new Promise((r) => srv.close(r));
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

describe('a FerretDB test database (one process per file)', () => {
  let db: TestDatabase;
  let conn: Connection;

  beforeAll(async () => {
    db = await startTestDatabase();
    conn = await connectMongoose(db.uri, {
      dbName: db.dbName,
      logger,
      direct: true,
      driver: fastDriver,
    });
  });
  afterAll(async () => {
    await conn?.close();
    await db?.stop();
  });

  it('does CRUD and rejects a duplicate on a unique index', async () => {
    const Widget = conn.model('Widget', widgetSchema);
    await Widget.init();
    await Widget.create({ sku: 'a-1', qty: 2 });
    expect(await Widget.findOne({ sku: 'a-1' }).lean()).toMatchObject({ sku: 'a-1', qty: 2 });
    await Widget.updateOne({ sku: 'a-1' }, { $inc: { qty: 3 } });
    expect((await Widget.findOne({ sku: 'a-1' }).lean())?.qty).toBe(5);
    const dup = await Widget.create({ sku: 'a-1' }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 11000 });
    expect(isDatabaseUnavailableError(dup)).toBe(false);
    await Widget.deleteOne({ sku: 'a-1' });
    expect(await Widget.countDocuments()).toBe(0);
  });

  it('fails writes fast while the server is down; the same connection recovers after a restart', async () => {
    const Note = conn.model('Note', new Schema({ key: { type: String, unique: true } }));
    await Note.init();
    await Note.create({ key: 'before' });

    await db.kill();
    const during = await Note.create({ key: 'during' }).catch((e: unknown) => e);
    expect(isDatabaseUnavailableError(during)).toBe(true);
    const again = await Note.create({ key: 'during' }).catch((e: unknown) => e);
    expect(isDatabaseUnavailableError(again)).toBe(true);

    await db.restart();
    // The caller's retry: an idempotent write (unique key) retried until the server is back.
    await waitFor('write after restart', () =>
      Note.updateOne({ key: 'during' }, { $setOnInsert: { key: 'during' } }, { upsert: true }),
    );
    expect(conn.readyState).toBe(1);
    const keys = (await Note.find().sort({ key: 1 }).lean()).map((n) => n.key);
    expect(keys).toEqual(['before', 'during']);
  });
});

describe('startFerretDb', () => {
  it('keeps data across stop and start with the same data dir, and leaves no process behind', async () => {
    const dataDir = join(await tempDir(), 'nested', 'db');
    const first = await startFerretDb({ binPath: ferretBin, dataDir, logger });
    expect(first.uri).toBe(`mongodb://127.0.0.1:${first.port}/`);
    const c1 = await connectMongoose(first.uri, { dbName: 'keep', logger, direct: true });
    await c1.collection('things').insertOne({ _id: 'x' as never, n: 1 });
    await c1.close();
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);
    expect(await portOpen(first.port)).toBe(false);
    expect(await readdir(dataDir)).toContain('keep.sqlite');

    const second = await startFerretDb({ binPath: ferretBin, dataDir, logger });
    try {
      const c2 = await connectMongoose(second.uri, { dbName: 'keep', logger, direct: true });
      expect(await c2.collection('things').findOne({ _id: 'x' as never })).toMatchObject({ n: 1 });
      await c2.close();
    } finally {
      await second.stop();
      await second.stop(); // idempotent
    }
    expect(isAlive(second.pid)).toBe(false);
  });

  it('rejects with DB_SERVER_FAILED when the runner binary is missing', async () => {
    await expect(
      startFerretDb({ binPath: '/nonexistent/ferretdb-runner', dataDir: await tempDir(), logger }),
    ).rejects.toMatchObject({ code: 'DB_SERVER_FAILED' });
  });

  it('rejects with DB_SERVER_FAILED when the port is taken', async () => {
    const held = await startFerretDb({ binPath: ferretBin, memory: true, logger });
    try {
      await expect(
        startFerretDb({ binPath: ferretBin, memory: true, port: held.port, logger }),
      ).rejects.toMatchObject({ code: 'DB_SERVER_FAILED' });
    } finally {
      await held.stop();
    }
  });

  it('the runner dies with the Node process that started it, even on SIGKILL', async () => {
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/ferretdb-child.ts', ferretBin, await tempDir()],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((r) => parent.once('exit', r));
    const runnerPid = await new Promise<number>((resolve, reject) => {
      parent.once('exit', () => reject(new Error('child exited before printing the runner pid')));
      createInterface({ input: parent.stdout! }).on('line', (line) => {
        const m = /^PID (\d+)$/.exec(line);
        if (m?.[1]) resolve(Number(m[1]));
      });
    });
    expect(isAlive(runnerPid)).toBe(true);
    parent.kill('SIGKILL');
    await exited;
    await waitFor('runner exit', async () => {
      if (isAlive(runnerPid)) throw new Error('runner still alive');
    });
  });
});

describe('openDatabase', () => {
  let db: TestDatabase;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    db = await startTestDatabase();
    // mongodb-memory-server must find no mongod: empty caches, a download mirror that refuses.
    const home = await tempDir();
    process.env.HOME = home;
    process.env.MONGOMS_DOWNLOAD_DIR = join(home, 'mongodb-binaries');
    process.env.MONGOMS_DOWNLOAD_MIRROR = `http://127.0.0.1:${await closedPort()}`;
    delete process.env.MONGOMS_SYSTEM_BINARY;
  });
  afterAll(async () => {
    process.env = savedEnv;
    await db?.stop();
  });

  it('uses MONGODB_URI when it is set, and nothing else', async () => {
    const config = loadConfig({
      MONGODB_URI: `${db.uri}${db.dbName}`,
      FERRETDB_BIN: '/nonexistent/ferretdb-runner',
      DATA_DIR: await tempDir(),
    });
    const opened = await openDatabase(config, logger);
    try {
      expect(opened.source).toBe('MONGODB_URI');
      expect(opened.connection.name).toBe(db.dbName);
      await opened.connection.collection('pings').insertOne({ at: new Date() });
    } finally {
      await opened.close();
    }
  });

  it('fails with DB_UNAVAILABLE when MONGODB_URI cannot be reached (no fallback)', async () => {
    const config = loadConfig({
      MONGODB_URI: `mongodb://127.0.0.1:${await closedPort()}/x`,
      FERRETDB_BIN: ferretBin,
    });
    await expect(
      openDatabase(config, logger, { driver: { serverSelectionTimeoutMS: 1000 } }),
    ).rejects.toMatchObject({
      code: 'DB_UNAVAILABLE',
    });
  });

  it('finds no mongod quickly when offline', async () => {
    expect(await findMongodBinary(logger, 3000)).toBeUndefined();
  });

  it('without MONGODB_URI and no mongod, runs FerretDB with its files in DATA_DIR/db, kept across restarts', async () => {
    const dataDir = await tempDir();
    const config = loadConfig({ DATA_DIR: dataDir, FERRETDB_BIN: ferretBin });
    const first = await openDatabase(config, logger);
    const port = Number(new URL(first.uri).port);
    try {
      expect(first.source).toBe('ferretdb');
      expect(first.connection.name).toBe('voice-ivr');
      await first.connection.collection('calls').insertOne({ sid: 'CA1' });
    } finally {
      await first.close();
    }
    expect(existsSync(join(dataDir, 'db', 'voice-ivr.sqlite'))).toBe(true);
    expect(await portOpen(port)).toBe(false);

    const second = await openDatabase(config, logger);
    try {
      expect(await second.connection.collection('calls').findOne({ sid: 'CA1' })).not.toBeNull();
    } finally {
      await second.close();
    }
  });

  it('fails with DB_UNAVAILABLE and says how to get a database when nothing is available', async () => {
    const config = loadConfig({
      DATA_DIR: await tempDir(),
      FERRETDB_BIN: '/nonexistent/ferretdb-runner',
    });
    const err = await openDatabase(config, logger).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('DB_UNAVAILABLE');
    expect((err as AppError).details).toMatchObject({ ferretBin: '/nonexistent/ferretdb-runner' });
  });
});
