import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ORDER_SCENARIOS } from './scenarios/order-scenarios.js';
import {
  addOrderingNumber,
  runScenarios,
  summarize,
  type ScenarioResult,
} from './scenarios/run-scenarios.js';

/**
 * ≥ 25 ordering calls through the FULL audio path with the offline engines: espeak-ng speaks the
 * caller, the fake Twilio streams paced µ-law over a real WebSocket, pocketsphinx (with the menu
 * grammar) and DTMF drive the real flows, tasks and ordering domain on a real FerretDB, espeak-ng
 * answers. Audio plays in real time, so the calls run a few at a time (SCENARIO_CONCURRENCY,
 * default 2) and the file takes 10-20 minutes.
 *
 * Hard rule: a wrong order is never placed (an order the caller did not ask for and confirm, or
 * any order when the caller did not confirm). A call that fails to complete is not wrong; the
 * completion rate is reported and must stay high.
 */

const CONCURRENCY = Number(process.env.SCENARIO_CONCURRENCY ?? 2);
let srv: TestServer;
let results: ScenarioResult[] = [];

beforeAll(async () => {
  srv = await startTestServer();
  await addOrderingNumber(srv.persistence.models);
  results = await runScenarios(
    { url: srv.url, ordering: srv.persistence.ordering, models: srv.persistence.models },
    ORDER_SCENARIOS,
    { concurrency: CONCURRENCY },
  );
}, 30 * 60_000);

afterAll(async () => {
  await srv?.stopAll();
});

describe('ordering scenarios (full audio path)', () => {
  it('covers at least 25 calls', () => {
    expect(ORDER_SCENARIOS.length).toBeGreaterThanOrEqual(25);
    expect(results).toHaveLength(ORDER_SCENARIOS.length);
  });

  it.each(ORDER_SCENARIOS.map((s, i) => [s.name, i] as const))(
    '%s: never a wrong order',
    (_name, i) => {
      const r = results[i]!;
      if (r.verdict !== 'correct') {
        process.stderr.write(
          `[${r.verdict}] ${r.scenario.name}: ${r.why}\n  ${r.transcript.join('\n  ')}\n`,
        );
      }
      expect({ name: r.scenario.name, verdict: r.verdict === 'wrong' ? r.why : 'ok' }).toEqual({
        name: r.scenario.name,
        verdict: 'ok',
      });
    },
  );

  it('completes most calls; reports completion rate, caller turns and call duration', () => {
    const s = summarize(results);
    process.stderr.write(
      `ordering scenarios: ${s.calls} calls, ${s.correct} correct, ${s.incomplete} incomplete, ` +
        `${s.wrong} wrong; completion ${(s.completionRate * 100).toFixed(0)} %, ` +
        `${s.meanCallerTurnsPerOrder.toFixed(1)} caller turns per order, ` +
        `mean call ${(s.meanCallDurationMs / 1000).toFixed(1)} s\n`,
    );
    expect(s.wrong).toBe(0);
    // A regression floor, not a goal: measured 45 % (27 calls, 3 at a time, loaded 2-core box),
    // lost to offline misrecognition (the menu grammar) and to turn timeouts under load.
    expect(s.completionRate).toBeGreaterThanOrEqual(0.3);
  });
});
