import { createReadStream } from 'node:fs';
import { appendFile, mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { CallRecord, CallStatusEvent } from './call-record.js';

/** One write the database has not taken yet. Replaying an entry twice is harmless (idempotent). */
export type SpillEntry =
  { kind: 'call'; record: CallRecord } | { kind: 'status'; callSid: string; ev: CallStatusEvent };

/**
 * An append-only JSONL file of call-record writes kept while the database is unreachable and
 * memory is full. Contracts:
 * - appends are serialised in call order; entries of one `append` are written together;
 * - `replay` hands entries to `apply` in file order, in batches; the file is removed only once
 *   every batch was applied. While a replay runs, new appends go to a fresh file, replayed after;
 * - an interrupted replay (apply threw, process died) starts again from the beginning of the
 *   file it was replaying, so `apply` must be idempotent;
 * - a torn last line (the process died mid-append) is skipped and counted in `corruptLines`.
 * Data is written without fsync: it survives a process crash, not a power cut.
 */
export class SpillFile {
  private chain: Promise<void> = Promise.resolve();
  private pendingAppends = 0;
  private mainBytes = 0;
  private replayingBytes = 0;
  private readonly replayingPath: string;
  corruptLines = 0;
  /** Entries appended since open. */
  appended = 0;

  constructor(readonly filePath: string) {
    this.replayingPath = `${filePath}.replaying`;
  }

  /** Picks up what an earlier process left behind. */
  async open(): Promise<void> {
    await mkdir(path.dirname(this.filePath), { recursive: true });
    this.mainBytes = await sizeOf(this.filePath);
    this.replayingBytes = await sizeOf(this.replayingPath);
  }

  /** Bytes waiting to be replayed (both files). */
  get sizeBytes(): number {
    return this.mainBytes + this.replayingBytes;
  }

  /** True while anything is in the files or on its way there. */
  get hasData(): boolean {
    return this.sizeBytes > 0 || this.pendingAppends > 0;
  }

  /**
   * Appends `entries` as JSON lines, serialised now (a snapshot of the records as they are);
   * resolves once they are in the file.
   */
  append(entries: readonly SpillEntry[]): Promise<void> {
    if (entries.length === 0) return this.chain;
    const text = entries.map((e) => `${JSON.stringify(e)}\n`).join('');
    this.pendingAppends++;
    return this.enqueue(async () => {
      try {
        await appendFile(this.filePath, text, 'utf8');
        this.mainBytes += Buffer.byteLength(text);
        this.appended += entries.length;
      } finally {
        this.pendingAppends--;
      }
    });
  }

  /** Applies every spilled entry (see the class contract); returns how many were applied. */
  async replay(apply: (batch: SpillEntry[]) => Promise<void>, batchSize = 500): Promise<number> {
    let applied = 0;
    for (;;) {
      if (this.replayingBytes === 0) {
        await this.enqueue(() => this.rotate());
        if (this.replayingBytes === 0) return applied;
      }
      applied += await this.replayFile(apply, batchSize);
      await unlink(this.replayingPath).catch(ignoreMissing);
      this.replayingBytes = 0;
    }
  }

  /** Waits for pending appends. */
  async idle(): Promise<void> {
    await this.chain;
  }

  private async rotate(): Promise<void> {
    if (this.mainBytes === 0) return;
    await rename(this.filePath, this.replayingPath);
    this.replayingBytes = this.mainBytes;
    this.mainBytes = 0;
  }

  private async replayFile(
    apply: (batch: SpillEntry[]) => Promise<void>,
    batchSize: number,
  ): Promise<number> {
    const lines = createInterface({ input: createReadStream(this.replayingPath, 'utf8') });
    let batch: SpillEntry[] = [];
    let applied = 0;
    for await (const line of lines) {
      const entry = parseEntry(line);
      if (!entry) {
        if (line.trim() !== '') this.corruptLines++;
        continue;
      }
      batch.push(entry);
      if (batch.length >= batchSize) {
        await apply(batch);
        applied += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await apply(batch);
    return applied + batch.length;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task);
    this.chain = next.catch(() => {});
    return next;
  }
}

function parseEntry(line: string): SpillEntry | undefined {
  try {
    const e = JSON.parse(line) as Partial<SpillEntry> | null;
    if (e?.kind === 'call' && typeof e.record?.callSid === 'string') return e as SpillEntry;
    if (e?.kind === 'status' && typeof e.callSid === 'string' && e.ev) return e as SpillEntry;
  } catch {
    // a torn line: counted by the caller
  }
  return undefined;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    ignoreMissing(err);
    return 0;
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}
