import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FRAME_BYTES } from '../media/framing.js';

/**
 * Prompt audio on disk, one file per cache key: `<dir>/<sha256(key)>.ulaw`.
 *
 * File layout: MAGIC (8 bytes) | key length (u32 BE) | audio length (u32 BE) |
 * sha256(key ‖ audio) (32 bytes) | key (UTF-8) | audio (µ-law 8 kHz, whole 160-byte frames).
 * A file whose layout, key or digest does not check out (truncated, corrupt, hash collision) is
 * treated as absent. Writes go to a unique temp file in the same directory, then rename, so a
 * reader never sees a partial file.
 */
const MAGIC = Buffer.from('IVRTTS1\n', 'latin1');
const HEADER = MAGIC.length + 4 + 4 + 32;
const EXT = '.ulaw';
const TMP_EXT = '.tmp';

export function fileNameOf(key: string): string {
  return createHash('sha256').update(key).digest('hex') + EXT;
}

function digest(key: Buffer, audio: Buffer): Buffer {
  return createHash('sha256').update(key).update(audio).digest();
}

export class DiskAudioStore {
  /** File names present in the directory (listed once, then kept up to date by this process). */
  private names: Promise<Set<string>> | undefined;

  constructor(private readonly dir: string) {}

  private list(): Promise<Set<string>> {
    this.names ??= readdir(this.dir).then(
      (all) => new Set(all.filter((n) => n.endsWith(EXT))),
      () => new Set<string>(),
    );
    return this.names;
  }

  /** Whether a file for `key` is believed present (no file read). */
  async has(key: string): Promise<boolean> {
    return (await this.list()).has(fileNameOf(key));
  }

  /** The stored frames, or undefined when absent or invalid (an invalid file is deleted). */
  async read(key: string): Promise<Buffer[] | undefined> {
    const name = fileNameOf(key);
    if (!(await this.list()).has(name)) return undefined;
    let file: Buffer;
    try {
      file = await readFile(join(this.dir, name));
    } catch {
      (await this.list()).delete(name);
      return undefined;
    }
    const audio = decode(file, key);
    if (!audio) {
      await this.remove(name);
      return undefined;
    }
    const frames: Buffer[] = [];
    for (let off = 0; off < audio.length; off += FRAME_BYTES) {
      frames.push(audio.subarray(off, off + FRAME_BYTES));
    }
    return frames;
  }

  /** Stores frames for `key` atomically (temp file + rename). Rejects on I/O failure. */
  async write(key: string, frames: readonly Buffer[]): Promise<void> {
    const keyBuf = Buffer.from(key, 'utf8');
    const audio = Buffer.concat(frames);
    const head = Buffer.alloc(HEADER);
    MAGIC.copy(head, 0);
    head.writeUInt32BE(keyBuf.length, MAGIC.length);
    head.writeUInt32BE(audio.length, MAGIC.length + 4);
    digest(keyBuf, audio).copy(head, MAGIC.length + 8);
    const name = fileNameOf(key);
    const tmp = join(
      this.dir,
      `${name}.${process.pid}.${randomBytes(4).toString('hex')}${TMP_EXT}`,
    );
    await mkdir(this.dir, { recursive: true });
    try {
      await writeFile(tmp, Buffer.concat([head, keyBuf, audio]));
      await rename(tmp, join(this.dir, name));
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    (await this.list()).add(name);
  }

  /**
   * Deletes every audio file whose key is not in `keep`, and temp files left by other processes
   * (e.g. a crash mid-write). Returns the
   * number of files removed. Other files in the directory are left alone.
   */
  async prune(keep: Iterable<string>): Promise<number> {
    const wanted = new Set<string>();
    for (const k of keep) wanted.add(fileNameOf(k));
    let all: string[];
    try {
      all = await readdir(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const n of all) {
      const tmp = n.endsWith(TMP_EXT) && !n.includes(`.${process.pid}.`); // ours may be in flight
      const stale = (n.endsWith(EXT) && !wanted.has(n)) || tmp;
      if (stale && (await this.remove(n))) removed++;
    }
    return removed;
  }

  private async remove(name: string): Promise<boolean> {
    (await this.list()).delete(name);
    return unlink(join(this.dir, name)).then(
      () => true,
      () => false,
    );
  }
}

/** The audio of a valid file for `key`, else undefined. */
function decode(file: Buffer, key: string): Buffer | undefined {
  if (file.length < HEADER || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const keyLen = file.readUInt32BE(MAGIC.length);
  const audioLen = file.readUInt32BE(MAGIC.length + 4);
  if (file.length !== HEADER + keyLen + audioLen || audioLen % FRAME_BYTES !== 0) return undefined;
  if (audioLen === 0) return undefined;
  const keyBuf = file.subarray(HEADER, HEADER + keyLen);
  if (keyBuf.toString('utf8') !== key) return undefined;
  const audio = file.subarray(HEADER + keyLen);
  const sum = file.subarray(MAGIC.length + 8, HEADER);
  return digest(keyBuf, audio).equals(sum) ? audio : undefined;
}
