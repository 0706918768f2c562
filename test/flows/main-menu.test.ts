import { beforeAll, describe, expect, it } from '@jest/globals';
import { ALL_TASK_SPECS } from '../../src/call/task-specs.js';
import { getFlow, loadFlows, type CompiledFlow } from '../../src/dialog/index.js';
import { flowEdges, shortestPaths } from '../../src/dialog/flow-graph.js';
import { loadPromptCatalogs, renderPrompt, type PromptCatalog } from '../../src/prompts/index.js';
import { DialogHarness } from '../helpers/dialog-harness.js';
import { GIBBERISH, driveEdge } from '../helpers/flow-coverage.js';

let flow: CompiledFlow;
let catalog: PromptCatalog;
const vars = { businessName: 'Acme Bakery' };
const menuPrompt = ['say:main-menu.welcome', 'say:main-menu.ask', 'listen'];

beforeAll(async () => {
  const prompts = await loadPromptCatalogs('prompts');
  const flows = await loadFlows('flows', prompts, { taskSpecs: ALL_TASK_SPECS });
  flow = getFlow(flows, 'main-menu');
  catalog = prompts.get('en-US') as PromptCatalog;
});

/** A started conversation; every say it emits must render in en-US (checked by `renders`). */
function call(extra: Record<string, string> = {}): DialogHarness {
  const h = new DialogHarness(flow, { ...vars, ...extra });
  expect(h.start()).toEqual(
    extra.callerName ? ['say:main-menu.hello-caller', ...menuPrompt] : menuPrompt,
  );
  return h;
}

function renders(h: DialogHarness): string[] {
  return h.all.flatMap((c) => (c.type === 'say' ? [renderPrompt(catalog, c.prompt, c.vars)] : []));
}

function ends(h: DialogHarness, reason: string, state: string) {
  expect(h.runner.done).toBe(false);
  expect(h.finishPlayback()).toEqual([`hangUp:${reason}`]);
  expect(h.runner.done).toBe(true);
  expect(h.runner.state).toBe(state);
  expect(() => renders(h)).not.toThrow();
}

describe('main-menu: greeting', () => {
  it('pins the flow and greets with the business name, then asks and listens', () => {
    const h = call();
    expect(h.runner.pin).toEqual({ flowId: 'main-menu', version: flow.version });
    expect(h.runner.state).toBe('menu');
    expect(renders(h)[0]).toContain('Acme Bakery');
    const listen = h.lastListen();
    expect(listen?.expect.choices.map((c) => c.id)).toEqual([
      'order',
      'booking',
      'support',
      'orderStatus',
      'cancelOrder',
      'repeat',
      'help',
      'operator',
    ]);
    expect(listen?.expect.noInputMs).toBe(5000);
  });

  it('greets a known caller by name', () => {
    const h = call({ callerName: 'Sam' });
    expect(renders(h)[0]).toBe('Hi Sam!');
  });
});

describe('main-menu: routing', () => {
  it.each([
    ['support', 'support'],
    ['booking', 'booking'],
    ["I'd like to book an appointment please", 'booking'],
  ])('"%s" → %s route after the implicit confirmation has played', (text, route) => {
    const h = call();
    expect(h.say(text)).toEqual([`say:main-menu.route-${route}`]);
    expect(h.lastSay()?.bargeIn).toBe(false);
    ends(h, `route:${route}`, `route${route[0]?.toUpperCase()}${route.slice(1)}`);
  });

  it.each([
    ['order', 'say'],
    ['i want to place an order', 'say'],
    ['1', 'press'],
  ])('"%s" (%s) starts the ordering flow after the implicit confirmation', (input, how) => {
    const h = call();
    const out = how === 'say' ? h.say(input) : h.press(input);
    expect(out).toEqual(['say:main-menu.route-order', 'task:order.start']);
    expect(h.runner.state.startsWith('routeOrder')).toBe(true);
  });

  it.each([
    ['where is my order', 'checkOrder'],
    ['cancel my order', 'cancelOrder'],
  ])('"%s" starts the order-status flow (%s)', (text, state) => {
    const h = call();
    expect(h.say(text)).toContain('task:orderStatus.lookup');
    expect(h.runner.state.startsWith(`${state}.`)).toBe(true);
  });

  it.each([
    ['2', 'booking'],
    ['3', 'support'],
  ])('press %s → %s', (digit, route) => {
    const h = call();
    expect(h.press(digit)).toEqual([`say:main-menu.route-${route}`]);
    ends(h, `route:${route}`, `route${route[0]?.toUpperCase()}${route.slice(1)}`);
  });

  it('records the route in the slot and renders the goodbye', () => {
    const h = call();
    h.press('3');
    expect(h.runner.snapshot().scopes['/']).toEqual({ route: 'support' });
    expect(renders(h).at(-1)).toContain('connect you to support');
  });

  it('operator by voice or 0 goes to the person route', () => {
    const h = call();
    expect(h.say('operator')).toEqual(['say:main-menu.route-operator']);
    ends(h, 'route:operator', 'routeOperator');
    const k = call();
    expect(k.press('0')).toEqual(['say:main-menu.route-operator']);
  });
});

