import { compileFlows, type CompiledFlow } from '../../src/dialog/index.js';
import { createPromptCatalog, type PromptCatalogs } from '../../src/prompts/index.js';

/** Prompt texts used by the fixture flows (en-US). */
export const TEST_PROMPTS: Record<string, string> = {
  't.ask': 'Apple or banana?',
  't.ask2': 'Red or green?',
  't.sorry': 'Sorry.',
  't.no-input': 'Still there?',
  't.no-match': 'Say apple or banana.',
  't.confirm-a': 'Apple, right?',
  't.confirm-b': 'Banana, right?',
  't.done': 'Done.',
  't.bye': 'Bye.',
  't.help': 'Say apple or banana.',
  't.hello': 'Hi {callerName}.',
  't.welcome': 'Welcome to {businessName}.',
  't.pin': 'Enter your PIN.',
  't.pin-ok': 'PIN {pin} accepted.',
  't.cart': 'Add apple or banana, or say done.',
  't.checkout': 'You ordered {cart}.',
  't.empty': 'Your cart is empty.',
  't.day': 'Monday or Tuesday?',
  't.booked': 'Booked for {bookingDay}.',
  't.transfer': 'Transferring.',
  't.mystery': 'Hello {mystery}.',
};

export function testCatalogs(extra: Record<string, string> = {}): PromptCatalogs {
  return new Map([['en-US', createPromptCatalog('en-US', { ...TEST_PROMPTS, ...extra })]]);
}

type Json = Record<string, unknown>;

/** A small valid flow: ask apple/banana → done; escalations and operator → bye. */
export function baseFlow(): Json {
  return {
    id: 'test-flow',
    version: 1,
    description: 'fixture',
    locales: ['en-US'],
    vars: { businessName: { required: true }, callerName: {} },
    slots: {
      pick: { type: 'choice' },
      cart: { type: 'list', default: [] },
      count: { type: 'number' },
    },
    defaults: { onExhausted: { noInput: 'bye', noMatch: 'bye' } },
    globals: { operator: { phrases: ['operator'], dtmf: '0', target: 'bye' } },
    initial: 'ask',
    states: {
      ask: {
        say: 't.ask',
        listen: {
          choices: [
            { id: 'a', phrases: ['apple'], dtmf: '1' },
            { id: 'b', phrases: ['banana'], dtmf: '2' },
          ],
        },
        on: { a: 'done', b: 'done' },
      },
      done: { say: 't.done', final: { hangUp: { reason: 'done' } } },
      bye: { say: 't.bye', final: { hangUp: { reason: 'bye' } } },
    },
  };
}

/** `baseFlow()` changed by `edit` (which may mutate its argument). */
export function flowWith(edit: (f: Json & { states: Record<string, Json> }) => void): Json {
  const f = baseFlow() as Json & { states: Record<string, Json> };
  edit(f);
  return f;
}

/** Validates and compiles flows; returns the one with `id` (default: the first). */
export function compileTest(flows: Json[], id?: string): CompiledFlow {
  const compiled = compileFlows(
    flows.map((json, i) => ({ source: `f${i}`, json })),
    testCatalogs(),
  );
  const want = id ?? String(flows[0]?.id);
  const flow = compiled.get(want);
  if (!flow) throw new Error(`no compiled flow ${want}`);
  return flow;
}
