import { describe, expect, it } from '@jest/globals';
import { DialogHarness, compileWithTasks, type TaskAnswer } from '../helpers/dialog-harness.js';

/**
 * A whole ordering-style conversation through tasks: free speech is interpreted into a cart
 * (a listen loop), the cart is read back, then placed by a task state. Task handlers are the
 * harness's instant responders, so the test reads like a call transcript.
 */
const orderFlow = {
  id: 'task-order',
  version: 1,
  description: 'ordering through tasks',
  locales: ['en-US'],
  vars: { businessName: { required: true } },
  slots: { cart: { type: 'list', default: [] }, orderId: { type: 'string' } },
  defaults: { onExhausted: { noInput: 'bye', noMatch: 'bye' }, onTaskError: 'sorry' },
  globals: { operator: { phrases: ['operator'], dtmf: '0', target: 'bye' } },
  initial: 'take',
  states: {
    take: {
      say: 't.cart',
      listen: {
        choices: [{ id: 'finish', phrases: ['finish', 'done'] }],
        vocabulary: 'menu',
        interpret: { task: 'order.take', input: { cart: { slot: 'cart' } } },
      },
      on: { finish: 'checkout', added: 'take', done: 'checkout', question: 'help' },
      reprompt: { noMatch: 't.no-match' },
    },
    help: { say: 't.help', next: 'take' },
    checkout: {
      say: 't.checkout',
      listen: {
        choices: [
          { id: 'yes', phrases: ['yes'], dtmf: '1' },
          { id: 'no', phrases: ['no'], dtmf: '2' },
        ],
      },
      on: { yes: 'place', no: 'take' },
    },
    place: {
      say: 't.wait',
      task: {
        name: 'order.place',
        input: { cart: { slot: 'cart' }, note: 'phone' },
        on: { placed: 'placed', rejected: 'take' },
      },
    },
    placed: { say: 't.placed', final: { hangUp: { reason: 'placed' } } },
    sorry: { say: 't.sorry-error', final: { hangUp: { reason: 'task-error' } } },
    bye: { say: 't.bye', final: { hangUp: { reason: 'bye' } } },
  },
};

/** order.take: "apple"/"banana" anywhere in the text is added; anything else is no match. */
function take(input: Readonly<Record<string, unknown>>): TaskAnswer {
  const cart = (input.cart as string[] | undefined) ?? [];
  const text = String(input.text);
  const item = ['apple', 'banana'].find((i) => text.includes(i));
  if (text.includes('?')) return { outcome: 'question' };
  return item ? { outcome: 'added', slots: { cart: [...cart, item] } } : { outcome: 'noMatch' };
}

function call(place: (input: Readonly<Record<string, unknown>>) => TaskAnswer) {
  const h = new DialogHarness(
    compileWithTasks([orderFlow]),
    { businessName: 'Acme' },
    {
      tasks: { 'order.take': take, 'order.place': place },
    },
  );
  expect(h.start()).toEqual(['say:t.cart', 'listen']);
  return h;
}

describe('tasks: an ordering conversation', () => {
  it('takes items in a loop, reads them back and places the order', () => {
    const placed: unknown[] = [];
    const h = call((input) => {
      placed.push(input);
      return { outcome: 'placed', slots: { orderId: 'A-1' } };
    });
    expect(h.say('an apple please')).toEqual(['task:order.take', 'say:t.cart', 'listen']);
    expect(h.say('and a banana')).toEqual(['task:order.take', 'say:t.cart', 'listen']);
    expect(h.say('hmm')).toEqual(['task:order.take', 'say:t.no-match', 'listen']);
    expect(h.say('finish')).toEqual(['say:t.checkout', 'listen']);
    expect(h.lastSay()?.vars.cart).toBe('apple, banana');
    expect(h.say('yes')).toEqual(['say:t.wait', 'task:order.place', 'say:t.placed']);
    expect(placed).toEqual([{ cart: ['apple', 'banana'], note: 'phone' }]);
    expect(h.lastSay()?.vars.orderId).toBe('A-1');
    expect(h.finishPlayback()).toEqual(['hangUp:placed']);
  });

  it('a failing place task escalates to defaults.onTaskError', () => {
    const h = call(() => ({ outcome: 'error' }));
    h.say('an apple');
    h.say('done');
    expect(h.say('yes')).toEqual(['say:t.wait', 'task:order.place', 'say:t.sorry-error']);
    expect(h.finishPlayback()).toEqual(['hangUp:task-error']);
  });

  it('three unintelligible answers end the call', () => {
    const h = call(() => ({ outcome: 'placed' }));
    h.say('hmm');
    h.say('erm');
    expect(h.say('uh')).toEqual(['task:order.take', 'say:t.bye']);
  });
});
