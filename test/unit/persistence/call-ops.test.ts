import { callWrite, mergePage, statusWrites, toRecord } from '../../../src/call/call-ops.js';
import type { CallRecord } from '../../../src/call/call-record.js';
import type { CallDoc } from '../../../src/store/models/call.model.js';
import { writeCalls } from '../../../src/call/call-writes.js';
import type { CallModel } from '../../../src/store/models/call.model.js';

const rec = (sid: string, startedAtMs: number, extra: Partial<CallRecord> = {}): CallRecord => ({
  callSid: sid,
  direction: 'inbound',
  startedAtMs,
  turns: [],
  statusEvents: [],
  counters: { framesIn: 0, framesOut: 0, malformed: 0, bargeIns: 0 },
  ...extra,
});

describe('call writes', () => {
  it('upsert the whole record by callSid, without undefined or non-finite values', () => {
    const r = rec('CA1', 1000, {
      endedAtMs: 1500,
      turns: [
        {
          role: 'caller',
          text: 'hi',
          confidence: NaN,
          atMs: 1001,
          timings: { sttFinalMs: Infinity, speechEndMs: 1000 },
        },
      ],
    });
    const op = callWrite(r, 2000) as {
      updateOne: { filter: object; update: { $set: Record<string, unknown> }; upsert: boolean };
    };
    expect(op.updateOne.filter).toEqual({ _id: 'CA1' });
    expect(op.updateOne.upsert).toBe(true);
    const set = op.updateOne.update.$set;
    expect(set).toMatchObject({ durationMs: 500, turnCount: 1, updatedAtMs: 2000 });
    expect(set).not.toHaveProperty('statusEvents');
    expect(set).not.toHaveProperty('from');
    expect(set.turns).toEqual([
      { role: 'caller', text: 'hi', atMs: 1001, timings: { speechEndMs: 1000 } },
    ]);
  });

  it('add a status with two writes that cannot fail on a replay', () => {
    const [ensure, push] = statusWrites('CA1', { status: 'completed', atMs: 5, sequence: 2 });
    expect(ensure).toEqual({
      updateOne: {
        filter: { _id: 'CA1' },
        update: { $setOnInsert: { callSid: 'CA1', updatedAtMs: 5 } },
        upsert: true,
      },
    });
    expect(push).toEqual({
      updateOne: {
        filter: { _id: 'CA1', statusKeys: { $ne: 'completed#2' } },
        update: {
          $push: {
            statusEvents: { status: 'completed', atMs: 5, sequence: 2 },
            statusKeys: 'completed#2',
          },
        },
      },
    });
  });

  it('treat every write after the first failure as unconfirmed (FerretDB stops there)', async () => {
    const err = Object.assign(new Error('bulk'), {
      name: 'MongoBulkWriteError',
      writeErrors: [{ index: 1, code: 2 }],
    });
    Object.defineProperty(err, 'name', { value: 'MongoBulkWriteError' });
    const model = {
      collection: { bulkWrite: async () => Promise.reject(err) },
    } as unknown as CallModel;
    const ops = [0, 1, 2, 3].map((i) => callWrite(rec(`CA${i}`, i), 0));
    const r = await writeCalls(model, ops, 1000);
    expect(r).toEqual({ applied: 1, refused: new Set([1]), retry: new Set([2, 3]) });
    const down = {
      collection: { bulkWrite: async () => Promise.reject(new Error('ECONNREFUSED')) },
    } as unknown as CallModel;
    await expect(writeCalls(down, ops, 1000)).rejects.toThrow('ECONNREFUSED');
  });
});

describe('reading calls back', () => {
  it('maps a stub created by an early status callback', () => {
    const doc = {
      callSid: 'CA1',
      updatedAtMs: 9,
      statusEvents: [
        { status: 'completed', atMs: 7, sequence: 1 },
        { status: 'ringing', atMs: 5, sequence: 0 },
      ],
    } as CallDoc;
    expect(toRecord(doc)).toEqual({
      callSid: 'CA1',
      direction: 'unknown',
      startedAtMs: 5,
      turns: [],
      statusEvents: [
        { status: 'ringing', atMs: 5, sequence: 0 },
        { status: 'completed', atMs: 7, sequence: 1 },
      ],
      counters: { framesIn: 0, framesOut: 0, malformed: 0, bargeIns: 0 },
    });
  });

  it('merge a page with records not written yet, and prefer the fresher memory copy', () => {
    const stored = {
      callSid: 'CA2',
      startedAtMs: 2,
      updatedAtMs: 2,
      turns: [],
    } as unknown as CallDoc;
    const live2 = rec('CA2', 2, { outcome: 'fresh' });
    const unwritten = rec('CA3', 3);
    const q = { limit: 10, offset: 0 };
    const page = mergePage(
      { total: 1, docs: [stored] },
      [unwritten, live2],
      q,
      (sid) => sid === 'CA3',
    );
    expect(page.total).toBe(2);
    expect(page.items.map((c) => [c.callSid, c.outcome])).toEqual([
      ['CA3', undefined],
      ['CA2', 'fresh'],
    ]);
    const second = mergePage(
      { total: 1, docs: [] },
      [unwritten],
      { limit: 10, offset: 10 },
      () => true,
    );
    expect(second).toEqual({ total: 2, items: [] });
  });
});
