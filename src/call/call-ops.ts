import type { mongo, QueryFilter } from 'mongoose';
import type { CallDoc } from '../store/models/call.model.js';
import type { CallRecord, CallStatusEvent, CallTurn } from './call-record.js';
import type { CallPage, CallQuery } from './call-store.js';

/**
 * Pure pieces of the call recorder: the idempotent database writes of a record and of a status
 * callback, the mapping back to CallRecords, and list queries.
 */

export type CallWrite = mongo.AnyBulkWriteOperation<CallDoc>;

/** The idempotency key of a status callback within its call. */
export function statusKey(ev: CallStatusEvent): string {
  return `${ev.status}#${ev.sequence ?? ''}`;
}

/**
 * Upserts the whole record by callSid (the document's `_id`). Replaying it leaves one document with the same content.
 * Never touches statusEvents (owned by statusWrite). Fields that are undefined are not written.
 */
export function callWrite(rec: CallRecord, nowMs: number): CallWrite {
  const set: Partial<CallDoc> = {
    callSid: rec.callSid,
    direction: rec.direction,
    startedAtMs: rec.startedAtMs,
    turns: rec.turns.map(cleanTurn),
    turnCount: rec.turns.length,
    counters: rec.counters,
    updatedAtMs: nowMs,
  };
  if (rec.tenantId !== undefined) set.tenantId = rec.tenantId;
  if (rec.streamSid !== undefined) set.streamSid = rec.streamSid;
  if (rec.from !== undefined) set.from = rec.from;
  if (rec.to !== undefined) set.to = rec.to;
  if (rec.flow !== undefined) set.flow = rec.flow;
  if (rec.outcome !== undefined) set.outcome = rec.outcome;
  if (rec.endedAtMs !== undefined) {
    set.endedAtMs = rec.endedAtMs;
    set.durationMs = Math.max(0, rec.endedAtMs - rec.startedAtMs);
  }
  return { updateOne: { filter: { _id: rec.callSid }, update: { $set: set }, upsert: true } };
}

/**
 * Appends a status callback once per (callSid, status, sequence), as two writes that never fail
 * on a replay: the first creates a stub document when the call is not recorded yet (the record's
 * write fills in the rest), the second pushes the status unless its key is already there.
 * (A single upsert guarded by the key would answer a replay with a duplicate-key error, and
 * FerretDB stops an unordered bulk write at its first error.)
 */
export function statusWrites(callSid: string, ev: CallStatusEvent): [CallWrite, CallWrite] {
  const key = statusKey(ev);
  return [
    {
      updateOne: {
        filter: { _id: callSid },
        update: { $setOnInsert: { callSid, updatedAtMs: finite(ev.atMs) ?? 0 } },
        upsert: true,
      },
    },
    {
      updateOne: {
        filter: { _id: callSid, statusKeys: { $ne: key } },
        update: { $push: { statusEvents: cleanStatus(ev), statusKeys: key } },
      },
    },
  ];
}

