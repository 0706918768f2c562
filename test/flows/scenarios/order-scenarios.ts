import type { SimStep } from '../../../scripts/lib/simulated-call.js';
import type { CallerStep } from './interactive-call.js';
import type { Ordering } from '../../../src/domain/ordering/index.js';

/**
 * Phone-ordering calls for the full audio path (espeak-ng caller → Twilio Media Streams →
 * pocketsphinx → flows → espeak-ng bot): what the caller says or presses, and the order that
 * must result. `lines` are "<quantity> <variant> <item>[ +modifier…]" in cart order; `none`
 * means the caller never confirmed, so no order may exist.
 */

export const SCENARIO_TENANT = 'demo-pizzeria';
/** The main menu number (seeded demo) and a number answered by the ordering flow directly. */
export const MENU_NUMBER = '+15550002222';
export const ORDER_NUMBER = '+15550003333';

export interface ScenarioSetup {
  ordering: Ordering;
  caller: string;
}

export type Expected =
  | { order: { lines: string[]; fulfilment?: 'pickup' | 'delivery' } }
  | { none: true; outcome?: string }
  /** Not an ordering call: the caller's earlier order must end in this status. */
  | { existing: string };

export interface OrderScenario {
  name: string;
  /** Which number the caller dials (default: the ordering number). */
  via?: 'menu' | 'ordering';
  steps: CallerStep[];
  expect: Expected;
  setup?: (s: ScenarioSetup) => Promise<void>;
}

const say = (text: string): SimStep => ({ kind: 'say', text });
const keys = (digits: string): SimStep => ({ kind: 'dtmf', digits });
/** Yes only when the bot's confirmation names `summary` for pickup; else no, then cancel (key 2). */
const confirmPickup = (summary: string, by: 'say' | 'dtmf'): CallerStep => ({
  kind: 'confirm',
  ifHeard: `That's ${summary} for pickup.`,
  by,
  onNo: [keys('2')],
});
const spokenCheckout = (summary: string): CallerStep[] => [
  say("that's all"),
  say('pickup'),
  confirmPickup(summary, 'say'),
];
const keyCheckout = (summary: string): CallerStep[] => [
  keys('#'),
  keys('1'),
  confirmPickup(summary, 'dtmf'),
];

async function placePrevious(
  s: ScenarioSetup,
  itemId: string,
  variantId: string,
  quantity: number,
) {
  await s.ordering.orders.place({
    tenantId: SCENARIO_TENANT,
    callSid: `CAprev${s.caller.slice(1)}${'0'.repeat(21)}`.slice(0, 34),
    phone: s.caller,
    lines: [{ itemId, variantId, quantity, modifierIds: [] }],
    fulfilment: 'pickup',
    source: 'phone',
  });
}

