import type { CallRecord, CallStatusEvent } from './call-record.js';

/** A page query over call records, newest first. `tenantId` scopes it to one business. */
export interface CallQuery {
  tenantId?: string;
  from?: string;
  sinceMs?: number;
  outcome?: string;
  limit: number;
  offset: number;
}

export interface CallPage {
  total: number;
  items: CallRecord[];
  /** The database could not be read: only the records held in this process are listed. */
  degraded?: boolean;
}

/** Restricts a read to one tenant's records (absent: the operator's view of every tenant). */
export interface CallScope {
  tenantId?: string;
}

/** Where call records live. Writes never block the media path (they return immediately). */
export interface CallStore {
  /** A new or finished call: persist the whole record (idempotent by callSid). */
  upsert(record: CallRecord): void;
  /** The live record changed (a turn added or its timings filled): persist it soon. */
  changed(record: CallRecord): void;
  addStatus(callSid: string, ev: CallStatusEvent): void;
  /** The record, or undefined when it does not exist or belongs to another tenant than `scope`'s. */
  get(callSid: string, scope?: CallScope): Promise<CallRecord | undefined>;
  list(q: CallQuery): Promise<CallPage>;
}

function inScope(rec: CallRecord, scope: CallScope): boolean {
  return scope.tenantId === undefined || rec.tenantId === scope.tenantId;
}

/** The records matching `q`'s filters (not its paging), newest first. */
export function filterCalls(
  records: Iterable<CallRecord>,
  q: Omit<CallQuery, 'limit' | 'offset'>,
): CallRecord[] {
  return [...records]
    .filter((c) => inScope(c, q))
    .filter((c) => (q.from ? c.from === q.from : true))
    .filter((c) => (q.sinceMs !== undefined ? c.startedAtMs >= q.sinceMs : true))
    .filter((c) => (q.outcome ? c.outcome === q.outcome : true))
    .sort((a, b) => b.startedAtMs - a.startedAtMs);
}

/** Status callbacks are identified by (status, sequence); atMs of a replay is ignored. */
export function sameStatus(a: CallStatusEvent, b: CallStatusEvent): boolean {
  return a.status === b.status && a.sequence === b.sequence;
}

/** Adds `ev` to the record's timeline unless already there; keeps the timeline in Twilio's order. */
export function mergeStatus(rec: CallRecord, ev: CallStatusEvent): void {
  if (rec.statusEvents.some((e) => sameStatus(e, ev))) return;
  rec.statusEvents.push(ev);
  rec.statusEvents.sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0) || a.atMs - b.atMs);
}