/** Databases refuse NaN and ±Infinity (FerretDB) : such values are left out. */
function finite(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

function cleanStatus(ev: CallStatusEvent): CallStatusEvent {
  const out: CallStatusEvent = { status: ev.status, atMs: finite(ev.atMs) ?? 0 };
  if (finite(ev.sequence) !== undefined) out.sequence = ev.sequence!;
  if (finite(ev.durationSec) !== undefined) out.durationSec = ev.durationSec!;
  return out;
}

/** A turn with non-finite numbers left out (a copy only when one is found). */
function cleanTurn(t: CallTurn): CallTurn {
  const timings = Object.values(t.timings);
  const bad =
    !isFiniteOrAbsent(t.confidence) ||
    !isFiniteOrAbsent(t.atMs) ||
    timings.some((v) => !isFiniteOrAbsent(v));
  if (!bad) return t;
  const cleanTimings = Object.fromEntries(
    Object.entries(t.timings).filter(([, v]) => isFiniteOrAbsent(v)),
  );
  const out: CallTurn = { ...t, atMs: finite(t.atMs) ?? 0, timings: cleanTimings };
  if (!isFiniteOrAbsent(t.confidence)) delete out.confidence;
  return out;
}

function isFiniteOrAbsent(n: number | undefined): boolean {
  return n === undefined || Number.isFinite(n);
}

/** The API's view of a stored call (stubs get the defaults of a record that never started). */
export function toRecord(doc: CallDoc): CallRecord {
  const statusEvents = [...(doc.statusEvents ?? [])].sort(byTwilioOrder);
  const rec: CallRecord = {
    callSid: doc.callSid,
    direction: doc.direction ?? 'unknown',
    startedAtMs: doc.startedAtMs ?? statusEvents[0]?.atMs ?? doc.updatedAtMs,
    turns: doc.turns ?? [],
    statusEvents,
    counters: doc.counters ?? { framesIn: 0, framesOut: 0, malformed: 0, bargeIns: 0 },
  };
  const optional = ['tenantId', 'streamSid', 'from', 'to', 'flow', 'endedAtMs', 'outcome'] as const;
  for (const k of optional) if (doc[k] != null) Object.assign(rec, { [k]: doc[k] });
  return rec;
}

/** A live record as the API shows it: its own fields plus every status the database holds. */
export function withStoredStatuses(rec: CallRecord, doc: CallDoc | null | undefined): CallRecord {
  if (!doc?.statusEvents?.length) return rec;
  const seen = new Set(rec.statusEvents.map(statusKey));
  const extra = doc.statusEvents.filter((e) => !seen.has(statusKey(e)));
  if (extra.length === 0) return rec;
  return { ...rec, statusEvents: [...rec.statusEvents, ...extra].sort(byTwilioOrder) };
}

function byTwilioOrder(a: CallStatusEvent, b: CallStatusEvent): number {
  return (a.sequence ?? 0) - (b.sequence ?? 0) || a.atMs - b.atMs;
}

/** The database filter of a list query (tenant scope first: it leads every index). */
export function listFilter(q: Omit<CallQuery, 'limit' | 'offset'>): QueryFilter<CallDoc> {
  const f: QueryFilter<CallDoc> = {};
  if (q.tenantId !== undefined) f.tenantId = q.tenantId;
  if (q.from !== undefined) f.from = q.from;
  if (q.outcome !== undefined) f.outcome = q.outcome;
  if (q.sinceMs !== undefined) f.startedAtMs = { $gte: q.sinceMs };
  return f;
}

/**
 * Merges a database page with the records held in memory (`memory`: matching `q`, newest first).
 * A record in both is shown as in memory (it is fresher). Records never written yet
 * (`isUnwritten`) are the newest calls: they join the first page and the total.
 */
export function mergePage(
  db: { total: number; docs: CallDoc[] },
  memory: CallRecord[],
  q: CallQuery,
  isUnwritten: (callSid: string) => boolean,
): CallPage {
  const mem = new Map(memory.map((r) => [r.callSid, r]));
  const items = db.docs.map((d) => {
    const live = mem.get(d.callSid);
    return live ? withStoredStatuses(live, d) : toRecord(d);
  });
  const shown = new Set(items.map((r) => r.callSid));
  const unwritten = memory.filter((r) => !shown.has(r.callSid) && isUnwritten(r.callSid));
  const total = db.total + unwritten.length;
  if (q.offset > 0 || unwritten.length === 0) return { total, items };
  const first = [...unwritten, ...items].sort((a, b) => b.startedAtMs - a.startedAtMs);
  return { total, items: first.slice(0, q.limit) };
}

/** A rough size of a record in memory (for the backlog bound), in bytes. */
export function estimateBytes(rec: CallRecord): number {
  let n = 400;
  for (const t of rec.turns) n += 160 + (t.text?.length ?? 0) * 2 + (t.prompt?.length ?? 0) * 2;
  return n + rec.statusEvents.length * 80;
}
