import type { TtsProvider, TtsRequest } from './types.js';

/**
 * Decorator: keeps the frames of every completed synthesis in memory, keyed by
 * (provider, voice, language, text), least-recently-used evicted past `maxBytes`.
 * A changed prompt text is a different key, so edits invalidate themselves.
 * A hit yields the stored frames with no synthesis at all.
 */
export function withAudioCache(
  inner: TtsProvider,
  opts: { maxBytes: number },
): TtsProvider & {
  readonly cachedBytes: number;
  warm(req: TtsRequest): Promise<void>;
} {
  const entries = new Map<string, Buffer[]>();
  let bytes = 0;
  const keyOf = (r: TtsRequest) => `${inner.id}\u0000${r.voice}\u0000${r.language}\u0000${r.text}`;

  function store(key: string, frames: Buffer[]): void {
    const size = frames.length * 160;
    if (size > opts.maxBytes) return;
    entries.set(key, frames);
    bytes += size;
    for (const [k, v] of entries) {
      if (bytes <= opts.maxBytes) break;
      entries.delete(k);
      bytes -= v.length * 160;
    }
  }

  async function* synthesize(req: TtsRequest, signal: AbortSignal): AsyncIterable<Buffer> {
    const key = keyOf(req);
    const hit = entries.get(key);
    if (hit) {
      entries.delete(key);
      entries.set(key, hit); // LRU touch
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
    if (!signal.aborted) store(key, frames);
  }

  return {
    id: inner.id,
    capabilities: inner.capabilities,
    synthesize,
    get cachedBytes() {
      return bytes;
    },
    async warm(req: TtsRequest): Promise<void> {
      if (entries.has(keyOf(req))) return;
      for await (const _ of synthesize(req, new AbortController().signal)) void _;
    },
  };
}
