import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpillFile, type SpillEntry } from '../../../src/call/spill-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'voice-ivr-spill-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const status = (n: number): SpillEntry => ({
  kind: 'status',
  callSid: `CA${n}`,
  ev: { status: 'ringing', atMs: n },
});

describe('SpillFile', () => {
  it('replays appended entries in order, in batches, then removes the file', async () => {
    const f = new SpillFile(join(dir, 'spill.jsonl'));
    await f.open();
    await f.append([status(1), status(2)]);
    await f.append([status(3)]);
    expect(f.hasData).toBe(true);
    const batches: number[][] = [];
    const n = await f.replay(
      async (b) => void batches.push(b.map((e) => (e.kind === 'status' ? e.ev.atMs : 0))),
      2,
    );
    expect(n).toBe(3);
    expect(batches).toEqual([[1, 2], [3]]);
    expect(f.hasData).toBe(false);
    expect(existsSync(join(dir, 'spill.jsonl'))).toBe(false);
  });

  it('keeps the file when a batch fails, and replays it from the start next time', async () => {
    const f = new SpillFile(join(dir, 'spill.jsonl'));
    await f.open();
    await f.append([status(1), status(2), status(3)]);
    let calls = 0;
    await expect(
      f.replay(async () => {
        if (++calls === 2) throw new Error('db down');
      }, 1),
    ).rejects.toThrow('db down');
    expect(f.hasData).toBe(true);
    const seen: number[] = [];
    await f.replay(
      async (b) => void seen.push(...b.map((e) => (e.kind === 'status' ? e.ev.atMs : 0))),
    );
    expect(seen).toEqual([1, 2, 3]);
  });

  it('takes appends made during a replay into a fresh file, replayed after', async () => {
    const f = new SpillFile(join(dir, 'spill.jsonl'));
    await f.open();
    await f.append([status(1)]);
    const seen: number[] = [];
    await f.replay(async (b) => {
      seen.push(...b.map((e) => (e.kind === 'status' ? e.ev.atMs : 0)));
      if (seen.length === 1) await f.append([status(2)]);
    });
    expect(seen).toEqual([1, 2]);
    expect(f.hasData).toBe(false);
  });

  it('is picked up by the next process; a torn last line is skipped', async () => {
    const path = join(dir, 'spill.jsonl');
    const first = new SpillFile(path);
    await first.open();
    await first.append([status(1)]);
    await appendFile(path, '{"kind":"status","callSid":"CA2","ev":{"sta');
    const second = new SpillFile(path);
    await second.open();
    expect(second.sizeBytes).toBe((await readFile(path)).length);
    const seen: SpillEntry[] = [];
    await second.replay(async (b) => void seen.push(...b));
    expect(seen).toEqual([status(1)]);
    expect(second.corruptLines).toBe(1);
  });
});
