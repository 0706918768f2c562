import { describe, expect, it } from '@jest/globals';
import { DialogHarness, compileWithTasks, type HarnessOptions } from '../helpers/dialog-harness.js';
import { GIBBERISH } from '../helpers/flow-coverage.js';
import { baseFlow, flowWith } from '../helpers/flow-fixtures.js';

type Json = Record<string, unknown>;
type FlowJson = Json & { states: Record<string, Json> };
const vars = { businessName: 'Acme' };

/** take: "finish" or free speech (order.take) → added (loop) | question | done → checkout. */
function takeFlow(edit: (f: FlowJson) => void = () => {}): Json {
  const f = flowWith((b) => {
    b.initial = 'take';
    b.states.take = {
      say: 't.cart',
      listen: {
        choices: [{ id: 'finish', phrases: ['finish'] }],
        vocabulary: 'menu',
        interpret: { task: 'order.take', input: { cart: { slot: 'cart' } } },
      },
      on: { finish: 'checkout', added: 'take', question: 'help', done: 'checkout' },
      reprompt: { noMatch: 't.no-match' },
    };
    b.states.help = { say: 't.help', next: 'take' };
    b.states.checkout = { say: 't.checkout', final: { hangUp: { reason: 'checkout' } } };
    delete b.states.ask;
    delete b.states.done;
  });
  edit(f as FlowJson);
  return f;
}

function start(flow: Json, opts: HarnessOptions = {}) {
  const h = new DialogHarness(compileWithTasks([flow]), vars, opts);
  return { h, first: h.start() };
}

describe('listen.interpret', () => {
  it('passes vocabulary and the interpret task name in the listen', () => {
    const { h, first } = start(takeFlow());
    expect(first).toEqual(['say:t.cart', 'listen']);
    expect(h.lastListen()?.expect).toMatchObject({ vocabulary: 'menu', interpret: 'order.take' });
  });

  it('tries choices first: a matching choice runs no task', () => {
    const { h } = start(takeFlow());
    expect(h.say('finish')).toEqual(['say:t.checkout']);
  });

  it('tries globals first', () => {
    const { h } = start(takeFlow());
    expect(h.say('operator')).toEqual(['say:t.bye']);
    expect(h.lastTask()).toBeUndefined();
  });

  it('sends unmatched speech to the task and loops on its outcome with merged slots', () => {
    const { h } = start(takeFlow());
    expect(h.say('two apples please', 0.8)).toEqual(['task:order.take']);
    expect(h.lastTask()).toMatchObject({
      id: 'task-1',
      input: { cart: [], text: 'two apples please', confidence: 0.8 },
    });
    expect(h.answer('added', { cart: ['apple', 'apple'] })).toEqual(['say:t.cart', 'listen']);
    expect(h.runner.state).toBe('take');
    expect(h.say('and a banana')).toEqual(['task:order.take']);
    expect(h.lastTask()).toMatchObject({ id: 'task-2', input: { cart: ['apple', 'apple'] } });
    expect(h.answer('done', { cart: ['apple', 'apple', 'banana'] })).toEqual(['say:t.checkout']);
    expect(h.lastSay()?.vars.cart).toBe('apple, apple, banana');
  });

  it('routes other outcomes through on (question → help → take)', () => {
    const { h } = start(takeFlow());
    h.say('do you have gluten free bread');
    expect(h.answer('question')).toEqual(['say:t.help', 'say:t.cart', 'listen']);
  });

  it('noMatch counts as a failure: re-prompt, then escalate at maxFailures', () => {
    const { h } = start(takeFlow());
    h.say(GIBBERISH);
    expect(h.answer('noMatch')).toEqual(['say:t.no-match', 'listen']);
    expect(h.runner.snapshot().failures).toBe(1);
    h.say(GIBBERISH);
    expect(h.answer('noMatch')).toEqual(['say:t.no-match', 'listen']);
    h.say(GIBBERISH);
    expect(h.answer('noMatch')).toEqual(['say:t.bye']);
  });

  it('failures of any kind add up with interpret no-matches', () => {
    const { h } = start(takeFlow());
    h.silence();
    h.say(GIBBERISH);
    h.answer('noMatch');
    h.say(GIBBERISH);
    expect(h.answer('noMatch')).toEqual(['say:t.bye']);
  });

  it.each(['error', 'unavailable', 'mystery'])(
    '%s without an on entry re-prompts like noMatch',
    (outcome) => {
      const { h } = start(takeFlow());
      h.say(GIBBERISH);
      expect(h.answer(outcome)).toEqual(['say:t.no-match', 'listen']);
      expect(h.runner.snapshot().failures).toBe(1);
    },
  );

  it('on.error takes error and unhandled outcomes; noMatch still re-prompts', () => {
    const flow = takeFlow((f) => ((f.states.take as { on: Json }).on.error = 'bye'));
    const a = start(flow).h;
    a.say(GIBBERISH);
    expect(a.answer('unavailable')).toEqual(['say:t.bye']);
    const b = start(flow).h;
    b.say(GIBBERISH);
    expect(b.answer('noMatch')).toEqual(['say:t.no-match', 'listen']);
  });

  it('ignores caller input while interpreting; stale answers are ignored', () => {
    const { h } = start(takeFlow());
    h.say('some bread');
    expect(h.say('finish')).toEqual([]);
    expect(h.silence()).toEqual([]);
    expect(h.answer('added', {}, 'task-7')).toEqual([]);
    expect(h.answer('done')).toEqual(['say:t.checkout']);
  });

  it('a key press that matches nothing is a plain no match (no task)', () => {
    const { h } = start(takeFlow());
    expect(h.press('9')).toEqual(['say:t.no-match', 'listen']);
    expect(h.lastTask()).toBeUndefined();
  });

  it('works with no choices at all', () => {
    const flow = takeFlow((f) => {
      const take = f.states.take as { listen: Json; on: Json };
      take.listen.choices = [];
      delete take.on.finish;
    });
    const { h } = start(flow);
    expect(h.say('a loaf')).toEqual(['task:order.take']);
  });
});

