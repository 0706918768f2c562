import { describe, expect, it } from '@jest/globals';
import { createDialogRunner, stateName, type DialogCommand } from '../../src/dialog/index.js';
import { silentLogger } from '../../src/logger.js';
import { DialogHarness } from '../helpers/dialog-harness.js';
import { GIBBERISH } from '../helpers/flow-coverage.js';
import { baseFlow, compileTest, flowWith } from '../helpers/flow-fixtures.js';

type Json = Record<string, unknown>;
const vars = { businessName: 'Acme' };

function run(flows: Json[], extraVars: Record<string, string> = {}, id?: string) {
  const h = new DialogHarness(compileTest(flows, id), { ...vars, ...extraVars });
  return { h, first: h.start() };
}

function ask(f: Json & { states: Record<string, Json> }): Json & { listen: Json; on: Json } {
  return f.states.ask as Json & { listen: Json; on: Json };
}

describe('compiler: prompts and listening', () => {
  it('says, then listens with the state choices plus globals', () => {
    const { h, first } = run([baseFlow()]);
    expect(first).toEqual(['say:t.ask', 'listen']);
    expect(h.lastListen()?.expect).toEqual({
      choices: [
        { id: 'a', phrases: ['apple'], dtmf: '1' },
        { id: 'b', phrases: ['banana'], dtmf: '2' },
        { id: 'operator', phrases: ['operator'], dtmf: '0' },
      ],
      noInputMs: 5000,
      endpointing: 'normal',
    });
  });

  it('globals: false leaves only the state choices', () => {
    const { h } = run([flowWith((f) => (ask(f).globals = false))]);
    expect(h.lastListen()?.expect.choices.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('skips a say item whose when-guard fails', () => {
    const say = [
      { prompt: 't.hello', when: { type: 'varPresent', params: { name: 'callerName' } } },
      't.ask',
    ];
    expect(run([flowWith((f) => (ask(f).say = say))]).first).toEqual(['say:t.ask', 'listen']);
    expect(run([flowWith((f) => (ask(f).say = say))], { callerName: 'Sam' }).first).toEqual([
      'say:t.hello',
      'say:t.ask',
      'listen',
    ]);
  });

  it('say ids are unique and each say carries vars and bargeIn', () => {
    const { h } = run([baseFlow()]);
    h.silence();
    const says = h.all.filter(
      (c): c is Extract<DialogCommand, { type: 'say' }> => c.type === 'say',
    );
    expect(new Set(says.map((s) => s.id)).size).toBe(says.length);
    expect(says[0]).toMatchObject({ vars: { businessName: 'Acme' }, bargeIn: true });
  });
});

describe('compiler: retries', () => {
  it('counts failures per state and resets them on entering another state', () => {
    const flow = flowWith((f) => {
      ask(f).on.a = 'ask2';
      f.states.ask2 = {
        say: 't.ask2',
        listen: { choices: [{ id: 'red', phrases: ['red'] }] },
        on: { red: 'done' },
      };
    });
    const { h } = run([flow]);
    h.silence();
    h.silence();
    expect(h.say('apple')).toEqual(['say:t.ask2', 'listen']);
    expect(h.silence()).toEqual(['say:t.ask2', 'listen']);
    expect(h.silence()).toEqual(['say:t.ask2', 'listen']);
    expect(h.silence()).toEqual(['say:t.bye']);
  });

  it('uses the flow default reprompt (apology, then the question)', () => {
    const flow = flowWith((f) => ((f.defaults as Json).reprompt = { noInput: 't.sorry' }));
    expect(run([flow]).h.silence()).toEqual(['say:t.sorry', 'say:t.ask', 'listen']);
  });

  it('honours a per-state maxFailures and escalation target', () => {
    const flow = flowWith(
      (f) => (ask(f).retry = { maxFailures: 1, onExhausted: { noMatch: 'done' } }),
    );
    const { h } = run([flow]);
    expect(h.say(GIBBERISH)).toEqual(['say:t.done']);
    h.finishPlayback();
    expect(h.runner.snapshot().ended?.reason).toBe('done');
  });

  it('an explicit on.noMatch replaces retrying', () => {
    const { h } = run([flowWith((f) => (ask(f).on.noMatch = 'done'))]);
    expect(h.say(GIBBERISH)).toEqual(['say:t.done']);
  });

  it('matches below rejectBelow count as no match', () => {
    const { h } = run([flowWith((f) => (ask(f).reprompt = { noMatch: 't.no-match' }))]);
    expect(h.say('apple', 0.1)).toEqual(['say:t.no-match', 'listen']);
  });
});

describe('compiler: confirmation threshold', () => {
  const confirming = (below?: number, flowBelow?: number) =>
    flowWith((f) => {
      ask(f).confirm = {
        prompts: { a: 't.confirm-a', b: 't.confirm-b' },
        ...(below !== undefined ? { below } : {}),
      };
      if (flowBelow !== undefined) (f.defaults as Json).confirmBelow = flowBelow;
    });

  it('confirms below the flow threshold and accepts above it', () => {
    expect(run([confirming(undefined, 0.9)]).h.say('apple', 0.85)).toEqual([
      'say:t.confirm-a',
      'listen',
    ]);
    expect(run([confirming(undefined, 0.9)]).h.say('apple', 0.95)).toEqual(['say:t.done']);
  });

  it('a state threshold overrides the flow one; keys never need confirming', () => {
    expect(run([confirming(0.3, 0.9)]).h.say('apple', 0.5)).toEqual(['say:t.done']);
    expect(run([confirming(1, 1)]).h.press('2')).toEqual(['say:t.done']);
  });

  it('without a confirm block an uncertain match is accepted', () => {
    expect(run([baseFlow()]).h.say('apple', 0.3)).toEqual(['say:t.done']);
  });
});

describe('compiler: digits', () => {
  const pinFlow = () =>
    flowWith((f) => {
      (f.slots as Json).pin = { type: 'digits' };
      f.globals = {};
      f.initial = 'pin';
      f.states.pin = {
        say: 't.pin',
        listen: { digits: { min: 4, max: 6, terminator: '#' }, capture: 'pin' },
        on: { digits: 'ok' },
      };
      f.states.ok = { say: 't.pin-ok', final: { hangUp: { reason: 'pin' } } };
      delete f.states.ask;
      delete f.states.done;
    });

  it('collects keys until the terminator and captures them', () => {
    const { h } = run([pinFlow()]);
    for (const d of ['1', '2', '3']) expect(h.press(d)).toEqual([]);
    h.press('4');
    expect(h.press('#')).toEqual(['say:t.pin-ok']);
    expect(h.lastSay()?.vars.pin).toBe('1234');
  });

  it('completes at max, accepts spoken digits, and rejects too few', () => {
    const a = run([pinFlow()]).h;
    for (const d of '12345') a.press(d);
    expect(a.press('6')).toEqual(['say:t.pin-ok']);
    expect(run([pinFlow()]).h.say('one two three four')).toEqual(['say:t.pin-ok']);
    const c = run([pinFlow()]).h;
    c.press('1');
    expect(c.press('#')).toEqual(['say:t.pin', 'listen']);
  });

  it('no input after enough digits accepts them; after too few it is a failure', () => {
    const a = run([pinFlow()]).h;
    for (const d of '1234') a.press(d);
    expect(a.silence()).toEqual(['say:t.pin-ok']);
    const b = run([pinFlow()]).h;
    b.press('1');
    expect(b.silence()).toEqual(['say:t.pin', 'listen']);
  });
});

describe('compiler: vocabulary and slots (a cart loop)', () => {
  const cart = () =>
    flowWith((f) => {
      f.states.ask = {
        say: 't.cart',
        listen: {
          choices: [
            { id: 'apple', phrases: ['apple'] },
            { id: 'banana', phrases: ['banana'] },
            { id: 'finish', phrases: ['done', 'finish'] },
          ],
        },
        on: {
          apple: { target: 'ask', actions: [{ type: 'appendChoice', params: { slot: 'cart' } }] },
          banana: { target: 'ask', actions: [{ type: 'appendChoice', params: { slot: 'cart' } }] },
          finish: [
            {
              target: 'checkout',
              guard: { type: 'listLengthAtLeast', params: { slot: 'cart', min: 1 } },
            },
            { target: 'empty' },
          ],
        },
      };
      f.states.checkout = { say: 't.checkout', final: { hangUp: { reason: 'ordered' } } };
      f.states.empty = { say: 't.empty', final: { hangUp: { reason: 'empty' } } };
      delete f.states.done;
    });

  it('appends to the cart, loops, and branches on a guard', () => {
    const { h } = run([cart()]);
    expect(h.say('apple')).toEqual(['say:t.cart', 'listen']);
    h.say('banana');
    expect(h.say('done')).toEqual(['say:t.checkout']);
    expect(h.lastSay()?.vars.cart).toBe('apple, banana');
    expect(run([cart()]).h.say('finish')).toEqual(['say:t.empty']);
  });

  it('keeps the context JSON-serialisable', () => {
    const { h } = run([cart()]);
    h.say('apple');
    const snap = h.runner.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap.scopes['/']).toEqual({ cart: ['apple'] });
  });
});

describe('compiler: sub-flows', () => {
  const dayFlow = {
    id: 'ask-day',
    version: 2,
    description: 'asks for a day',
    locales: ['en-US'],
    slots: { day: { type: 'choice' } },
    defaults: { onExhausted: { noInput: 'cancel', noMatch: 'cancel' } },
    initial: 'askDay',
    states: {
      askDay: {
        say: 't.day',
        listen: {
          choices: [
            { id: 'monday', phrases: ['monday'] },
            { id: 'tuesday', phrases: ['tuesday'] },
          ],
          capture: 'day',
        },
        on: { monday: 'ret', tuesday: 'ret' },
      },
      ret: { final: { return: { outcome: 'done' } } },
      cancel: { final: { return: { outcome: 'cancelled' } } },
    },
  };
  const parent = flowWith((f) => {
    (f.slots as Json).bookingDay = { type: 'choice' };
    ask(f).on.b = 'getDay';
    f.states.getDay = {
      invoke: {
        flow: 'ask-day',
        output: { bookingDay: 'day' },
        on: { done: 'booked', cancelled: 'bye' },
      },
    };
    f.states.booked = { say: 't.booked', final: { hangUp: { reason: 'booked' } } };
  });

  it('runs the child inline and returns its output to the parent', () => {
    const { h } = run([parent, dayFlow], {}, 'test-flow');
    expect(h.say('banana')).toEqual(['say:t.day', 'listen']);
    expect(h.runner.state).toBe('getDay.askDay');
    expect(h.say('monday')).toEqual(['say:t.booked']);
    expect(h.lastSay()?.vars.bookingDay).toBe('monday');
    expect(Object.keys(h.runner.snapshot().scopes)).toEqual(['/']);
  });

  it('routes a child outcome to its parent transition', () => {
    const { h } = run([parent, dayFlow], {}, 'test-flow');
    h.say('banana');
    h.silence();
    h.silence();
    expect(h.silence()).toEqual(['say:t.bye']);
    expect(h.runner.state).toBe('bye');
  });
});

describe('compiler: endings', () => {
  it('transfers to a number from a var after the prompt has played', () => {
    const flow = flowWith((f) => {
      (f.vars as Json).operatorNumber = { required: true };
      f.states.bye = { say: 't.transfer', final: { transfer: { to: { var: 'operatorNumber' } } } };
    });
    const { h } = run([flow], { operatorNumber: '+15550100' });
    expect(h.say('operator')).toEqual(['say:t.transfer']);
    expect(h.finishPlayback()).toEqual(['transfer:+15550100']);
    expect(h.runner.done).toBe(true);
  });

  it('a final state without prompts ends at once', () => {
    const flow = flowWith((f) => (f.states.done = { final: { hangUp: { reason: 'quiet' } } }));
    expect(run([flow]).h.press('1')).toEqual(['hangUp:quiet']);
  });
});

describe('runner', () => {
  it('requires the flow vars', () => {
    expect(() =>
      createDialogRunner(compileTest([baseFlow()]), { vars: {}, logger: silentLogger() }),
    ).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('accepts events sent from inside a command handler, in order', () => {
    const runner = createDialogRunner(compileTest([baseFlow()]), { vars, logger: silentLogger() });
    const seen: string[] = [];
    runner.onCommand(() => {
      throw new Error('a broken handler does not stop the others');
    });
    runner.onCommand((c) => {
      seen.push(c.type === 'say' ? c.prompt : c.type);
      if (c.type === 'say') runner.send({ type: 'bot.playbackDone', id: c.id, interrupted: false });
      if (c.type === 'listen') runner.send({ type: 'user.dtmf', digit: '1' });
    });
    runner.start();
    expect(seen).toEqual(['t.ask', 'listen', 't.done', 'hangUp']);
    expect(runner.done).toBe(true);
  });

  it('ignores events before start and after stop', () => {
    const runner = createDialogRunner(compileTest([baseFlow()]), { vars, logger: silentLogger() });
    runner.send({ type: 'user.dtmf', digit: '1' });
    runner.start();
    expect(runner.state).toBe('ask');
    runner.stop();
    runner.send({ type: 'user.dtmf', digit: '1' });
    expect(runner.done).toBe(true);
  });

  it('stateName drops engine phases', () => {
    expect(stateName({ menu: '_listening' })).toBe('menu');
    expect(stateName({ getDay: { askDay: '_confirming' } })).toBe('getDay.askDay');
    expect(stateName('done')).toBe('done');
  });
});
