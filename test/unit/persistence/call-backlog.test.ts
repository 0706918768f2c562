import { Backlog } from '../../../src/call/call-backlog.js';
import type { CallRecord } from '../../../src/call/call-record.js';

const rec = (sid: string, ended = false, turns = 0): CallRecord => ({
  callSid: sid,
  direction: 'inbound',
  startedAtMs: 1,
  ...(ended ? { endedAtMs: 2 } : {}),
  turns: Array.from({ length: turns }, () => ({
    role: 'bot' as const,
    text: 'x'.repeat(100),
    atMs: 1,
    timings: {},
  })),
  statusEvents: [],
  counters: { framesIn: 0, framesOut: 0, malformed: 0, bargeIns: 0 },
});
const result = (o: { retry?: number[]; refused?: number[] } = {}) => ({
  applied: 0,
  retry: new Set(o.retry ?? []),
  refused: new Set(o.refused ?? []),
});

describe('Backlog', () => {
  it('holds one entry per call however often it changes', () => {
    const b = new Backlog();
    const r = rec('CA1');
    b.addRecord(r);
    b.addRecord(r);
    expect(b.recordCount).toBe(1);
    expect(b.take(10).records).toEqual([r]);
    expect(b.size).toBe(0);
  });

  it('sheds the oldest ended calls first, then live ones, then statuses, to half the bound', () => {
    const b = new Backlog();
    for (let i = 0; i < 6; i++) b.addRecord(rec(`CA${i}`, i % 2 === 1));
    for (let i = 0; i < 4; i++)
      b.addStatus({ callSid: 'CAx', ev: { status: 'ringing', atMs: i }, refusals: 0 });
    expect(b.shed(20, 1e9)).toEqual([]);
    const shed = b.shed(8, 1e9);
    expect(shed.map((e) => (e.kind === 'call' ? e.record.callSid : 'status'))).toEqual([
      'CA1',
      'CA3',
      'CA5',
      'CA0',
      'CA2',
      'CA4',
    ]);
    expect(b.size).toBe(4);
  });

  it('sheds by estimated bytes too', () => {
    const b = new Backlog();
    for (let i = 0; i < 4; i++) b.addRecord(rec(`CA${i}`, true, 50));
    const perRecord = b.bytes() / 4;
    expect(b.shed(100, perRecord * 3).length).toBe(3);
  });

  it('settles a write: retries what was unconfirmed, gives up a record refused 5 times', () => {
    const b = new Backlog();
    const [a, c] = [rec('CAa'), rec('CAc')];
    const s = { callSid: 'CAa', ev: { status: 'ringing', atMs: 1 }, refusals: 0 };
    // ops: 0 = a, 1 = c, 2-3 = the status
    expect(b.settle([a, c], [s], result({ retry: [1, 3] }))).toEqual({ stored: [a], dropped: 0 });
    expect(b.take(10)).toEqual({ records: [c], statuses: [s] });
    let dropped = 0;
    for (let i = 0; i < 5; i++) {
      dropped += b.settle([a], [], result({ refused: [0] })).dropped;
      b.take(10);
    }
    expect(dropped).toBe(1);
  });

  it('does not requeue a record that changed while its write was in flight (it is already back)', () => {
    const b = new Backlog();
    const r = rec('CA1');
    b.addRecord(r);
    const taken = b.take(10);
    b.addRecord(r);
    b.requeue(taken.records, taken.statuses);
    expect(b.recordCount).toBe(1);
  });
});
