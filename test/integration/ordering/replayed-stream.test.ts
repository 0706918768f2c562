import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runSimulatedCall, type SimStep } from '../../../scripts/lib/simulated-call.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * The whole call path, offline engines: a call's media stream replayed after its order was
 * placed (Twilio reconnecting the same callSid, or a retried stream) walks the same dialog
 * again, and the business still has exactly one order: placing is keyed by the call.
 */
const CALLER = '+15550104242';
const SID = 'CA0123456789abcdef0123456789abcdef';
const STEPS: SimStep[] = [
  { kind: 'dtmf', digits: '1' },
  { kind: 'say', text: 'two large pepperoni pizzas' },
  { kind: 'dtmf', digits: '#' },
  { kind: 'dtmf', digits: '1' },
  { kind: 'dtmf', digits: '1' },
];

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
}, 120_000);
afterAll(async () => {
  await srv?.stopAll();
});

describe('a replayed stream of the same call', () => {
  it('places one order, and the replay reads back the same order number', async () => {
    const call = () =>
      runSimulatedCall({
        server: srv.url,
        from: CALLER,
        to: '+15550002222',
        callSid: SID,
        steps: STEPS,
      });
    const first = await call();
    expect(first.problems).toEqual([]);
    expect(first.outcome).toBe('order:placed');
    const second = await call();
    expect(second.outcome).toBe('order:placed');
    const { orders } = await srv.persistence.ordering.orders.list({
      phone: CALLER,
      limit: 10,
      offset: 0,
    });
    expect(orders).toHaveLength(1);
    expect(orders[0]!.lines.map((l) => `${l.quantity} ${l.variantId} ${l.itemId}`)).toEqual([
      '2 large pepperoni',
    ]);
    const lastSaid = (r: typeof first) =>
      r.record!.turns.filter((t) => t.role === 'bot').at(-1)?.text ?? '';
    expect(lastSaid(second)).toContain(`order number is ${orders[0]!.number}`);
    expect(lastSaid(first)).toContain(`order number is ${orders[0]!.number}`);
  }, 240_000);
});
