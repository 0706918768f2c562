import { describe, expect, it } from '@jest/globals';
import { DialogHarness, compileWithTasks } from '../helpers/dialog-harness.js';

type Json = Record<string, unknown>;
const vars = { businessName: 'Acme' };

/** place (task order.place) → big (total ≥ 10) | done; rejected/error → bye. */
function placeFlow(edit: (f: Json & { states: Record<string, Json> }) => void = () => {}): Json {
  const f = {
    id: 'task-flow',
    version: 1,
    description: 'task fixture',
    locales: ['en-US'],
    vars: { businessName: { required: true } },
    slots: {
      cart: { type: 'list', default: ['apple'] },
      orderId: { type: 'string' },
      total: { type: 'number' },
    },
    initial: 'place',
    states: {
      place: {
        say: 't.wait',
        task: {
          name: 'order.place',
          input: { cart: { slot: 'cart' }, note: 'leave at door' },
          on: {
            placed: [
              { guard: { type: 'slotAtLeast', params: { slot: 'total', min: 10 } }, target: 'big' },
              { target: 'done' },
            ],
            rejected: 'bye',
            error: 'sorry',
          },
        },
      },
      big: { say: 't.placed', final: { hangUp: { reason: 'big' } } },
      done: { say: 't.done', final: { hangUp: { reason: 'done' } } },
      sorry: { say: 't.sorry-error', final: { hangUp: { reason: 'error' } } },
      bye: { say: 't.bye', final: { hangUp: { reason: 'bye' } } },
    },
  } as Json & { states: Record<string, Json> };
  edit(f);
  return f;
}

function start(flow: Json) {
  const h = new DialogHarness(compileWithTasks([flow]), vars);
  return { h, first: h.start() };
}

