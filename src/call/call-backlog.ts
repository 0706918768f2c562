import { estimateBytes } from './call-ops.js';
import type { CallRecord, CallStatusEvent } from './call-record.js';
import type { SpillEntry } from './spill-file.js';
import type { BulkResult } from './call-writes.js';

export interface PendingStatus {
  callSid: string;
  ev: CallStatusEvent;
  /** Times the database refused it (a status refused MAX_REFUSALS times is given up). */
  refusals: number;
}

const STATUS_BYTES = 100;
/** A record the database refuses this often (not a network failure) is given up. */
const MAX_REFUSALS = 5;

/**
 * What the call recorder has not written yet: dirty records (by reference, oldest first, one entry
 * per call however often it changed) and status callbacks (in arrival order).
 */
export class Backlog {
  private readonly records = new Map<string, CallRecord>();
  private statuses: PendingStatus[] = [];
  private readonly refusals = new Map<string, number>();

  get recordCount(): number {
    return this.records.size;
  }

  get statusCount(): number {
    return this.statuses.length;
  }

  get size(): number {
    return this.records.size + this.statuses.length;
  }

  get(callSid: string): CallRecord | undefined {
    return this.records.get(callSid);
  }

  has(callSid: string): boolean {
    return this.records.has(callSid);
  }

  values(): IterableIterator<CallRecord> {
    return this.records.values();
  }

  pendingStatuses(callSid: string): CallStatusEvent[] {
    return this.statuses.filter((s) => s.callSid === callSid).map((s) => s.ev);
  }

  addRecord(r: CallRecord): void {
    this.records.set(r.callSid, r);
  }

  addStatus(s: PendingStatus): void {
    this.statuses.push(s);
  }

  /** Removes and returns up to `max` entries, records first. */
  take(max: number): { records: CallRecord[]; statuses: PendingStatus[] } {
    const records = [...this.records.values()].slice(0, max);
    for (const r of records) this.records.delete(r.callSid);
    return { records, statuses: this.statuses.splice(0, max - records.length) };
  }

  /** Puts back entries whose write failed (a record changed meanwhile is already back). */
  requeue(records: readonly CallRecord[], statuses: readonly PendingStatus[]): void {
    for (const r of records) if (!this.records.has(r.callSid)) this.records.set(r.callSid, r);
    this.statuses = [...statuses, ...this.statuses];
  }

  /**
   * After a bulk write of one op per record, then two per status (see statusWrites), in that
   * order: re-queues what must be sent again and what was refused (up to MAX_REFUSALS times).
   * Returns the records written and the entries given up.
   */
  settle(
    records: readonly CallRecord[],
    statuses: readonly PendingStatus[],
    result: BulkResult,
  ): { stored: CallRecord[]; dropped: number } {
    const stored: CallRecord[] = [];
    let dropped = 0;
    records.forEach((r, i) => {
      if (result.refused.has(i)) {
        const n = (this.refusals.get(r.callSid) ?? 0) + 1;
        this.refusals.set(r.callSid, n);
        if (n < MAX_REFUSALS) return this.requeue([r], []);
        this.refusals.delete(r.callSid);
        return dropped++;
      }
      if (result.retry.has(i)) return this.requeue([r], []);
      this.refusals.delete(r.callSid);
      stored.push(r);
    });
    statuses.forEach((s, j) => {
      const ops = [records.length + 2 * j, records.length + 2 * j + 1];
      if (ops.some((i) => result.refused.has(i))) {
        if (s.refusals + 1 < MAX_REFUSALS) this.statuses.push({ ...s, refusals: s.refusals + 1 });
        else dropped++;
      } else if (ops.some((i) => result.retry.has(i))) this.statuses.push(s);
    });
    return { stored, dropped };
  }

  /** Estimated bytes held (see estimateBytes). O(turns). */
  bytes(): number {
    let n = this.statuses.length * STATUS_BYTES;
    for (const r of this.records.values()) n += estimateBytes(r);
    return n;
  }

  /**
   * When past `maxCount` entries or `maxBytes`, removes the oldest entries (records of ended calls
   * first, then live ones, then statuses) until within half of both bounds, and returns them.
   */
  shed(maxCount: number, maxBytes: number): SpillEntry[] {
    let count = this.size;
    let bytes = this.bytes();
    if (count <= maxCount && bytes <= maxBytes) return [];
    const within = () => count <= maxCount / 2 && bytes <= maxBytes / 2;
    const byAge = [...this.records.values()].sort(
      (a, b) => Number(a.endedAtMs === undefined) - Number(b.endedAtMs === undefined),
    );
    const out: SpillEntry[] = [];
    for (const record of byAge) {
      if (within()) break;
      out.push({ kind: 'call', record });
      this.records.delete(record.callSid);
      count--;
      bytes -= estimateBytes(record);
    }
    while (!within() && this.statuses.length > 0) {
      const s = this.statuses.shift()!;
      out.push({ kind: 'status', callSid: s.callSid, ev: s.ev });
      count--;
      bytes -= STATUS_BYTES;
    }
    return out;
  }

  /** Removes and returns everything. */
  drain(): SpillEntry[] {
    const out: SpillEntry[] = [...this.records.values()].map((record) => ({
      kind: 'call',
      record,
    }));
    for (const s of this.statuses) out.push({ kind: 'status', callSid: s.callSid, ev: s.ev });
    this.records.clear();
    this.statuses = [];
    return out;
  }

  /** Puts back entries a failed spill append returned. */
  restore(entries: readonly SpillEntry[]): void {
    for (const e of entries) {
      if (e.kind === 'status') this.statuses.push({ callSid: e.callSid, ev: e.ev, refusals: 0 });
      else if (!this.records.has(e.record.callSid)) this.records.set(e.record.callSid, e.record);
    }
  }
}
