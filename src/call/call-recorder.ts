import { AppError, errorSummary } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CallModel } from '../store/models/call.model.js';
import {
  recorderSettings,
  type CallRecorderOptions,
  type RecorderSettings,
  type RecorderStats,
} from './recorder-options.js';
import { writeCalls, writeSpilled, type BulkResult } from './call-writes.js';
import { Backlog } from './call-backlog.js';
import { callWrite, statusWrites, type CallWrite } from './call-ops.js';
import { listCalls, readCall, type CallReadDeps } from './call-reads.js';
import type { CallRecord, CallStatusEvent } from './call-record.js';
import { filterCalls, mergeStatus, type CallPage, type CallQuery } from './call-store.js';
import type { CallScope, CallStore } from './call-store.js';
import { WriteCounters, backoffMs } from './recorder-support.js';
import { SpillFile, type SpillEntry } from './spill-file.js';
import { LiveRecords } from './live-records.js';

export type { CallRecorderOptions, RecorderStats } from './recorder-options.js';

/**
 * The write-behind CallStore over the Call model. Contracts:
 * - `upsert`, `changed` and `addStatus` never wait for the database: they mark the record dirty
 *   (records are held by reference, so the latest state is what gets written) and return;
 * - one flush at a time writes the backlog in batches (upserts by callSid, status pushes guarded by
 *   their key: idempotent, so a retried or replayed batch changes nothing);
 * - while the database fails, writes are retried with backoff; past `maxBacklog`/`maxBacklogBytes`
 *   the oldest records (ended calls first) are appended to the spill file, which is replayed
 *   before any newer write once the database answers, then removed;
 * - `close()` flushes, and spills what the database would not take, before it resolves.
 * Live calls and records not yet written are served from memory by `get`/`list`; a spilled
 * record of an ended call is readable again once replayed.
 */
export class CallRecorder implements CallStore {
  private readonly backlog = new Backlog();
  private readonly live = new LiveRecords();
  private readonly reads: CallReadDeps;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private enforceQueued = false;
  private lastEnforceMs = 0;
  private failures = 0;
  /** The last batch was full: more is waiting, write it without the flush interval. */
  private lastBatchFull = false;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private readonly counts = new WriteCounters();

  private constructor(
    private readonly model: CallModel,
    private readonly spill: SpillFile,
    private readonly log: Logger,
    private readonly o: RecorderSettings,
  ) {
    this.reads = { model, timeoutMs: o.readTimeoutMs, logger: log };
  }

  /** Opens the spill file; what an earlier process spilled is replayed on the first flush. */
  static async open(opts: CallRecorderOptions): Promise<CallRecorder> {
    const spill = new SpillFile(opts.spillPath);
    await spill.open();
    const r = new CallRecorder(opts.model, spill, opts.logger, recorderSettings(opts));
    if (spill.hasData) r.schedule(0);
    return r;
  }

  upsert(record: CallRecord): void {
    this.live.add(record);
    for (const ev of this.backlog.pendingStatuses(record.callSid)) mergeStatus(record, ev);
    this.markDirty(record);
  }

  changed(record: CallRecord): void {
    if (!this.live.has(record.callSid)) this.live.add(record);
    this.markDirty(record);
  }

  /** Idempotent per (callSid, status, sequence); kept even when the call is not recorded yet. */
  addStatus(callSid: string, ev: CallStatusEvent): void {
    const rec = this.live.get(callSid);
    if (rec) mergeStatus(rec, ev);
    if (this.state === 'closed') return this.spillEntries([{ kind: 'status', callSid, ev }]);
    this.backlog.addStatus({ callSid, ev, refusals: 0 });
    this.afterMark();
  }

  get(callSid: string, scope: CallScope = {}): Promise<CallRecord | undefined> {
    const mem = this.live.get(callSid) ?? this.backlog.get(callSid);
    return readCall(this.reads, callSid, scope, mem);
  }

  list(q: CallQuery): Promise<CallPage> {
    const memory = filterCalls(new Set([...this.live.values(), ...this.backlog.values()]), q);
    return listCalls(this.reads, q, memory, (sid) => this.live.isUnwritten(sid));
  }

  stats(): RecorderStats {
    return {
      ...this.counts.snapshot(),
      spilled: this.spill.appended,
      backlogRecords: this.backlog.recordCount,
      backlogStatuses: this.backlog.statusCount,
      backlogBytes: this.backlog.bytes(),
      spillBytes: this.spill.sizeBytes,
      consecutiveFailures: this.failures,
      dbWritable: this.failures === 0,
    };
  }

  /**
   * Writes everything pending now, including what a running flush holds; rejects
   * STORE_UNAVAILABLE if the database fails meanwhile.
   */
  async flush(): Promise<void> {
    for (;;) {
      await this.flushing;
      if (!this.hasWork()) return;
      this.cancelTimer();
      await this.runFlush();
      if (this.failures > 0) throw new AppError('STORE_UNAVAILABLE', 'database not writable');
    }
  }