describe('task state', () => {
  it('says its prompt, then emits the task with its input resolved', () => {
    const { h, first } = start(placeFlow());
    expect(first).toEqual(['say:t.wait', 'task:order.place']);
    expect(h.lastTask()).toEqual({
      type: 'task',
      id: 'task-1',
      name: 'order.place',
      input: { cart: ['apple'], note: 'leave at door' },
    });
    expect(h.runner.state).toBe('place');
  });

  it('merges result slots before the outcome guards and prompts see them', () => {
    const { h } = start(placeFlow());
    expect(h.answer('placed', { orderId: 'A17', total: 12 })).toEqual(['say:t.placed']);
    expect(h.lastSay()?.vars).toMatchObject({ orderId: 'A17', total: 12 });
    expect(h.runner.state).toBe('big');
    expect(h.finishPlayback()).toEqual(['hangUp:big']);
  });

  it('takes the unguarded alternative when the merged slot fails the guard', () => {
    const { h } = start(placeFlow());
    expect(h.answer('placed', { orderId: 'A18', total: 4 })).toEqual(['say:t.done']);
  });

  it('drops undeclared and mistyped result slots', () => {
    const { h } = start(placeFlow());
    h.answer('placed', { orderId: 'A19', total: 'lots', secret: 'x' });
    const slots = h.runner.snapshot().scopes['/'];
    expect(slots).toEqual({ cart: ['apple'], orderId: 'A19' });
    expect(h.runner.state).toBe('done');
  });

  it('ignores a task.done with a stale id', () => {
    const { h } = start(placeFlow());
    expect(h.answer('placed', { total: 50 }, 'task-99')).toEqual([]);
    expect(h.runner.state).toBe('place');
    expect(h.runner.snapshot().scopes['/']?.total).toBeUndefined();
    expect(h.answer('rejected')).toEqual(['say:t.bye']);
  });

  it('ignores a second answer to a task already routed', () => {
    const { h } = start(placeFlow());
    h.answer('rejected');
    expect(h.answer('placed', { total: 50 }, 'task-1')).toEqual([]);
    expect(h.runner.state).toBe('bye');
  });

  it('an outcome without an on entry takes on.error', () => {
    const { h } = start(placeFlow());
    expect(h.answer('unavailable')).toEqual(['say:t.sorry-error']);
    expect(h.runner.state).toBe('sorry');
  });

  it('without on.error it takes defaults.onTaskError', () => {
    const flow = placeFlow((f) => {
      delete ((f.states.place as Json).task as { on: Json }).on.error;
      f.defaults = { onTaskError: 'sorry' };
    });
    const { h } = start(flow);
    expect(h.answer('error')).toEqual(['say:t.sorry-error']);
  });

  it('ignores caller input and silence while the task runs (not buffered)', () => {
    const { h } = start(placeFlow());
    expect(h.say('apple')).toEqual([]);
    expect(h.press('1')).toEqual([]);
    expect(h.silence()).toEqual([]);
    expect(h.send({ type: 'bot.error', code: 'PROVIDER_FAILED' })).toEqual([]);
    expect(h.runner.state).toBe('place');
    expect(h.answer('rejected')).toEqual(['say:t.bye']);
  });

  it('a caller hang-up during a task ends the dialog; the late answer is ignored', () => {
    const { h } = start(placeFlow());
    h.send({ type: 'call.hangup' });
    expect(h.runner.done).toBe(true);
    expect(h.answer('placed', { total: 50 })).toEqual([]);
    expect(h.runner.snapshot().ended).toEqual({ by: 'caller', reason: 'caller-hangup' });
  });

  it('a task state that targets itself runs a new task with a new id', () => {
    const flow = placeFlow((f) => {
      const on = ((f.states.place as Json).task as { on: Json }).on;
      on.rejected = 'place';
      on.unavailable = 'bye';
    });
    const { h } = start(flow);
    expect(h.answer('rejected')).toEqual(['say:t.wait', 'task:order.place']);
    expect(h.lastTask()?.id).toBe('task-2');
    expect(h.answer('placed', { total: 1 }, 'task-1')).toEqual([]);
    expect(h.answer('placed', { total: 1 })).toEqual(['say:t.done']);
  });

  it('auto-answering responders see the resolved input', () => {
    const seen: unknown[] = [];
    const h = new DialogHarness(compileWithTasks([placeFlow()]), vars, {
      tasks: {
        'order.place': (input) => {
          seen.push(input);
          return { outcome: 'placed', slots: { orderId: 'Z1', total: 99 } };
        },
      },
    });
    expect(h.start()).toEqual(['say:t.wait', 'task:order.place', 'say:t.placed']);
    expect(seen).toEqual([{ cart: ['apple'], note: 'leave at door' }]);
  });

  it('leaves unset slots out of the input', () => {
    const flow = placeFlow((f) => {
      (f.slots as Json).cart = { type: 'list' };
    });
    const { h } = start(flow);
    expect(h.lastTask()?.input).toEqual({ note: 'leave at door' });
  });
});

describe('task state in a sub-flow', () => {
  it('merges result slots into the sub-flow scope and returns its outputs', () => {
    const parent = placeFlow((f) => {
      f.initial = 'sub';
      f.states.sub = {
        invoke: {
          flow: 'place-sub',
          input: { cart: { slot: 'cart' } },
          output: { orderId: 'orderId', total: 'total' },
          on: { ok: 'big' },
        },
      };
      delete f.states.place;
      delete f.states.done;
      delete f.states.sorry;
      delete f.states.bye;
    });
    const child = {
      id: 'place-sub',
      version: 1,
      description: 'sub-flow placing the order',
      locales: ['en-US'],
      slots: { cart: { type: 'list' }, orderId: { type: 'string' }, total: { type: 'number' } },
      initial: 'run',
      states: {
        run: {
          task: {
            name: 'order.place',
            input: { cart: { slot: 'cart' } },
            on: { placed: 'ret', error: 'ret' },
          },
        },
        ret: { final: { return: { outcome: 'ok' } } },
      },
    };
    const h = new DialogHarness(compileWithTasks([parent, child]), vars);
    expect(h.start()).toEqual(['task:order.place']);
    expect(h.runner.state).toBe('sub.run');
    expect(h.lastTask()?.input).toEqual({ cart: ['apple'] });
    expect(h.answer('placed', { orderId: 'S1', total: 10 })).toEqual(['say:t.placed']);
    expect(h.runner.snapshot().scopes['/']).toMatchObject({ orderId: 'S1', total: 10 });
    expect(h.lastSay()?.vars.orderId).toBe('S1');
  });
});