describe('main-menu: silence and no match', () => {
  it('re-prompts on silence twice, then says goodbye and hangs up with no-input', () => {
    const h = call();
    expect(h.silence()).toEqual(['say:main-menu.no-input', 'listen']);
    expect(h.silence()).toEqual(['say:main-menu.no-input', 'listen']);
    expect(h.silence()).toEqual(['say:main-menu.goodbye-no-input']);
    ends(h, 'no-input', 'goodbyeNoInput');
  });

  it('re-prompts after no match, then routes on a match', () => {
    const h = call();
    expect(h.say(GIBBERISH)).toEqual(['say:main-menu.no-match', 'listen']);
    expect(h.say('support')).toEqual(['say:main-menu.route-support']);
    ends(h, 'route:support', 'routeSupport');
  });

  it('three failures of any kind end with the reason of the last', () => {
    const h = call();
    h.silence();
    h.press('9');
    expect(h.say(GIBBERISH)).toEqual(['say:main-menu.goodbye-no-match']);
    ends(h, 'no-match', 'goodbyeNoMatch');
  });

  it('ignores a no-input timer that fires while a prompt is still playing', () => {
    const h = call();
    expect(h.send({ type: 'user.noInput' })).toEqual([]);
    expect(h.silence()).toEqual(['say:main-menu.no-input', 'listen']);
  });

  it('a provider error re-asks the same question and counts as a failure', () => {
    const h = call();
    h.finishPlayback();
    expect(h.send({ type: 'bot.error', code: 'PROVIDER_FAILED' })).toEqual([
      'say:main-menu.ask',
      'listen',
    ]);
    h.silence();
    expect(h.silence()).toEqual(['say:main-menu.goodbye-no-input']);
  });
});

describe('main-menu: barge-in', () => {
  it('caller speech stops the greeting; the answer then routes', () => {
    const h = call();
    expect(h.send({ type: 'user.speechStarted' })).toEqual(['stopSpeaking']);
    expect(h.finishPlayback(true)).toEqual([]);
    expect(h.send({ type: 'user.transcript', text: 'support', confidence: 0.9 })).toEqual([
      'say:main-menu.route-support',
    ]);
    ends(h, 'route:support', 'routeSupport');
  });

  it('a key pressed over the prompt stops it and routes', () => {
    const h = call();
    expect(h.send({ type: 'user.dtmf', digit: '2' })).toEqual([
      'stopSpeaking',
      'say:main-menu.route-booking',
    ]);
  });

  it('the goodbye cannot be interrupted and input during it is ignored', () => {
    const h = call();
    h.press('3');
    expect(h.send({ type: 'user.speechStarted' })).toEqual([]);
    expect(h.send({ type: 'user.transcript', text: 'order', confidence: 1 })).toEqual([]);
    ends(h, 'route:support', 'routeSupport');
  });
});

