import { errorSummary } from '../errors.js';
import type { Logger } from '../logger.js';
import { FRAME_BYTES } from '../media/framing.js';
import { DiskAudioStore } from './cache-disk.js';
import type { TtsProvider, TtsRequest } from './types.js';

export interface AudioCacheOptions {
  /** In-memory budget in bytes of audio; least-recently-used entries are evicted past it. */
  maxBytes: number;
  /** Directory keeping warmed prompts' audio across restarts; absent = memory only. */
  dir?: string;
  /** Whatever else changes the audio of a request (vendor voice id, model); part of every key. */
  variant?: string;
  /**
   * Asked when a synthesis has completed; false = do not keep this audio (e.g. a failover
   * decorator may have served its fallback voice). Default: always keep.
   */
  storeIf?: () => boolean;
  logger?: Logger;
}

export interface AudioCache extends TtsProvider {
  /** Bytes of audio held in memory. */
  readonly cachedBytes: number;
  /**
   * Marks `req` as a static prompt (kept on disk when `dir` is set) and loads its audio into
   * memory: from memory, else the disk file, else by synthesizing it. Resolves once the audio is
   * in memory and on disk; rejects with the synthesis error.
   */
  warm(req: TtsRequest): Promise<void>;
  /**
   * Deletes files on disk whose key was not warmed by this process (prompts edited or removed,
   * another voice or provider). Call once after warming every static prompt. Returns the count.
   */
  pruneDisk(): Promise<number>;
}

/**
 * Decorator: keeps the frames of every completed synthesis in memory, keyed by (provider id,
 * variant, voice, language, text), LRU-evicted past `maxBytes`. A changed prompt text is a
 * different key, so edits invalidate themselves. Warmed (static) prompts are also written to
 * `dir`; texts that were never warmed (per-call variables, possibly PII) never touch the disk.
 *
 * Hit (memory): the stored frames are yielded at once, no I/O and no synthesis. Miss: if a disk
 * file exists it is read (then kept in memory); otherwise the inner stream is passed through
 * frame by frame while being recorded, and stored only if it ran to completion (not on abort,
 * error, or a consumer that stopped early). Aborting `signal` ends the iteration without further
 * frames.
 */
export function withAudioCache(inner: TtsProvider, opts: AudioCacheOptions): AudioCache {
  const memory = new MemoryLru(opts.maxBytes);
  const disk = opts.dir ? new DiskAudioStore(opts.dir) : undefined;
  const warmed = new Set<string>();
  const writes = new Map<string, Promise<void>>();
  const keyOf = (r: TtsRequest) =>
    JSON.stringify([inner.id, opts.variant ?? '', r.voice, r.language, r.text]);

  function persist(key: string, frames: Buffer[]): Promise<void> {
    if (!disk || !warmed.has(key)) return Promise.resolve();
    const p = disk
      .write(key, frames)
      .catch((err: unknown) =>
        opts.logger?.warn({ err: errorSummary(err) }, 'tts cache: could not write audio file'),
      )
      .finally(() => writes.delete(key));
    writes.set(key, p);
    return p;
  }

  async function fromDisk(key: string): Promise<Buffer[] | undefined> {
    if (!disk || !(await disk.has(key))) return undefined;
    const frames = await disk.read(key);
    if (frames) memory.set(key, frames);
    return frames;
  }

  async function* synthesize(req: TtsRequest, signal: AbortSignal): AsyncGenerator<Buffer> {
    const key = keyOf(req);
    const hit = memory.get(key) ?? (await fromDisk(key));
    if (hit) {
      for (const f of hit) {
        if (signal.aborted) return;
        yield f;
      }
      return;
    }
    const frames: Buffer[] = [];
    for await (const f of inner.synthesize(req, signal)) {
      frames.push(f);
      yield f;
    }
    if (signal.aborted || frames.length === 0 || (opts.storeIf && !opts.storeIf())) return;
    memory.set(key, frames);
    void persist(key, frames);
  }

  async function warm(req: TtsRequest): Promise<void> {
    const key = keyOf(req);
    warmed.add(key);
    const inMemory = memory.peek(key);
    if (inMemory) {
      if (disk && !(await disk.has(key))) await persist(key, inMemory);
      return;
    }
    if (await fromDisk(key)) return;
    for await (const _ of synthesize(req, new AbortController().signal)) void _;
    await writes.get(key);
  }

  return {
    id: inner.id,
    capabilities: inner.capabilities,
    synthesize,
    get cachedBytes() {
      return memory.bytes;
    },
    warm,
    pruneDisk: async () => (disk ? disk.prune(warmed) : 0),
  };
}

/** Frames by key, least-recently-used first; `bytes` never exceeds `maxBytes` after a set. */
class MemoryLru {
  private readonly entries = new Map<string, Buffer[]>();
  bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Frames for `key`, marking it most recently used. */
  get(key: string): Buffer[] | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  peek(key: string): Buffer[] | undefined {
    return this.entries.get(key);
  }

  set(key: string, frames: Buffer[]): void {
    const size = frames.length * FRAME_BYTES;
    if (size > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.length * FRAME_BYTES;
    }
    this.entries.set(key, frames);
    this.bytes += size;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.length * FRAME_BYTES;
    }
  }
}
