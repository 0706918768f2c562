import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createInterface } from 'node:readline';
import mongoose from 'mongoose';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * Launcher for db/ferretdb-runner (FerretDB embedded, SQLite backend; built by scripts/build-db.sh).
 *
 * Contract of the runner this relies on: it listens on 127.0.0.1 only, prints exactly one line
 * `READY mongodb://127.0.0.1:PORT/` on stdout once it accepts connections, stops cleanly on
 * SIGTERM, and with `-exit-on-stdin-eof` exits when its stdin closes. The launcher keeps that
 * stdin pipe open for the child's lifetime, so the server dies with this process even when this
 * process is SIGKILLed; a normal exit additionally SIGKILLs it from a `process.on('exit')` hook.
 */

export interface FerretDbOptions {
  /** Absolute path of the runner binary. */
  binPath: string;
  /** Directory for the SQLite files (created if missing). Required unless `memory`. */
  dataDir?: string;
  /** Keep everything in memory: nothing survives a stop. */
  memory?: boolean;
  /** TCP port on 127.0.0.1; 0 or absent = a free port chosen by the kernel (no race). */
  port?: number;
  logger: Logger;
  /** Upper bound for READY + first successful ping. Default 20 000 ms. */
  readyTimeoutMs?: number;
  /** stop(): time between SIGTERM and SIGKILL. Default 5 000 ms. */
  stopGraceMs?: number;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface FerretDbServer {
  /** `mongodb://127.0.0.1:PORT/` (no database name). */
  uri: string;
  port: number;
  pid: number;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL now, no grace (simulates a crash). Await `exited` to know it is gone. */
  kill(): void;
  /** Resolves (never rejects) when the process has exited, for whatever reason. */
  exited: Promise<ChildExit>;
}

const READY_RE = /^READY (mongodb:\/\/127\.0\.0\.1:(\d+)\/)$/;
const STDERR_KEPT_CHARS = 4000;

/** Starts one runner process and resolves when it answers a ping; rejects with DB_SERVER_FAILED. */
export async function startFerretDb(opts: FerretDbOptions): Promise<FerretDbServer> {
  assertExecutable(opts.binPath);
  if (!opts.memory && !opts.dataDir) {
    throw new AppError(
      'DB_SERVER_FAILED',
      'startFerretDb: dataDir is required unless memory is set',
    );
  }
  const timeoutMs = opts.readyTimeoutMs ?? 20_000;
  const started = Date.now();
  const child = spawnRunner(opts);
  const exited = watchExit(child);
  const stderr = captureStderr(child, opts.logger);
  const unhook = killOnParentExit(child);
  void exited.then(unhook);

  try {
    const uri = await waitForReady(child, exited, timeoutMs, stderr);
    await ping(uri, Math.max(1000, timeoutMs - (Date.now() - started)));
    const port = Number(new URL(uri).port);
    opts.logger.info({ port, pid: child.pid, ms: Date.now() - started }, 'db.ferretdb.started');
    return makeHandle(child, exited, uri, port, opts.stopGraceMs ?? 5000, opts.logger);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err instanceof AppError
      ? err
      : new AppError(
          'DB_SERVER_FAILED',
          `FerretDB did not start: ${String(err)}`,
          {},
          { cause: err },
        );
  }
}

function assertExecutable(binPath: string): void {
  try {
    accessSync(binPath, constants.X_OK);
  } catch (err) {
    throw new AppError(
      'DB_SERVER_FAILED',
      `FerretDB runner not found at ${binPath}: run \`npm run setup\` (builds it; needs Go >=1.22) or set MONGODB_URI`,
      { binPath },
      { cause: err },
    );
  }
}

function spawnRunner(opts: FerretDbOptions): ChildProcess {
  const args = ['-port', String(opts.port ?? 0), '-exit-on-stdin-eof'];
  if (opts.dataDir) args.push('-data', opts.dataDir);
  if (opts.memory) args.push('-memory');
  // stdin stays an open pipe on purpose: its EOF is the runner's "parent is gone" signal.
  return spawn(opts.binPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
}

function watchExit(child: ChildProcess): Promise<ChildExit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A spawn failure emits 'error' and may never emit 'exit'.
    child.once('error', () => resolve({ code: child.exitCode, signal: child.signalCode }));
  });
}

/** Keeps the last few KB of stderr for error messages and forwards each line at debug level. */
function captureStderr(child: ChildProcess, logger: Logger): { text: () => string } {
  let kept = '';
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      kept = (kept + line + '\n').slice(-STDERR_KEPT_CHARS);
      logger.debug({ line }, 'db.ferretdb.stderr');
    });
  }
  child.stdin?.on('error', () => undefined); // EPIPE after the child died is expected
  return { text: () => kept.trim() };
}

function killOnParentExit(child: ChildProcess): () => void {
  const onExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', onExit);
  return () => process.off('exit', onExit);
}

function waitForReady(
  child: ChildProcess,
  exited: Promise<ChildExit>,
  timeoutMs: number,
  stderr: { text: () => string },
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      const tail = stderr.text();
      reject(new AppError('DB_SERVER_FAILED', `FerretDB ${why}${tail ? `:\n${tail}` : ''}`));
    };
    const timer = setTimeout(() => fail(`printed no READY line within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (err) => fail(`could not be spawned (${err.message})`));
    void exited.then((e) => fail(`exited before READY (code ${e.code}, signal ${e.signal})`));
    if (!child.stdout) return fail('has no stdout');
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = READY_RE.exec(line.trim());
      if (!m?.[1]) return;
      clearTimeout(timer);
      resolve(m[1]);
    });
  });
}

/** One `ping` over a fresh driver connection: proves the wire protocol works, not just the socket. */
async function ping(uri: string, timeoutMs: number): Promise<void> {
  const client = new mongoose.mongo.MongoClient(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    directConnection: true,
  });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close();
  }
}

function makeHandle(
  child: ChildProcess,
  exited: Promise<ChildExit>,
  uri: string,
  port: number,
  graceMs: number,
  logger: Logger,
): FerretDbServer {
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
    if ((await Promise.race([exited, forced])) === 'timeout') {
      logger.warn({ pid: child.pid, graceMs }, 'db.ferretdb.stop.forced');
      child.kill('SIGKILL');
    }
    clearTimeout(timer);
    const e = await exited;
    logger.info({ port, code: e.code, signal: e.signal }, 'db.ferretdb.stopped');
  };
  return {
    uri,
    port,
    pid: child.pid ?? -1,
    exited,
    stop: () => (stopping ??= stop()),
    kill: () => {
      child.kill('SIGKILL');
    },
  };
}
