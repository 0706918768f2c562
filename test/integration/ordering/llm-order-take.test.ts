import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { ProviderHealth } from '../../../src/providers/health.js';
import { buildTaskCatalog } from '../../../src/call/task-catalog.js';
import type { TaskHandler } from '../../../src/dialog/task-types.js';
import { startFakeOpenAi } from '../../fakes/openai-server.js';
import { startOrderWorld, type OrderWorld } from '../../flows/scenarios/order-harness.js';

type OpenAiFake = Awaited<ReturnType<typeof startFakeOpenAi>>;

/**
 * `order.take` with OPENAI_API_KEY set: words the rules cannot parse go to the model (the real
 * `openai` client against a Chat Completions fake); what it returns is matched against the
 * catalog and always read back for confirmation, never added on its own.
 */
let world: OrderWorld;
let ai: OpenAiFake;
let take: TaskHandler;
const logger = silentLogger();
const ctx = { callSid: 'CAllm', tenantId: 'demo-pizzeria', caller: '+15550109999', logger };
const run = (text: string) =>
  take({ text, confidence: 0.9, cart: '[]' }, ctx, new AbortController().signal);

beforeAll(async () => {
  [world, ai] = await Promise.all([startOrderWorld(), startFakeOpenAi({})]);
  const config = loadConfig({
    OPENAI_API_KEY: ai.apiKey,
    OPENAI_BASE_URL: ai.url,
    OPENAI_TIMEOUT_MS: '800',
  });
  const catalog = buildTaskCatalog({
    config,
    ordering: world.ordering,
    health: new ProviderHealth({ cooldownMs: 10 }),
    logger,
  });
  take = catalog.handlers.get('order.take')!;
}, 60_000);
afterAll(async () => {
  await Promise.all([world?.stop(), ai?.close()]);
});

describe('order.take with the LLM step', () => {
  it('what the rules cannot parse is asked of the model, and its items are confirmed first', async () => {
    ai.enqueue({
      toolCall: {
        name: 'order_items',
        args: { items: [{ name: 'pepperoni pizza', size: 'large', quantity: 2, modifiers: null }] },
      },
    });
    const before = ai.requests.length;
    const r = await run('i am starving feed me');
    expect(ai.requests.length).toBe(before + 1);
    expect(r.outcome).toBe('confirmItem');
    expect(String(r.slots?.pendingSummary)).toContain('pepperoni');
    expect(r.slots?.itemCount).toBe(0); // nothing added until the caller says yes
  });

  it('an item the catalog does not have is not invented', async () => {
    ai.enqueue({
      toolCall: {
        name: 'order_items',
        args: { items: [{ name: 'lobster thermidor', size: null, quantity: 1, modifiers: null }] },
      },
    });
    const r = await run('just surprise me');
    expect(r.outcome).not.toBe('changed');
    expect(r.outcome).not.toBe('confirmItem');
  });

  it('a model that does not answer in time leaves a plain no-match (the flow re-prompts)', async () => {
    ai.enqueue({ hang: true });
    const r = await run('something spicy for my kids');
    expect(r.outcome).toBe('noMatch');
  });

  it('words the rules understand never reach the model', async () => {
    const before = ai.requests.length;
    const r = await run('two large pepperoni pizzas');
    expect(r.outcome).toBe('changed');
    expect(ai.requests.length).toBe(before);
  });
});
