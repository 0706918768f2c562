import { resolve } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Config } from '../config.js';
import { AppError, errorSummary } from '../errors.js';
import type { Logger } from '../logger.js';
import { startFerretDb } from './embedded-server.js';
import { findMongodBinary, startMongod, type MongodServer } from './mongod-memory.js';

/**
 * Opens the one database of the service, in this order of preference:
 *   1. `MONGODB_URI` when set (production). Never falls back to anything else when it is set.
 *   2. a real mongod run by mongodb-memory-server-core, only when a binary is already on disk or
 *      its download host answers within a few seconds; files in `<DATA_DIR>/mongod`;
 *   3. the FerretDB runner (`config.db.ferretBin`, built by `npm run setup`); files in `<DATA_DIR>/db`;
 *   4. otherwise AppError DB_UNAVAILABLE saying how to get a database.
 * Both embedded servers keep their data across restarts. There is no in-process fake.
 *
 * Code to the subset FerretDB v1 supports (docs/adr/0004-embedded-mongodb-wire-server.md): no
 * transactions, TTL indexes, $lookup or findOneAndUpdate projection; rely on unique indexes and
 * idempotent writes.
 */

export type DatabaseSource = 'MONGODB_URI' | 'mongodb-memory-server' | 'ferretdb';

export interface Database {
  /** A dedicated connection (never the mongoose singleton); register models on it. */
  connection: Connection;
  /** The server URI connected to (may carry credentials: do not log it). */
  uri: string;
  source: DatabaseSource;
  /** Closes the connection, then stops the embedded server if one was started. Idempotent. */
  close(): Promise<void>;
}

/** Driver settings for a server that may restart under us. */
export interface DriverOptions {
  /** How long an operation waits for a reachable server before failing. */
  serverSelectionTimeoutMS: number;
  /** How often the driver checks the server; bounds how soon it notices a restart. */
  heartbeatFrequencyMS: number;
  connectTimeoutMS: number;
  /** A reply slower than this fails the operation (a frozen server does not hang callers forever). */
  socketTimeoutMS: number;
  maxPoolSize: number;
}

export const DEFAULT_DRIVER_OPTIONS: Readonly<DriverOptions> = {
  serverSelectionTimeoutMS: 5000,
  heartbeatFrequencyMS: 2000,
  connectTimeoutMS: 5000,
  socketTimeoutMS: 30_000,
  maxPoolSize: 10,
};

export interface OpenDatabaseOptions {
  /** Database name used when the URI names none. Default `voice-ivr`. */
  dbName?: string;
  /** Consider mongodb-memory-server (step 2). Default true. */
  tryMongod?: boolean;
  /** Bound for the mongod download-host probe. Default 3000 ms. */
  mongodProbeTimeoutMs?: number;
  driver?: Partial<DriverOptions>;
}

export async function openDatabase(
  config: Config,
  logger: Logger,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  const dbName = options.dbName ?? 'voice-ivr';
  const connect = (uri: string, direct: boolean): Promise<Connection> =>
    connectMongoose(uri, { dbName, logger, direct, driver: options.driver });

  if (config.db.uri) {
    const uri = config.db.uri;
    const connection = await connect(uri, false).catch((err: unknown) => {
      throw new AppError(
        'DB_UNAVAILABLE',
        `cannot connect to MONGODB_URI: ${errorSummary(err).message}`,
        {},
        { cause: err },
      );
    });
    return withServer(connection, uri, 'MONGODB_URI', async () => undefined);
  }

  const dataDir = resolve(config.db.dataDir);
  if (options.tryMongod !== false) {
    const db = await tryMongod(
      resolve(dataDir, 'mongod'),
      logger,
      connect,
      options.mongodProbeTimeoutMs,
    );
    if (db) return db;
  }
  const server = await startFerretDb({
    binPath: config.db.ferretBin,
    dataDir: resolve(dataDir, 'db'),
    logger,
  }).catch((err: unknown) => {
    if (err instanceof AppError && err.details?.binPath) throw noDatabaseError(config, err);
    throw err;
  });
  const connection = await connect(server.uri, true).catch(async (err: unknown) => {
    await server.stop();
    throw err;
  });
  return withServer(connection, server.uri, 'ferretdb', server.stop);
}