  /**
   * Flushes for up to `timeoutMs`, then appends whatever the database did not take to the spill
   * file. Writes arriving afterwards go straight to the spill file.
   */
  async close(timeoutMs = 5000): Promise<void> {
    this.state = 'closing';
    this.cancelTimer();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.flushing;
      if (!this.hasWork() || Date.now() >= deadline) break;
      await this.runFlush();
      if (this.failures > 0) await sleep(Math.min(this.retryDelay(), deadline - Date.now()));
    }
    this.spillEntries(this.backlog.drain());
    this.state = 'closed';
    await this.spill.idle();
  }

  private markDirty(record: CallRecord): void {
    if (this.state === 'closed') return this.spillEntries([{ kind: 'call', record }]);
    this.backlog.addRecord(record);
    this.afterMark();
  }

  /** Schedules the flush, and a bounds check when over the count or while the database fails. */
  private afterMark(): void {
    const over = this.backlog.size > this.o.maxBacklog;
    const failing = this.failures > 0 && Date.now() - this.lastEnforceMs > 250;
    if ((over || failing) && !this.enforceQueued) {
      this.enforceQueued = true;
      setImmediate(() => {
        this.enforceQueued = false;
        this.enforceBounds();
      });
    }
    this.schedule();
  }

  private retryDelay(): number {
    return backoffMs(this.failures, this.o.retryMinMs, this.o.retryMaxMs);
  }

  private hasWork(): boolean {
    return this.backlog.size > 0 || this.spill.hasData;
  }

  private cancelTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs?: number): void {
    if (this.timer || this.flushing || this.state !== 'open') return;
    const ms = delayMs ?? (this.failures > 0 ? this.retryDelay() : this.o.flushIntervalMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runFlush();
    }, ms);
    this.timer.unref();
  }

  /** Runs one flush (or joins the running one). Never rejects. */
  private runFlush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = undefined;
      const more = this.lastBatchFull && this.failures === 0;
      if (this.hasWork()) this.schedule(more ? 0 : undefined);
    });
    return this.flushing;
  }

  /** Replays the spill file (always before newer writes), then writes one batch. */
  private async flushOnce(): Promise<void> {
    try {
      if (this.spill.hasData) await this.replaySpill();
      await this.writeBatch();
      if (this.failures > 0)
        this.log.info({ failures: this.failures }, 'call store writable again');
      this.failures = 0;
    } catch (err) {
      this.failures++;
      this.counts.lastError = errorSummary(err);
      if ((this.failures & (this.failures - 1)) === 0) {
        const ctx = { err: this.counts.lastError, failures: this.failures };
        this.log.warn(ctx, 'call store write failed; retrying');
      }
      this.enforceBounds();
    }
  }

  private async writeBatch(): Promise<void> {
    const { records, statuses } = this.backlog.take(this.o.batchSize);
    this.lastBatchFull = records.length + statuses.length >= this.o.batchSize;
    if (records.length + statuses.length === 0) return;
    const now = Date.now();
    const ops = [
      ...records.map((r) => callWrite(r, now)),
      ...statuses.flatMap((s) => statusWrites(s.callSid, s.ev)),
    ];
    let result: BulkResult;
    try {
      result = await this.bulkWrite(ops);
    } catch (err) {
      this.backlog.requeue(records, statuses);
      throw err;
    }
    const { stored, dropped } = this.backlog.settle(records, statuses, result);
    for (const r of stored) this.stored(r);
    if (dropped > 0) this.droppedWrites(dropped);
  }

  private droppedWrites(n: number): void {
    this.counts.dropped += n;
    this.log.error({ dropped: n, code: 'STORE_WRITE_FAILED' }, 'call writes refused; dropped');
  }

  private async bulkWrite(ops: CallWrite[]): Promise<BulkResult> {
    const result = await writeCalls(this.model, ops, this.o.writeTimeoutMs);
    this.counts.wrote(result.applied);
    return result;
  }

  /** Written: an ended call's record is no longer held once its final state is in. */
  private stored(r: CallRecord): void {
    this.live.markWritten(r.callSid);
    if (r.endedAtMs !== undefined && !this.backlog.has(r.callSid)) this.live.forget(r.callSid);
  }

  private async replaySpill(): Promise<void> {
    const n = await this.spill.replay((batch) => this.applySpilled(batch), this.o.batchSize);
    this.counts.replayed += n;
    if (n > 0) {
      const ctx = { entries: n, corrupt: this.spill.corruptLines };
      this.log.info(ctx, 'spilled call writes replayed');
    }
  }

  /** Writes a batch of spilled entries (see writeSpilled). */
  private async applySpilled(batch: SpillEntry[]): Promise<void> {
    const refused = await writeSpilled((ops) => this.bulkWrite(ops), batch);
    if (refused > 0) this.droppedWrites(refused);
    for (const e of batch) if (e.kind === 'call') this.live.markWritten(e.record.callSid);
  }

  /** Past the bounds, spills the oldest backlog down to half the bounds (see Backlog.shed). */
  private enforceBounds(): void {
    this.lastEnforceMs = Date.now();
    const shed = this.backlog.shed(this.o.maxBacklog, this.o.maxBacklogBytes);
    for (const e of shed) {
      if (e.kind === 'call' && e.record.endedAtMs !== undefined) this.live.forget(e.record.callSid);
    }
    this.spillEntries(shed);
  }

  /** Appends to the spill file (a snapshot); if that fails the entries come back to memory. */
  private spillEntries(entries: SpillEntry[]): void {
    if (entries.length === 0) return;
    this.spill.append(entries).catch((err: unknown) => {
      const ctx = { err: errorSummary(err), entries: entries.length };
      this.log.error(ctx, 'spill file write failed; entries kept in memory');
      this.backlog.restore(entries);
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