export const ORDER_SCENARIOS: readonly OrderScenario[] = [
  {
    name: 'must-pass: main menu, spoken',
    via: 'menu',
    steps: [
      say("I'd like to order"),
      say('two large pepperoni pizzas'),
      ...spokenCheckout('two large pepperoni pizzas'),
    ],
    expect: { order: { lines: ['2 large pepperoni'], fulfilment: 'pickup' } },
  },
  {
    name: 'must-pass: main menu, keypad where offered',
    via: 'menu',
    steps: [
      keys('1'),
      say('two large pepperoni pizzas'),
      ...keyCheckout('two large pepperoni pizzas'),
    ],
    expect: { order: { lines: ['2 large pepperoni'], fulfilment: 'pickup' } },
  },
  {
    name: 'pizza and a drink',
    steps: [
      say('a large cheese pizza and a coke'),
      ...spokenCheckout('one large cheese pizza and one coke'),
    ],
    expect: { order: { lines: ['1 large cheese', '1 can coke'] } },
  },
  {
    name: 'removal',
    steps: [
      say('two large pepperoni pizzas and a coke'),
      say('remove the coke'),
      ...spokenCheckout('two large pepperoni pizzas'),
    ],
    expect: { order: { lines: ['2 large pepperoni'] } },
  },
  {
    name: 'correction of the second unit',
    steps: [
      say('two large pepperoni pizzas'),
      say('make the second one medium'),
      ...keyCheckout('one large pepperoni pizza and one medium pepperoni pizza'),
    ],
    expect: { order: { lines: ['1 large pepperoni', '1 medium pepperoni'] } },
  },
  {
    name: 'size asked',
    steps: [say('a pepperoni pizza'), say('large'), ...keyCheckout('one large pepperoni pizza')],
    expect: { order: { lines: ['1 large pepperoni'] } },
  },
  {
    name: 'menu question first',
    steps: [
      say('what sizes do you have'),
      say('a medium cheese pizza'),
      ...keyCheckout('one medium cheese pizza'),
    ],
    expect: { order: { lines: ['1 medium cheese'] } },
  },
  {
    name: 'unavailable item declined, then another',
    setup: (s) =>
      s.ordering.catalog.setAvailability(SCENARIO_TENANT, 'hawaiian', false).then(() => undefined),
    steps: [
      say('a large hawaiian pizza'),
      say('no'),
      say('a large cheese pizza'),
      ...keyCheckout('one large cheese pizza'),
    ],
    expect: { order: { lines: ['1 large cheese'] } },
  },
  {
    name: 'unknown item declined, then another',
    steps: [
      say('a large calzone'),
      say('no'),
      say('a large veggie pizza'),
      ...keyCheckout('one large veggie pizza'),
    ],
    expect: { order: { lines: ['1 large veggie'] } },
  },
  {
    name: 'no to the confirmation, then cancel',
    steps: [
      say('two large pepperoni pizzas'),
      say("that's all"),
      say('pickup'),
      say('no'),
      say('cancel the order'),
    ],
    expect: { none: true, outcome: 'order:cancelled' },
  },
  {
    name: 'hangs up at the confirmation',
    steps: [say('a large cheese pizza'), keys('#'), keys('1')],
    expect: { none: true },
  },
  {
    name: 'the same as last time',
    setup: (s) => placePrevious(s, 'margherita', 'medium', 2),
    steps: [say('the same as last time'), ...keyCheckout('two medium margarita pizzas')],
    expect: { order: { lines: ['2 medium margherita'] } },
  },
  {
    name: 'dropped call resumed',
    setup: (s) =>
      s.ordering.carts.save(SCENARIO_TENANT, s.caller, 'CAdropped000000000000000000000000', [
        { itemId: 'veggie', variantId: 'small', quantity: 1, modifierIds: [] },
        { itemId: 'sprite', variantId: 'can', quantity: 2, modifierIds: [] },
      ]),
    steps: [say('yes'), ...keyCheckout('one small veggie pizza and two sprites')],
    expect: { order: { lines: ['1 small veggie', '2 can sprite'] } },
  },
  {
    name: 'delivery without an address on file falls back to pickup',
    steps: [
      say('a large cheese pizza'),
      say("that's all"),
      say('delivery'),
      keys('1'),
      confirmPickup('one large cheese pizza', 'dtmf'),
    ],
    expect: { order: { lines: ['1 large cheese'], fulfilment: 'pickup' } },
  },
  {
    name: 'start over',
    steps: [
      say('a large cheese pizza'),
      say('start over'),
      say('a small veggie pizza'),
      ...keyCheckout('one small veggie pizza'),
    ],
    expect: { order: { lines: ['1 small veggie'] } },
  },
  {
    name: 'help first',
    steps: [
      say('help'),
      say('two medium cheese pizzas'),
      ...keyCheckout('two medium cheese pizzas'),
    ],
    expect: { order: { lines: ['2 medium cheese'] } },
  },
  {
    name: 'no means done',
    steps: [
      say('a large pepperoni pizza'),
      say('no'),
      say('pickup'),
      confirmPickup('one large pepperoni pizza', 'say'),
    ],
    expect: { order: { lines: ['1 large pepperoni'] } },
  },
  {
    name: 'two items, two kinds',
    steps: [
      say('a large margarita pizza and two sprites'),
      ...keyCheckout('one large margarita pizza and two sprites'),
    ],
    expect: { order: { lines: ['1 large margherita', '2 can sprite'] } },
  },
  {
    name: "items and that's all in one breath",
    steps: [
      say("a large cheese pizza that's all"),
      keys('1'),
      confirmPickup('one large cheese pizza', 'dtmf'),
    ],
    expect: { order: { lines: ['1 large cheese'] } },
  },
  {
    name: 'a topping',
    steps: [
      say('a large cheese pizza with extra cheese'),
      ...keyCheckout('one large cheese pizza with extra cheese'),
    ],
    expect: { order: { lines: ['1 large cheese +extra-cheese'] } },
  },
  {
    name: 'an ingredient left off',
    steps: [
      say('a large veggie pizza with no onions'),
      ...keyCheckout('one large veggie pizza, no onions'),
    ],
    expect: { order: { lines: ['1 large veggie +no-onions'] } },
  },
  {
    name: 'sides',
    steps: [say('garlic bread and a cannoli'), ...keyCheckout('one garlic bread and one cannoli')],
    expect: { order: { lines: ['1 regular garlic-bread', '1 regular cannoli'] } },
  },
  {
    name: 'repeat the read-back',
    steps: [
      say('two large pepperoni pizzas'),
      keys('#'),
      say('repeat'),
      keys('1'),
      confirmPickup('two large pepperoni pizzas', 'dtmf'),
    ],
    expect: { order: { lines: ['2 large pepperoni'] } },
  },
  {
    name: 'change at pickup or delivery',
    steps: [
      say('a large cheese pizza'),
      keys('#'),
      keys('3'),
      say('a coke'),
      ...keyCheckout('one large cheese pizza and one coke'),
    ],
    expect: { order: { lines: ['1 large cheese', '1 can coke'] } },
  },
  {
    name: 'asks for a person',
    steps: [say('two large pepperoni pizzas'), say('talk to a person')],
    expect: { none: true, outcome: 'route:operator' },
  },
  {
    name: 'where is my order (main menu)',
    via: 'menu',
    setup: (s) => placePrevious(s, 'cheese', 'large', 1),
    steps: [say('where is my order'), say('goodbye')],
    expect: { existing: 'placed' },
  },
  {
    name: 'cancel my order (main menu, keypad)',
    via: 'menu',
    setup: (s) => placePrevious(s, 'cheese', 'small', 1),
    steps: [keys('5'), keys('1')],
    expect: { existing: 'cancelled' },
  },
];
