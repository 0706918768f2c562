import type { TaskSpec } from '../../dialog/task-types.js';

/**
 * Contracts of the phone-ordering tasks: names, outcomes, inputs and the slots they set. The
 * validator checks flows against these; handlers live in tasks-*.ts. Slot types follow the
 * flow slot types (`string`, `number`, `boolean`, `choice`). The cart travels as JSON in the
 * `cart` string slot ('' = empty); `pending` holds lines awaiting the caller's yes.
 */

const CART_SLOTS = {
  cart: 'string: the cart, JSON lines ("" when empty)',
  itemCount: 'number: units in the cart',
  cartSummary: 'string: the cart spoken ("two large pepperoni pizzas and one coke")',
} as const;

const CHANGE_SLOTS = {
  justAdded: 'string: what this turn added, spoken ("" when nothing)',
  justRemoved: 'string: what this turn took off, spoken',
  justUpdated: 'string: lines this turn changed, spoken as they are now',
} as const;

const PENDING_SLOTS = {
  pending: 'string: lines awaiting confirmation, JSON ("" when none)',
  pendingSummary: 'string: the pending lines, spoken',
} as const;

const TURN_SLOTS = {
  ...CART_SLOTS,
  ...CHANGE_SLOTS,
  ...PENDING_SLOTS,
  finished: 'boolean: the caller also said they are done ("a coke, that\'s all")',
  requested: 'string: the unavailable or unknown item, as heard or named',
  alternatives: 'string: available stand-ins, spoken ("cheese pizza or veggie pizza")',
  sizeItem: 'string: the item whose size is asked',
  sizeList: 'string: its sizes, spoken ("small, medium or large")',
  sizeKeys:
    'string: the keypad alternative, spoken ("Press 1 for small, 2 for medium or 3 for large.")',
  answerKind: 'string: which answer prompt to say (see tasks-answers.ts AnswerKind)',
  answerItem: 'string: the item or category the answer is about',
  answerList: 'string: names or sizes, spoken',
  answerPrice: 'string: an amount, spoken',
} as const;

const ORDER_SLOTS = {
  orderId: 'string: the order id',
  orderNumber: 'string: the short order number the caller hears',
  orderStatus: 'string: placed | accepted | ready | out_for_delivery | completed | cancelled',
  fulfilment: 'choice: pickup | delivery',
  readyMinutes: 'number: minutes until ready (0 when due)',
  orderSummary: 'string: the order lines, spoken',
} as const;

export const ORDER_TASK_SPECS: readonly TaskSpec[] = [
  {
    name: 'order.start',
    description: "Starts ordering: offers this caller's recently dropped cart, else an empty one.",
    outcomes: ['resume', 'fresh'],
    input: { withinMinutes: 'number: how old a dropped cart may be (default 30)' },
    slots: { ...CART_SLOTS, pending: PENDING_SLOTS.pending },
  },
  {
    name: 'order.take',
    description:
      'Interprets an ordering utterance (listen.interpret): adds certain items, asks to confirm ' +
      'uncertain ones, offers alternatives to unavailable ones, applies corrections and removals, ' +
      'answers menu questions, and recognises done / start over / the same as last time.',
    outcomes: [
      'changed',
      'confirmItem',
      'unavailable',
      'notFound',
      'needSize',
      'noLine',
      'answered',
      'done',
      'restarted',
      'reordered',
      'noPrevious',
      'noMatch',
    ],
    input: {
      text: 'string: the transcript (added by the engine)',
      confidence: 'number: recognizer confidence 0..1 (added by the engine)',
      cart: 'string: the cart slot',
      confirmBelow: 'number: confirm adds below this confidence (default 0.6)',
      asrTrustAbove: 'number: recognizer confidence that counts as certain (default 0.5)',
    },
    slots: TURN_SLOTS,
  },
  {
    name: 'order.addPending',
    description: 'The caller said yes to the pending lines: adds them (or asks a missing size).',
    outcomes: ['changed', 'needSize'],
    input: { cart: 'string: the cart slot', pending: 'string: the pending slot' },
    slots: {
      ...CART_SLOTS,
      ...CHANGE_SLOTS,
      ...PENDING_SLOTS,
      finished: TURN_SLOTS.finished,
      sizeItem: TURN_SLOTS.sizeItem,
      sizeList: TURN_SLOTS.sizeList,
      sizeKeys: TURN_SLOTS.sizeKeys,
    },
  },
  {
    name: 'order.size',
    description: 'Interprets the size named for the pending line (listen.interpret) and adds it.',
    outcomes: ['changed', 'noMatch'],
    input: {
      text: 'string',
      key: 'number: a keypad choice, 1 = the first size as listed (instead of text)',
      cart: 'string: the cart slot',
      pending: 'string: the pending slot',
    },
    slots: {
      ...CART_SLOTS,
      ...CHANGE_SLOTS,
      pending: PENDING_SLOTS.pending,
      finished: TURN_SLOTS.finished,
    },
  },
  {
    name: 'order.clear',
    description: 'Empties the cart and forgets the saved one (start over, declined resume).',
    outcomes: ['cleared'],
    slots: { ...CART_SLOTS, pending: PENDING_SLOTS.pending },
  },
  {
    name: 'order.quote',
    description: 'Prices the cart from the catalog, with the delivery fee for delivery.',
    outcomes: ['ready', 'empty', 'menuChanged'],
    input: { cart: 'string: the cart slot', fulfilment: 'choice: pickup | delivery (optional)' },
    slots: {
      ...CART_SLOTS,
      cartPriced: 'string: each line with its price, spoken',
      total: 'string: the total with tax and fees, spoken',
      deliveryFee: 'string: the delivery fee, spoken',
    },
  },
  {
    name: 'order.delivery',
    description:
      'Whether delivery is possible: the address on file, none, or delivery switched off.',
    outcomes: ['address', 'noAddress', 'disabled'],
    slots: { deliveryAddress: 'string: the address on file' },
  },
  {
    name: 'order.place',
    description: "Places this call's order (idempotent: one order per call).",
    outcomes: ['placed', 'empty', 'refused'],
    input: {
      cart: 'string: the cart slot',
      fulfilment: 'choice: pickup | delivery',
      address: 'string: the delivery address (delivery only)',
    },
    slots: {
      orderNumber: ORDER_SLOTS.orderNumber,
      readyMinutes: ORDER_SLOTS.readyMinutes,
      total: 'string: the total charged, spoken',
    },
    timeoutMs: 5000,
  },
  {
    name: 'orderStatus.lookup',
    description: "The caller's newest order, by their number.",
    outcomes: ['found', 'none'],
    slots: ORDER_SLOTS,
  },
  {
    name: 'orderStatus.cancel',
    description: "Cancels the caller's order if nobody has started on it yet.",
    outcomes: ['cancelled', 'tooLate', 'none'],
    input: { orderId: 'string: the order found by orderStatus.lookup (optional)' },
    slots: ORDER_SLOTS,
  },
];
