// TEMPORARY (delete after use): update/find by _id latency on the FerretDB runner.
// Usage: npx tsx scripts/tmp-bench-idindex.ts <runner binary> <docs> <ops> [settleMs]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Types } from 'mongoose';
import { silentLogger } from '../src/logger.js';
import { connectMongoose } from '../src/store/database.js';
import { startFerretDb } from '../src/store/embedded-server.js';

const [binPath = '', docsArg = '500', opsArg = '50', settleArg = '2500'] = process.argv.slice(2);
const docs = Number(docsArg);
const ops = Number(opsArg);
const logger = silentLogger();
const keep = process.env.KEEP_DIR;
const dir = keep ?? (await mkdtemp(join(tmpdir(), 'voice-ivr-idx-')));
const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `median ${s[Math.floor(s.length / 2)]!.toFixed(2)} ms, mean ${mean.toFixed(2)} ms, p90 ${s[Math.floor(s.length * 0.9)]!.toFixed(2)} ms`;
};
try {
  const server = await startFerretDb({ binPath, dataDir: dir, logger });
  const conn = await connectMongoose(server.uri, { dbName: 'bench', logger, direct: true });
  const coll = conn.db!.collection('items');
  const ids: Types.ObjectId[] = [];
  let t0 = performance.now();
  for (let i = 0; i < docs; i++) {
    const _id = new Types.ObjectId();
    ids.push(_id);
    await coll.insertOne({ _id, key: `k-${i}`, n: i, payload: 'x'.repeat(200) });
  }
  const insMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, Number(settleArg))); // let the indexer pass run
  const upd: number[] = [];
  const find: number[] = [];
  for (let i = 0; i < ops; i++) {
    const _id = ids[Math.floor(Math.random() * ids.length)]!;
    t0 = performance.now();
    const r = await coll.updateOne({ _id }, { $set: { n: -i } });
    upd.push(performance.now() - t0);
    if (r.modifiedCount !== 1) throw new Error('update missed');
    t0 = performance.now();
    const d = await coll.findOne({ _id });
    find.push(performance.now() - t0);
    if (!d) throw new Error('find missed');
  }
  console.log(`${binPath.split('/').pop()} docs=${docs}: insertOne ${(insMs / docs).toFixed(2)} ms/doc`);
  console.log(`  updateOne by _id (${ops}): ${stats(upd)}`);
  console.log(`  findOne by _id   (${ops}): ${stats(find)}`);
  await conn.close();
  await server.stop();
} finally {
  if (!keep) await rm(dir, { recursive: true, force: true });
}
