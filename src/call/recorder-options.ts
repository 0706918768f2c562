import type { Logger } from '../logger.js';
import type { CallModel } from '../store/models/call.model.js';

export interface CallRecorderOptions {
  model: CallModel;
  /** Append-only JSONL file for writes the database could not take, e.g. `data/calls.spill.jsonl`. */
  spillPath: string;
  logger: Logger;
  /** Delay between a change and its write while the database is healthy. Default 200. */
  flushIntervalMs?: number;
  /**
   * Operations per bulk write. Default 25: FerretDB v1 holds every update of a command open
   * until the command ends and stalls on large update commands (100 took over 30 s).
   */
  batchSize?: number;
  /** Records + status callbacks waiting in memory before the oldest are spilled. Default 2000. */
  maxBacklog?: number;
  /** Estimated bytes waiting in memory before the oldest are spilled. Default 32 MiB. */
  maxBacklogBytes?: number;
  /** Retry backoff while the database fails: doubling from min to max. Defaults 250 / 10 000. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** A bulk write taking longer fails and is retried. Default 10 000. */
  writeTimeoutMs?: number;
  /** A read taking longer answers STORE_UNAVAILABLE (lists fall back to memory). Default 3000. */
  readTimeoutMs?: number;
}

export type RecorderSettings = Required<
  Omit<CallRecorderOptions, 'model' | 'spillPath' | 'logger'>
>;

export function recorderSettings(o: CallRecorderOptions): RecorderSettings {
  return {
    flushIntervalMs: o.flushIntervalMs ?? 200,
    batchSize: o.batchSize ?? 25,
    maxBacklog: o.maxBacklog ?? 2000,
    maxBacklogBytes: o.maxBacklogBytes ?? 32 * 1024 * 1024,
    retryMinMs: o.retryMinMs ?? 250,
    retryMaxMs: o.retryMaxMs ?? 10_000,
    writeTimeoutMs: o.writeTimeoutMs ?? 10_000,
    readTimeoutMs: o.readTimeoutMs ?? 3000,
  };
}

/** Operator counters, for /api/stats. */
export interface RecorderStats {
  /** Operations applied since start (records and status callbacks). */
  docsWritten: number;
  /** Over the last 10 s. */
  docsPerSec: number;
  backlogRecords: number;
  backlogStatuses: number;
  /** Estimated. */
  backlogBytes: number;
  spillBytes: number;
  /** Entries appended to the spill file since start. */
  spilled: number;
  replayed: number;
  /** Writes the database refused for good (logged as STORE_WRITE_FAILED). */
  dropped: number;
  consecutiveFailures: number;
  dbWritable: boolean;
  lastError?: { code: string; message: string };
}
