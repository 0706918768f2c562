/**
 * Prints numbers for the embedded FerretDB runner (docs/adr/0004): start-up time to READY + ping,
 * and insert throughput through mongoose (one document per round trip, and batches).
 * Usage: npx tsx scripts/bench-db.ts [--starts 5] [--inserts 2000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Schema } from 'mongoose';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { connectMongoose } from '../src/store/database.js';
import { startFerretDb } from '../src/store/embedded-server.js';

const { values } = parseArgs({
  options: {
    starts: { type: 'string', default: '5' },
    inserts: { type: 'string', default: '2000' },
  },
});
const starts = Number(values.starts);
const inserts = Number(values.inserts);
const binPath = loadConfig(process.env).db.ferretBin;
const logger = silentLogger();
const dir = await mkdtemp(join(tmpdir(), 'voice-ivr-bench-db-'));

try {
  const startMs: number[] = [];
  for (let i = 0; i < starts; i++) {
    const t0 = performance.now();
    const s = await startFerretDb({ binPath, dataDir: dir, logger });
    startMs.push(performance.now() - t0);
    await s.stop();
  }
  startMs.sort((a, b) => a - b);
  console.log(
    `start-up to READY + ping (${starts} runs): median ${startMs[Math.floor(starts / 2)]?.toFixed(0)} ms, ` +
      `min ${startMs[0]?.toFixed(0)} ms, max ${startMs.at(-1)?.toFixed(0)} ms`,
  );

  const server = await startFerretDb({ binPath, dataDir: dir, logger });
  const conn = await connectMongoose(server.uri, { dbName: 'bench', logger, direct: true });
  const Item = conn.model('Item', new Schema({ key: { type: String, unique: true }, n: Number }));
  await Item.init();

  let t0 = performance.now();
  for (let i = 0; i < inserts; i++) await Item.create({ key: `one-${i}`, n: i });
  let s = (performance.now() - t0) / 1000;
  console.log(
    `insertOne, sequential: ${inserts} docs in ${s.toFixed(2)} s = ${(inserts / s).toFixed(0)} docs/s`,
  );

  const batch = 100;
  t0 = performance.now();
  for (let i = 0; i < inserts; i += batch) {
    const docs = Array.from({ length: batch }, (_, j) => ({ key: `many-${i + j}`, n: i + j }));
    await Item.insertMany(docs);
  }
  s = (performance.now() - t0) / 1000;
  console.log(
    `insertMany, batches of ${batch}: ${inserts} docs in ${s.toFixed(2)} s = ${(inserts / s).toFixed(0)} docs/s`,
  );

  t0 = performance.now();
  for (let i = 0; i < 500; i++) await Item.findOne({ key: `one-${i}` }).lean();
  s = (performance.now() - t0) / 1000;
  console.log(
    `findOne by unique key among ${2 * inserts} docs: 500 in ${s.toFixed(2)} s = ${(500 / s).toFixed(0)} reads/s`,
  );

  await conn.close();
  await server.stop();
} finally {
  await rm(dir, { recursive: true, force: true });
}
