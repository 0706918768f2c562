import { mkdir } from 'node:fs/promises';
import { errorSummary } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * A real mongod run by mongodb-memory-server-core, used only when it can be had quickly: a binary
 * already on disk (its caches, or MONGOMS_SYSTEM_BINARY), or a download host that answers a HEAD
 * request within `probeTimeoutMs`. Offline this gives up within that timeout (DNS failure or
 * refused connection usually fail sooner). mongodb-memory-server reads its own MONGOMS_*
 * environment variables (version, download dir, mirror, system binary).
 */

export interface MongodServer {
  /** `mongodb://127.0.0.1:PORT/` (no database name). */
  uri: string;
  /** Stops mongod and keeps `dbPath` (its data survives). */
  stop(): Promise<void>;
}

export type MongodBinary = { kind: 'local'; path: string } | { kind: 'download'; url: string };

const importMms = () => import('mongodb-memory-server-core');
type Mms = Awaited<ReturnType<typeof importMms>>;

async function loadMms(logger: Logger): Promise<Mms | undefined> {
  try {
    return await importMms();
  } catch (err) {
    logger.debug({ err: errorSummary(err) }, 'db.mongod.package.missing');
    return undefined;
  }
}

/**
 * Where a mongod binary would come from, or undefined when none can be had quickly.
 * Never throws; never downloads.
 */
export async function findMongodBinary(
  logger: Logger,
  probeTimeoutMs = 3000,
): Promise<MongodBinary | undefined> {
  const mms = await loadMms(logger);
  if (!mms) return undefined;
  try {
    const opts = await mms.DryMongoBinary.generateOptions();
    const path = await mms.DryMongoBinary.locateBinary(opts);
    if (path) return { kind: 'local', path };
    const { MongoBinaryDownloadUrl } =
      await import('mongodb-memory-server-core/lib/util/MongoBinaryDownloadUrl.js');
    const url = await new MongoBinaryDownloadUrl(opts).getDownloadUrl();
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(probeTimeoutMs) });
    if (res.ok) return { kind: 'download', url };
    logger.debug({ status: res.status }, 'db.mongod.download.unavailable');
  } catch (err) {
    logger.debug({ err: errorSummary(err) }, 'db.mongod.unavailable');
  }
  return undefined;
}

/**
 * Starts mongod on 127.0.0.1 (a free port) with its files in `dbPath` (created if missing),
 * downloading the binary first when `binary.kind` is 'download' (can take minutes, once).
 * Rejects when mongod does not start.
 */
export async function startMongod(opts: {
  dbPath: string;
  binary: MongodBinary;
  logger: Logger;
}): Promise<MongodServer> {
  const mms = await loadMms(opts.logger);
  if (!mms) throw new Error('mongodb-memory-server-core is not installed');
  await mkdir(opts.dbPath, { recursive: true });
  if (opts.binary.kind === 'download') {
    opts.logger.info({ url: opts.binary.url }, 'db.mongod.downloading');
  }
  const server = await mms.MongoMemoryServer.create({
    instance: { dbPath: opts.dbPath, ip: '127.0.0.1', storageEngine: 'wiredTiger' },
  });
  const uri = server.getUri();
  opts.logger.info({ uri }, 'db.mongod.started');
  return {
    uri,
    stop: async () => {
      await server.stop({ doCleanup: false });
    },
  };
}