/** Step 2; undefined (logged) when mongod cannot be had or does not start, so step 3 runs. */
async function tryMongod(
  dbPath: string,
  logger: Logger,
  connect: (uri: string, direct: boolean) => Promise<Connection>,
  probeTimeoutMs: number | undefined,
): Promise<Database | undefined> {
  const binary = await findMongodBinary(logger, probeTimeoutMs);
  if (!binary) return undefined;
  let server: MongodServer | undefined;
  try {
    server = await startMongod({ dbPath, binary, logger });
    const connection = await connect(server.uri, true);
    return withServer(connection, server.uri, 'mongodb-memory-server', server.stop);
  } catch (err) {
    logger.warn({ err: errorSummary(err) }, 'db.mongod.failed');
    await server?.stop().catch(() => undefined);
    return undefined;
  }
}

function noDatabaseError(config: Config, cause: unknown): AppError {
  return new AppError(
    'DB_UNAVAILABLE',
    'no database: MONGODB_URI is not set, mongodb-memory-server has no mongod binary and cannot download one, ' +
      `and the FerretDB runner is missing at ${config.db.ferretBin}. ` +
      'Set MONGODB_URI to a MongoDB server, or install Go >=1.22 and run `npm run setup`.',
    { ferretBin: config.db.ferretBin },
    { cause },
  );
}

function withServer(
  connection: Connection,
  uri: string,
  source: DatabaseSource,
  stopServer: () => Promise<void>,
): Database {
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    try {
      await connection.close();
    } finally {
      await stopServer();
    }
  };
  return { connection, uri, source, close: () => (closing ??= close()) };
}

/**
 * Opens a dedicated mongoose connection and resolves once the first connection succeeded.
 * `bufferCommands: false`: while the server is unreachable, operations fail (after at most
 * `serverSelectionTimeoutMS`) instead of queueing, so callers' retry logic decides. The same
 * Connection object recovers by itself once the server is back (within ~`heartbeatFrequencyMS`).
 * `direct`: a single server addressed directly (the embedded ones), no replica-set discovery.
 */
export async function connectMongoose(
  uri: string,
  opts: {
    dbName: string;
    logger: Logger;
    direct?: boolean;
    driver?: Partial<DriverOptions> | undefined;
  },
): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    ...DEFAULT_DRIVER_OPTIONS,
    ...opts.driver,
    ...(opts.direct ? { directConnection: true } : {}),
    ...(hasDbName(uri) ? {} : { dbName: opts.dbName }),
    bufferCommands: false,
    autoIndex: true,
    autoCreate: true,
  });
  const log = opts.logger;
  connection.on('disconnected', () => log.warn('db.disconnected'));
  connection.on('reconnected', () => log.info('db.reconnected'));
  connection.on('error', (err: unknown) => log.error({ err: errorSummary(err) }, 'db.error'));
  try {
    await connection.asPromise();
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
  log.info({ db: connection.name }, 'db.connected');
  return connection;
}

/** True when the connection string names a database (`mongodb://h/db?…`). */
function hasDbName(uri: string): boolean {
  return /^mongodb(?:\+srv)?:\/\/[^/]+\/[^?]+/.test(uri);
}

const UNAVAILABLE_ERRORS = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'PoolClearedError',
  'PoolClearedOnNetworkError',
]);

/** Node socket errors the driver sometimes passes through unwrapped (e.g. a write racing a FIN). */
const SOCKET_ERROR_CODES = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTCONN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * True when an operation failed because the server could not be reached (restart, outage): the
 * write did not happen or its outcome is unknown, and retrying an idempotent write is safe.
 * False for errors a retry cannot fix (validation, duplicate key, bad query).
 */
export function isDatabaseUnavailableError(err: unknown): boolean {
  // Duck-typed, not `instanceof Error`: Node's own socket errors may come from another realm.
  if (typeof err !== 'object' || err === null) return false;
  const { name, code, errorLabels, cause } = err as {
    name?: unknown;
    code?: unknown;
    errorLabels?: unknown;
    cause?: unknown;
  };
  if (typeof name === 'string' && UNAVAILABLE_ERRORS.has(name)) return true;
  if (typeof code === 'string' && SOCKET_ERROR_CODES.has(code)) return true;
  if (Array.isArray(errorLabels) && errorLabels.includes('ResetPool')) return true;
  return cause !== undefined && cause !== err && isDatabaseUnavailableError(cause);
}
