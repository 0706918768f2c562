import { AppError, errorSummary } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CallDoc, CallModel } from '../store/models/call.model.js';
import { listFilter, mergePage, toRecord, withStoredStatuses } from './call-ops.js';
import type { CallRecord } from './call-record.js';
import type { CallPage, CallQuery, CallScope } from './call-store.js';
import { withTimeout } from './recorder-support.js';

/** Reads of stored calls, merged with the records the recorder still holds in memory. */
export interface CallReadDeps {
  model: CallModel;
  /** A read taking longer fails with STORE_UNAVAILABLE. */
  timeoutMs: number;
  logger: Logger;
}

/**
 * One call, scoped to `scope.tenantId` when given. `mem` is the in-memory record (fresher than the
 * database); it is answered even when the database is down. Throws STORE_UNAVAILABLE when the
 * database cannot be read and nothing is in memory.
 */
export async function readCall(
  d: CallReadDeps,
  callSid: string,
  scope: CallScope,
  mem: CallRecord | undefined,
): Promise<CallRecord | undefined> {
  let doc: CallDoc | null = null;
  try {
    // By `_id` alone: the only filter FerretDB v1 serves without a collection scan.
    doc = await withTimeout(d.model.findById(callSid).lean<CallDoc>().exec(), d.timeoutMs);
  } catch (err) {
    if (!mem) throw unavailable(err);
  }
  if (doc && scope.tenantId !== undefined && doc.tenantId !== scope.tenantId) doc = null;
  if (mem) {
    const inScope = scope.tenantId === undefined || mem.tenantId === scope.tenantId;
    return inScope ? withStoredStatuses(mem, doc) : undefined;
  }
  return doc ? toRecord(doc) : undefined;
}

/**
 * A page of calls, newest first (see mergePage for how `memory`, the in-memory records matching
 * `q`, joins it). When the database cannot be read the page comes from memory, `degraded`.
 */
export async function listCalls(
  d: CallReadDeps,
  q: CallQuery,
  memory: CallRecord[],
  isUnwritten: (callSid: string) => boolean,
): Promise<CallPage> {
  const filter = listFilter(q);
  try {
    const find = d.model
      .find(filter)
      .sort({ startedAtMs: -1 })
      .skip(q.offset)
      .limit(q.limit)
      .lean<CallDoc[]>()
      .exec();
    const count = d.model.countDocuments(filter).exec();
    const [docs, total] = await withTimeout(Promise.all([find, count]), d.timeoutMs);
    return mergePage({ total, docs }, memory, q, isUnwritten);
  } catch (err) {
    d.logger.warn({ err: errorSummary(err) }, 'call list read failed; serving memory');
    const items = memory.slice(q.offset, q.offset + q.limit);
    return { total: memory.length, items, degraded: true };
  }
}

function unavailable(err: unknown): AppError {
  if (err instanceof AppError && err.code === 'STORE_UNAVAILABLE') return err;
  return new AppError('STORE_UNAVAILABLE', 'call store unreadable', undefined, { cause: err });
}
