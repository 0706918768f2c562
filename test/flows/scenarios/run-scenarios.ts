import type { CallRecord } from '../../../src/call/call-record.js';
import { runInteractiveCall, type CallerRun } from './interactive-call.js';
import type { Order, Ordering } from '../../../src/domain/ordering/index.js';
import type { Models } from '../../../src/store/models/index.js';
import {
  MENU_NUMBER,
  ORDER_NUMBER,
  SCENARIO_TENANT,
  type OrderScenario,
} from './order-scenarios.js';

/**
 * Runs ordering scenarios as real phone calls against a running service and judges each by the
 * orders that exist afterwards (the domain, not the transcript, is the truth):
 * - `correct`: the intended order exists exactly once (or, when none was intended, none does);
 * - `incomplete`: an order was intended but none was placed (the call failed, nothing wrong);
 * - `wrong`: an order exists that the caller did not ask for or confirm. Must never happen.
 */

export type Verdict = 'correct' | 'incomplete' | 'wrong';

export interface ScenarioResult {
  scenario: OrderScenario;
  caller: string;
  verdict: Verdict;
  why: string;
  outcome: string;
  durationMs: number;
  callerTurns: number;
  transcript: string[];
  orders: string[][];
}

export interface ScenarioService {
  url: string;
  ordering: Ordering;
  models: Models;
}

/** Lets the ordering flow answer ORDER_NUMBER directly (skipping the main menu's prompts). */
export async function addOrderingNumber(models: Models): Promise<void> {
  await models.TenantNumber.updateOne(
    { _id: ORDER_NUMBER },
    { $setOnInsert: { tenantId: SCENARIO_TENANT, flowId: 'ordering', createdAtMs: Date.now() } },
    { upsert: true },
  ).exec();
}

/** "<quantity> <variant> <item>[ +modifier…]" of each line, in order. */
export function lineKeys(order: Pick<Order, 'lines'>): string[] {
  return order.lines.map((l) =>
    [
      `${l.quantity} ${l.variantId} ${l.itemId}`,
      ...[...l.modifierIds].sort().map((m) => `+${m}`),
    ].join(' '),
  );
}

function judge(
  s: OrderScenario,
  placed: Order[],
  outcome: string,
): { verdict: Verdict; why: string } {
  const got = placed.map(lineKeys);
  const e = s.expect;
  if ('existing' in e || 'none' in e) {
    if (placed.length > 0) return { verdict: 'wrong', why: `placed ${JSON.stringify(got)}` };
    if ('none' in e && e.outcome && e.outcome !== outcome) {
      return { verdict: 'incomplete', why: `ended ${outcome}` };
    }
    return { verdict: 'correct', why: `no new order (ended ${outcome})` };
  }
  if (placed.length === 0) return { verdict: 'incomplete', why: `no order (ended ${outcome})` };
  const want = JSON.stringify(e.order.lines);
  const ok =
    placed.length === 1 &&
    JSON.stringify(got[0]) === want &&
    (e.order.fulfilment === undefined || placed[0]!.fulfilment === e.order.fulfilment);
  return ok
    ? { verdict: 'correct', why: 'order as intended' }
    : { verdict: 'wrong', why: `placed ${JSON.stringify(got)}, wanted ${want}` };
}

/** Runs one scenario as caller `caller`. */
export async function runScenario(
  svc: ScenarioService,
  s: OrderScenario,
  caller: string,
): Promise<ScenarioResult> {
  await s.setup?.({ ordering: svc.ordering, caller });
  const before = await ordersOf(svc, caller);
  let r: CallerRun | undefined;
  let error = '';
  try {
    r = await runInteractiveCall({
      server: svc.url,
      from: caller,
      to: s.via === 'menu' ? MENU_NUMBER : ORDER_NUMBER,
      steps: s.steps,
      turnTimeoutMs: 45_000,
    });
  } catch (err) {
    error = (err as Error).message;
  }
  const after = await ordersOf(svc, caller);
  const placed = after.filter((o) => !before.some((b) => b.id === o.id));
  const outcome = r?.outcome ?? `error: ${error}`;
  let v = judge(s, placed, outcome);
  if ('existing' in s.expect && v.verdict === 'correct') {
    const status = after.find((o) => o.id === before[0]?.id)?.status;
    if (status !== s.expect.existing) v = { verdict: 'incomplete', why: `order is ${status}` };
  }
  return {
    scenario: s,
    caller,
    ...v,
    outcome,
    durationMs: r?.durationMs ?? 0,
    callerTurns: r?.record?.turns.filter((t) => t.role === 'caller').length ?? 0,
    transcript: transcriptOf(r?.record),
    orders: placed.map(lineKeys),
  };
}

/** Bot and caller turns; caller turns as heard, with the recognizer's confidence. */
function transcriptOf(rec: CallRecord | undefined): string[] {
  return (rec?.turns ?? []).map((t) => {
    if (t.role === 'bot') return `bot: ${t.text ?? ''}`;
    if (t.digits !== undefined) return `caller: [key ${t.digits}]`;
    if (t.noInput) return 'caller: [no input]';
    return `caller: "${t.text ?? ''}" ${t.confidence ?? ''}`;
  });
}

async function ordersOf(svc: ScenarioService, phone: string): Promise<Order[]> {
  return (await svc.ordering.orders.list({ phone, limit: 20, offset: 0 })).orders;
}

/** Runs every scenario, `concurrency` calls at a time; caller numbers are unique per scenario. */
export async function runScenarios(
  svc: ScenarioService,
  scenarios: readonly OrderScenario[],
  o: { concurrency: number; callerPrefix?: string; onResult?: (r: ScenarioResult) => void },
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = new Array(scenarios.length);
  let next = 0;
  const prefix = o.callerPrefix ?? '+1555030';
  const worker = async () => {
    while (next < scenarios.length) {
      const i = next++;
      const r = await runScenario(svc, scenarios[i]!, `${prefix}${String(i).padStart(4, '0')}`);
      results[i] = r;
      o.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  return results;
}

export interface ScenarioSummary {
  calls: number;
  correct: number;
  incomplete: number;
  wrong: number;
  /** Share of calls meant to place an order that placed exactly it. */
  completionRate: number;
  /** Mean caller turns (utterances and key presses) of calls that placed their order. */
  meanCallerTurnsPerOrder: number;
  /** Mean wall-clock duration of every call, ms (audio is paced in real time). */
  meanCallDurationMs: number;
}

export function summarize(results: readonly ScenarioResult[]): ScenarioSummary {
  const ordering = results.filter((r) => 'order' in r.scenario.expect);
  const completed = ordering.filter((r) => r.verdict === 'correct');
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    calls: results.length,
    correct: results.filter((r) => r.verdict === 'correct').length,
    incomplete: results.filter((r) => r.verdict === 'incomplete').length,
    wrong: results.filter((r) => r.verdict === 'wrong').length,
    completionRate: ordering.length ? completed.length / ordering.length : 0,
    meanCallerTurnsPerOrder: mean(completed.map((r) => r.callerTurns)),
    meanCallDurationMs: Math.round(mean(results.map((r) => r.durationMs))),
  };
}