describe('main-menu: confirmation when unsure', () => {
  it('low confidence → confirm → yes → route', () => {
    const h = call();
    expect(h.say('support', 0.4)).toEqual(['say:main-menu.confirm-support', 'listen']);
    expect(
      h
        .lastListen()
        ?.expect.choices.slice(0, 2)
        .map((c) => c.id),
    ).toEqual(['yes', 'no']);
    expect(h.say('yeah')).toEqual(['say:main-menu.route-support']);
    ends(h, 'route:support', 'routeSupport');
  });

  it('a misheard word ("suport") is confirmed, and 1 confirms', () => {
    const h = call();
    expect(h.say('suport', 1)).toEqual(['say:main-menu.confirm-support', 'listen']);
    expect(h.press('1')).toEqual(['say:main-menu.route-support']);
  });

  it('low confidence → confirm → no → asks again → press 2 → booking', () => {
    const h = call();
    h.say('support', 0.4);
    expect(h.say('nope')).toEqual(['say:main-menu.confirm-rejected', 'listen']);
    expect(h.runner.state).toBe('menu');
    expect(h.press('2')).toEqual(['say:main-menu.route-booking']);
  });

  it('"no" three times ends with no-match', () => {
    const h = call();
    for (let i = 0; i < 2; i++) {
      h.say('order', 0.4);
      expect(h.say('no')).toEqual(['say:main-menu.confirm-rejected', 'listen']);
    }
    h.say('order', 0.4);
    expect(h.say('no')).toEqual(['say:main-menu.goodbye-no-match']);
  });

  it('silence during the confirmation repeats the question', () => {
    const h = call();
    h.say('booking', 0.4);
    expect(h.silence()).toEqual(['say:main-menu.confirm-booking', 'listen']);
  });
});

describe('main-menu: global commands', () => {
  it('repeat replays the question without counting a failure', () => {
    const h = call();
    h.silence();
    h.silence();
    expect(h.say('repeat')).toEqual(['say:main-menu.no-input', 'listen']);
    expect(h.press('*')).toEqual(['say:main-menu.no-input', 'listen']);
    expect(h.silence()).toEqual(['say:main-menu.goodbye-no-input']);
  });

  it('help explains the options and keeps listening', () => {
    const h = call();
    expect(h.say('help')).toEqual(['say:main-menu.help', 'listen']);
    expect(h.say('support')).toEqual(['say:main-menu.route-support']);
  });
});

describe('main-menu: the caller hangs up', () => {
  it('ends the dialog silently and ignores later events', () => {
    const h = call();
    expect(h.send({ type: 'call.hangup' })).toEqual([]);
    expect(h.runner.done).toBe(true);
    expect(h.runner.state).toBe('menu');
    expect(h.runner.snapshot().ended).toEqual({ by: 'caller', reason: 'caller-hangup' });
    expect(h.say('support')).toEqual([]);
  });
});

/** `state` when the runner is in it, or inside the sub-flow it invoked; else the runner's state. */
function inState(h: DialogHarness, state: string): string {
  const at = h.runner.state;
  return at === state || at.startsWith(`${state}.`) ? state : at;
}

describe('main-menu: path coverage', () => {
  it('every state is reached by the shortest input path to it', () => {
    const def = flow.definition;
    const paths = shortestPaths(def);
    expect([...paths.keys()].sort()).toEqual(Object.keys(def.states).sort());
    for (const [state, path] of paths) {
      // `next` states are passed through in the same step; the caller can never be "in" one.
      if (def.states[state]?.next !== undefined) continue;
      const h = call();
      for (const edge of path) driveEdge(h, def, edge);
      expect(inState(h, state)).toBe(state);
    }
  });

  it('every edge leads where the flow says', () => {
    const def = flow.definition;
    const paths = shortestPaths(def);
    for (const edge of flowEdges(def)) {
      // A sub-flow's return outcomes are driven by that flow's own tests.
      if (edge.via.kind === 'outcome') continue;
      const h = call();
      for (const e of paths.get(edge.from) ?? []) driveEdge(h, def, e);
      driveEdge(h, def, edge);
      expect(`${edge.path} → ${inState(h, edge.to)}`).toBe(`${edge.path} → ${edge.to}`);
      if (def.states[edge.to]?.final) {
        h.finishPlayback();
        expect(h.runner.done).toBe(true);
      }
      expect(() => renders(h)).not.toThrow();
    }
  });
});
