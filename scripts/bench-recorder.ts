/**
 * Prints numbers for the call recorder (write-behind to the database): N simultaneous simulated
 * calls, each adding a caller turn and a bot reply (with its timings) every `--turn-ms`, for
 * `--seconds`, recorded through CallRecorder into the embedded FerretDB runner. Reports
 * documents written per second, the backlog over time (it must not grow), and what recording
 * costs the media path (time inside TurnLog/recorder calls, which never wait for the database).
 *
 *   npx tsx scripts/bench-recorder.ts [--calls 200] [--seconds 30] [--turn-ms 2000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { randomSid } from './lib/twilio-client.js';
import type { CallRecord } from '../src/call/call-record.js';
import { CallRecorder } from '../src/call/call-recorder.js';
import { TurnLog } from '../src/call/turn-log.js';
import { nowMs } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { connectMongoose } from '../src/store/database.js';
import { startFerretDb } from '../src/store/embedded-server.js';
import { createModels } from '../src/store/models/index.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    'turn-ms': { type: 'string', default: '2000' },
  },
});
const calls = Number(values.calls);
const seconds = Number(values.seconds);
const turnMs = Number(values['turn-ms']);
const logger = silentLogger();
const dir = await mkdtemp(join(tmpdir(), 'voice-ivr-bench-rec-'));
const server = await startFerretDb({
  binPath: loadConfig(process.env).db.ferretBin,
  dataDir: dir,
  logger,
});
const conn = await connectMongoose(server.uri, { dbName: 'bench', logger, direct: true });
const models = await createModels(conn);
const recorder = await CallRecorder.open({
  model: models.Call,
  spillPath: join(dir, 'spill.jsonl'),
  logger,
});

const costsUs: number[] = [];
const timed = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  costsUs.push((performance.now() - t0) * 1000);
};
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();

function startCall(i: number): { rec: CallRecord; timer: NodeJS.Timeout } {
  const rec: CallRecord = {
    callSid: randomSid('CA'),
    tenantId: 'bench',
    direction: 'inbound',
    from: `+1555${String(i).padStart(7, '0')}`,
    to: '+15550002222',
    flow: { id: 'main-menu', version: 1 },
    startedAtMs: nowMs(),
    turns: [],
    statusEvents: [],
    counters: { framesIn: 0, framesOut: 0, malformed: 0, bargeIns: 0 },
  };
  timed(() => recorder.upsert(rec));
  const log = new TurnLog(rec, (r) => recorder.changed(r));
  let n = 0;
  const timer = setInterval(() => {
    const id = `u${n++}`;
    timed(() => log.caller({ text: 'I would like a large pepperoni pizza', confidence: 0.8 }));
    timed(() => log.bot(id, 'main-menu.ask', 'Would you like to place an order?'));
    timed(() => log.started(id, nowMs()));
    setTimeout(() => timed(() => log.done(id, false)), 300);
  }, turnMs);
  return { rec, timer };
}

const live = Array.from({ length: calls }, (_, i) => startCall(i));
const samples: string[] = [];
const t0 = Date.now();
const sampler = setInterval(() => {
  const s = recorder.stats();
  samples.push(
    `${((Date.now() - t0) / 1000).toFixed(0)}s: ${s.docsPerSec.toFixed(0)} docs/s, backlog ${s.backlogRecords}, failures ${s.consecutiveFailures}`,
  );
  console.log(samples.at(-1));
}, 5000);
await new Promise((r) => setTimeout(r, seconds * 1000));
clearInterval(sampler);
for (const c of live) {
  clearInterval(c.timer);
  c.rec.outcome = 'bench';
  c.rec.endedAtMs = nowMs();
  recorder.upsert(c.rec);
}
await recorder.close(30_000);
loop.disable();

const stored = await models.Call.countDocuments({ tenantId: 'bench' });
const turnsStored = (await models.Call.find({ tenantId: 'bench' }, { turnCount: 1 }).lean()).reduce(
  (n, d) => n + (d.turnCount ?? 0),
  0,
);
const turnsMade = live.reduce((n, c) => n + c.rec.turns.length, 0);
costsUs.sort((a, b) => a - b);
const pct = (p: number) =>
  costsUs[Math.min(costsUs.length - 1, Math.floor((p / 100) * costsUs.length))]!;
const s = recorder.stats();
console.log(`${calls} calls, a turn pair every ${turnMs} ms, ${seconds} s`);
for (const line of samples) console.log(`  ${line}`);
console.log(
  `documents written: ${s.docsWritten} (${(s.docsWritten / seconds).toFixed(0)}/s average)`,
);
console.log(
  `calls stored: ${stored}/${calls}; turns stored: ${turnsStored}/${turnsMade}; spilled: ${s.spilled}`,
);
console.log(
  `media-path cost per recording call: p50 ${pct(50).toFixed(1)} µs, p99 ${pct(99).toFixed(1)} µs, max ${pct(100).toFixed(1)} µs`,
);
console.log(
  `event-loop lag: p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`,
);
await conn.close();
await server.stop();
await rm(dir, { recursive: true, force: true });
