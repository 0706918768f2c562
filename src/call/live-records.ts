import type { CallRecord } from './call-record.js';

/**
 * Records the recorder serves reads from: calls in progress, and ended calls until their final
 * state is written. Knows which were written at least once (the others are missing from the
 * database, so lists add them). Bounded: a call whose end was never recorded would otherwise
 * stay forever, so past `max` records the oldest is forgotten.
 */
export class LiveRecords {
  private readonly records = new Map<string, CallRecord>();
  private readonly written = new Set<string>();

  constructor(private readonly max = 10_000) {}

  get(callSid: string): CallRecord | undefined {
    return this.records.get(callSid);
  }

  has(callSid: string): boolean {
    return this.records.has(callSid);
  }

  values(): IterableIterator<CallRecord> {
    return this.records.values();
  }

  add(record: CallRecord): void {
    this.records.set(record.callSid, record);
    if (this.records.size <= this.max) return;
    const oldest = this.records.keys().next().value;
    if (oldest !== undefined) this.forget(oldest);
  }

  forget(callSid: string): void {
    this.records.delete(callSid);
    this.written.delete(callSid);
  }

  markWritten(callSid: string): void {
    if (this.records.has(callSid)) this.written.add(callSid);
  }

  isUnwritten(callSid: string): boolean {
    return !this.written.has(callSid);
  }
}
