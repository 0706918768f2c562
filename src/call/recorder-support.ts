import { AppError } from '../errors.js';

/** Counts events in a sliding window (for documents written per second). */
export class RateWindow {
  private readonly buckets: { atMs: number; n: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  add(n: number, atMs = Date.now()): void {
    const last = this.buckets.at(-1);
    if (last && atMs - last.atMs < 1000) last.n += n;
    else this.buckets.push({ atMs, n });
    this.trim(atMs);
  }

  /** Events per second over the window. */
  perSecond(atMs = Date.now()): number {
    this.trim(atMs);
    const n = this.buckets.reduce((sum, b) => sum + b.n, 0);
    return n / (this.windowMs / 1000);
  }

  private trim(atMs: number): void {
    while (this.buckets.length > 0 && atMs - this.buckets[0]!.atMs > this.windowMs) {
      this.buckets.shift();
    }
  }
}

/** What the recorder wrote, for RecorderStats. */
export class WriteCounters {
  docsWritten = 0;
  replayed = 0;
  dropped = 0;
  lastError: { code: string; message: string } | undefined;
  private readonly rate = new RateWindow();

  wrote(n: number): void {
    this.docsWritten += n;
    this.rate.add(n);
  }

  snapshot() {
    const { docsWritten, replayed, dropped, lastError } = this;
    const docsPerSec = this.rate.perSecond();
    return { docsWritten, replayed, dropped, docsPerSec, ...(lastError ? { lastError } : {}) };
  }
}

/** One failed operation of a bulk write: its index in the batch and the server's error code. */
export interface BulkOpError {
  index: number;
  code: number | undefined;
}

export { DUPLICATE_KEY } from '../store/mongo-errors.js';

/**
 * The per-operation errors of a bulk write that reached the server (the other operations were
 * applied), or undefined when the whole write failed (network, timeout, write concern).
 */
export function bulkOpErrors(err: unknown): BulkOpError[] | undefined {
  if (!(err instanceof Error) || err.name !== 'MongoBulkWriteError') return undefined;
  const e = err as Error & { writeErrors?: unknown; err?: unknown };
  if (e.err !== undefined || e.writeErrors === undefined) return undefined;
  const list = (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) as {
    index?: number;
    code?: number;
  }[];
  if (list.length === 0) return undefined;
  return list.map((w) => ({ index: w.index ?? -1, code: w.code }));
}

/** Rejects with STORE_UNAVAILABLE when `p` takes longer than `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AppError('STORE_UNAVAILABLE', 'database read timed out', { ms })),
      ms,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Exponential backoff with ±20 % jitter: attempt 1 → minMs, doubling up to maxMs. */
export function backoffMs(attempt: number, minMs: number, maxMs: number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