describe('LLM fallback (nlu.choose) for choice listens', () => {
  const confirming = flowWith((f) => {
    (f.states.ask as Json).confirm = { prompts: { a: 't.confirm-a', b: 't.confirm-b' } };
  });
  const llm = { availableTasks: ['nlu.choose'] };

  it('offers unmatched speech to nlu.choose with the choices and globals', () => {
    const { h } = start(baseFlow(), llm);
    expect(h.say('the long yellow one')).toEqual(['task:nlu.choose']);
    expect(h.lastTask()?.input).toEqual({
      text: 'the long yellow one',
      choices: [
        { id: 'a', phrases: ['apple'] },
        { id: 'b', phrases: ['banana'] },
        { id: 'operator', phrases: ['operator'] },
      ],
    });
  });

  it('a confident match is accepted like a spoken choice', () => {
    const { h } = start(confirming, llm);
    h.say('the long yellow one');
    expect(h.answer('match', { llmChoice: 'b', llmConfidence: 0.9 })).toEqual(['say:t.done']);
    expect(h.runner.snapshot().scopes['/']).not.toHaveProperty('llmChoice');
  });

  it('an uncertain match is confirmed', () => {
    const { h } = start(confirming, llm);
    h.say('the long yellow one');
    expect(h.answer('match', { llmChoice: 'b', llmConfidence: 0.4 })).toEqual([
      'say:t.confirm-b',
      'listen',
    ]);
    expect(h.say('yes')).toEqual(['say:t.done']);
  });

  it('a match on a global runs the global', () => {
    const { h } = start(baseFlow(), llm);
    h.say('can I talk to someone');
    expect(h.answer('match', { llmChoice: 'operator', llmConfidence: 0.9 })).toEqual(['say:t.bye']);
  });

  it.each<[string, Json | undefined]>([
    ['noMatch', undefined],
    ['match', { llmChoice: 'cherry', llmConfidence: 0.9 }],
    ['match', { llmChoice: 'a', llmConfidence: 0.1 }],
    ['error', undefined],
  ])('%s %j is a plain no match: re-prompt without asking again', (outcome, slots) => {
    const f = flowWith((b) => ((b.states.ask as Json).reprompt = { noMatch: 't.no-match' }));
    const { h } = start(f, llm);
    h.say('the long yellow one');
    const out = h.answer(outcome, slots as Record<string, string> | undefined);
    expect(out).toEqual(['say:t.no-match', 'listen']);
    expect(h.runner.snapshot().failures).toBe(1);
  });

  it('without nlu.choose available it is a plain no match', () => {
    const { h } = start(baseFlow());
    expect(h.say(GIBBERISH)).toEqual(['say:t.ask', 'listen']);
    expect(h.lastTask()).toBeUndefined();
  });

  it('defaults.llmFallback: false opts out', () => {
    const f = flowWith((b) => (b.defaults = { ...(b.defaults as Json), llmFallback: false }));
    const { h } = start(f, llm);
    expect(h.say(GIBBERISH)).toEqual(['say:t.ask', 'listen']);
    expect(h.lastTask()).toBeUndefined();
  });

  it('a hang-up while the LLM thinks ends the dialog', () => {
    const { h } = start(baseFlow(), llm);
    h.say(GIBBERISH);
    h.send({ type: 'call.hangup' });
    expect(h.answer('match', { llmChoice: 'a', llmConfidence: 1 })).toEqual([]);
    expect(h.runner.done).toBe(true);
  });
});
