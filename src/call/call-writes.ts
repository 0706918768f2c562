import type { mongo } from 'mongoose';
import type { CallModel } from '../store/models/call.model.js';
import { AppError } from '../errors.js';
import { callWrite, statusWrites, type CallWrite } from './call-ops.js';
import type { SpillEntry } from './spill-file.js';
import { DUPLICATE_KEY, bulkOpErrors } from './recorder-support.js';

/** The outcome of a bulk write that reached the server. */
export interface BulkResult {
  /** Operations known to be applied. */
  applied: number;
  /**
   * Operations to send again: those after the first failure (FerretDB stops an unordered bulk
   * write at its first error without reporting the rest; MongoDB applied them, and sending an
   * idempotent write twice is harmless) and duplicate-key failures (a lost upsert race between
   * two processes: the retry finds the document).
   */
  retry: Set<number>;
  /** Operations the server refused for another reason. */
  refused: Set<number>;
}

/**
 * Applies `ops` in one round trip (undefined fields are not written). Throws when the write
 * failed as a whole (network, timeout, write concern): then nothing is known to be applied.
 */
export async function writeCalls(
  model: CallModel,
  ops: CallWrite[],
  timeoutMs: number,
): Promise<BulkResult> {
  const opts = { ordered: false, ignoreUndefined: true, timeoutMS: timeoutMs };
  const result: BulkResult = { applied: ops.length, retry: new Set(), refused: new Set() };
  try {
    await model.collection.bulkWrite(ops as mongo.AnyBulkWriteOperation[], opts);
    return result;
  } catch (err) {
    const errors = bulkOpErrors(err);
    if (!errors) throw err;
    const first = Math.min(...errors.map((e) => e.index));
    for (let i = first + 1; i < ops.length; i++) result.retry.add(i);
    for (const e of errors) {
      result.retry.delete(e.index);
      (e.code === DUPLICATE_KEY ? result.retry : result.refused).add(e.index);
    }
    result.applied = ops.length - result.retry.size - result.refused.size;
    return result;
  }
}

/** Rounds of re-sending a spilled batch's unconfirmed writes before the replay is retried later. */
const MAX_SPILL_ROUNDS = 5;

/**
 * Writes spilled entries with `write`, re-sending those left unconfirmed (see BulkResult.retry).
 * Returns how many operations the database refused (those entries are given up). Throws when
 * the database fails as a whole or writes stay unconfirmed: the caller replays the batch later.
 */
export async function writeSpilled(
  write: (ops: CallWrite[]) => Promise<BulkResult>,
  batch: readonly SpillEntry[],
): Promise<number> {
  let todo = batch;
  let refusedTotal = 0;
  for (let round = 0; todo.length > 0 && round < MAX_SPILL_ROUNDS; round++) {
    const now = Date.now();
    const ops = todo.map((e) =>
      e.kind === 'call' ? [callWrite(e.record, now)] : statusWrites(e.callSid, e.ev),
    );
    const { retry, refused } = await write(ops.flat());
    refusedTotal += refused.size;
    let at = 0;
    const again: SpillEntry[] = [];
    todo.forEach((e, k) => {
      const mine = ops[k]!.map((_, n) => at + n);
      at += mine.length;
      if (mine.some((i) => retry.has(i)) && !mine.some((i) => refused.has(i))) again.push(e);
    });
    todo = again;
  }
  if (todo.length > 0) throw new AppError('STORE_UNAVAILABLE', 'spilled writes unconfirmed');
  return refusedTotal;
}
