/**
 * Ordering scenario bench: places the scripted ordering calls of
 * test/flows/scenarios/order-scenarios.ts through the full audio path (espeak-ng caller, fake
 * Twilio Media Streams, pocketsphinx, real flows, tasks and ordering domain, espeak-ng bot) against
 * an in-process service with its own FerretDB, and reports:
 *   completion rate      share of ordering calls that placed exactly the intended order
 *   caller turns/order   mean utterances and key presses of the completed ordering calls
 *   call duration        mean wall-clock length of a call (audio is paced in real time)
 * and every wrong order (there must be none).
 *
 *   npx tsx scripts/bench-ordering.ts [--concurrency 3] [--only 0,2,5] [--json] [--verbose]
 *
 * Exit code: 0 = no wrong order, 1 = at least one wrong order, 2 = the bench failed to run.
 */
import { parseArgs } from 'node:util';
import { startTestServer } from '../test/helpers/server.js';
import { ORDER_SCENARIOS } from '../test/flows/scenarios/order-scenarios.js';
import {
  addOrderingNumber,
  runScenarios,
  summarize,
  type ScenarioResult,
} from '../test/flows/scenarios/run-scenarios.js';

function report(r: ScenarioResult, verbose: boolean): void {
  const secs = (r.durationMs / 1000).toFixed(1);
  process.stderr.write(
    `[${r.verdict}] ${r.scenario.name} (${secs} s, ${r.callerTurns} turns): ${r.why}\n`,
  );
  if (verbose || r.verdict !== 'correct') process.stderr.write(`  ${r.transcript.join('\n  ')}\n`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string', default: '3' },
      only: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const only = values.only?.split(',').map(Number);
  const scenarios = only ? only.flatMap((i) => ORDER_SCENARIOS[i] ?? []) : ORDER_SCENARIOS;
  const srv = await startTestServer();
  try {
    await addOrderingNumber(srv.persistence.models);
    const results = await runScenarios(
      { url: srv.url, ordering: srv.persistence.ordering, models: srv.persistence.models },
      scenarios,
      { concurrency: Number(values.concurrency), onResult: (r) => report(r, values.verbose) },
    );
    const s = summarize(results);
    if (values.json) process.stdout.write(`${JSON.stringify(s)}\n`);
    else {
      process.stdout.write(
        `${s.calls} calls: ${s.correct} correct, ${s.incomplete} incomplete, ${s.wrong} wrong\n` +
          `completion rate      ${(s.completionRate * 100).toFixed(1)} %\n` +
          `caller turns/order   ${s.meanCallerTurnsPerOrder.toFixed(2)}\n` +
          `mean call duration   ${(s.meanCallDurationMs / 1000).toFixed(1)} s\n`,
      );
    }
    return s.wrong > 0 ? 1 : 0;
  } finally {
    await srv.stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
