import { describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError } from '../../src/errors.js';
import {
  getFlow,
  loadFlows,
  validateFlow,
  validateFlows,
  type Problem,
} from '../../src/dialog/index.js';
import { baseFlow, flowWith, testCatalogs } from '../helpers/flow-fixtures.js';

type Json = Record<string, unknown>;

/** [path, code] of every problem, for flows validated together. */
function problems(flows: Json[], extraPrompts: Record<string, string> = {}): [string, string][] {
  const r = validateFlows(
    flows.map((json, i) => ({ source: `f${i}`, json })),
    testCatalogs(extraPrompts),
  );
  return r.problems.map((p) => [p.path, p.code]);
}

function ask(f: Json & { states: Record<string, Json> }): Json & { listen: Json; on: Json } {
  return f.states.ask as Json & { listen: Json; on: Json };
}

function child(extra: Json = {}): Json {
  return {
    id: 'child',
    version: 1,
    description: 'sub-flow',
    locales: ['en-US'],
    slots: { day: { type: 'choice' } },
    initial: 'ret',
    states: { ret: { final: { return: { outcome: 'done' } } } },
    ...extra,
  };
}

describe('validator: a valid flow', () => {
  it('has no problems', () => {
    expect(problems([baseFlow()])).toEqual([]);
  });
});

describe('validator: schema', () => {
  it.each<[string, (f: Json & { states: Record<string, Json> }) => void, string]>([
    ['missing initial', (f) => delete f.initial, 'initial'],
    [
      'listen and final together',
      (f) => (ask(f).final = { hangUp: { reason: 'x' } }),
      'states.ask',
    ],
    [
      'a bad keypad key',
      (f) => ((ask(f).listen.choices as Json[])[0]!.dtmf = 'x'),
      'states.ask.listen.choices[0].dtmf',
    ],
    ['an unknown field', (f) => (ask(f).colour = 'red'), 'states.ask'],
    ['on without listen', (f) => (f.states.done!.on = { a: 'bye' }), 'states.done.on'],
    ['a bad flow id', (f) => (f.id = 'Main Menu'), 'id'],
  ])('%s → schema at its path', (_name, edit, at) => {
    expect(problems([flowWith(edit)])).toContainEqual([at, 'schema']);
  });
});

describe('validator: references and vocabulary', () => {
  it.each<[string, (f: Json & { states: Record<string, Json> }) => void, string, string]>([
    ['unknown target', (f) => (ask(f).on.a = 'nowhere'), 'states.ask.on.a', 'unknown-state'],
    ['unknown initial', (f) => (f.initial = 'nowhere'), 'initial', 'unknown-state'],
    [
      'unknown action',
      (f) => (ask(f).entry = [{ type: 'launchRockets' }]),
      'states.ask.entry[0].type',
      'unknown-action',
    ],
    [
      'unknown guard',
      (f) => (ask(f).on.a = [{ target: 'done', guard: { type: 'isFriday' } }, { target: 'bye' }]),
      'states.ask.on.a[0].guard.type',
      'unknown-guard',
    ],
    [
      'missing action param',
      (f) => (ask(f).entry = [{ type: 'setSlot', params: { slot: 'pick' } }]),
      'states.ask.entry[0].params.value',
      'bad-params',
    ],
    [
      'undeclared slot',
      (f) => (ask(f).entry = [{ type: 'clearSlot', params: { slot: 'nope' } }]),
      'states.ask.entry[0].params.slot',
      'unknown-slot',
    ],
    [
      'wrong slot type',
      (f) => (ask(f).entry = [{ type: 'appendChoice', params: { slot: 'pick' } }]),
      'states.ask.entry[0].params.slot',
      'slot-type',
    ],
    [
      'undeclared var',
      (f) =>
        (ask(f).say = { prompt: 't.ask', when: { type: 'varPresent', params: { name: 'zzz' } } }),
      'states.ask.say.when.params.name',
      'unknown-var',
    ],
    [
      'say var from undeclared slot',
      (f) => (ask(f).say = { prompt: 't.ask', vars: { x: { slot: 'nope' } } }),
      'states.ask.say.vars.x.slot',
      'unknown-slot',
    ],
    [
      'bad slot default',
      (f) => ((f.slots as Json).count = { type: 'number', default: 'three' }),
      'slots.count.default',
      'slot-type',
    ],
    [
      'reserved choice id',
      (f) => ((ask(f).listen.choices as Json[])[0]!.id = 'digits'),
      'states.ask.listen.choices[0].id',
      'reserved-id',
    ],
    [
      'duplicate choice id',
      (f) => ((ask(f).listen.choices as Json[])[1]!.id = 'a'),
      'states.ask.listen.choices[1].id',
      'duplicate-choice',
    ],
    [
      'choice named like a global',
      (f) => ((ask(f).listen.choices as Json[])[1]!.id = 'operator'),
      'states.ask.listen.choices[1].id',
      'duplicate-choice',
    ],
    [
      'duplicate key',
      (f) => ((ask(f).listen.choices as Json[])[1]!.dtmf = '1'),
      'states.ask.listen.choices[1].dtmf',
      'duplicate-dtmf',
    ],
    [
      'key taken by a global',
      (f) => ((ask(f).listen.choices as Json[])[1]!.dtmf = '0'),
      'globals.operator.dtmf',
      'duplicate-dtmf',
    ],
    ['on for a non-choice', (f) => (ask(f).on.c = 'done'), 'states.ask.on.c', 'unknown-choice'],
    ['choice without transition', (f) => delete ask(f).on.b, 'states.ask.on', 'choice-unhandled'],
    [
      'no escalation',
      (f) => delete f.defaults,
      'states.ask.retry.onExhausted.noInput',
      'escalation-missing',
    ],
    [
      'confirmation missing for a choice',
      (f) => (ask(f).confirm = { prompts: { a: 't.confirm-a' } }),
      'states.ask.confirm.prompts',
      'confirm-prompt-missing',
    ],
    [
      'confirmation for a non-choice',
      (f) => (ask(f).confirm = { prompts: { a: 't.confirm-a', b: 't.confirm-b', c: 't.done' } }),
      'states.ask.confirm.prompts.c',
      'unknown-choice',
    ],
    [
      'guarded alternatives without fallback',
      (f) =>
        (ask(f).on.a = [
          { target: 'done', guard: { type: 'slotFilled', params: { slot: 'pick' } } },
        ]),
      'states.ask.on.a',
      'no-fallback',
    ],
    [
      'unknown transfer var',
      (f) => (f.states.bye = { final: { transfer: { to: { var: 'nope' } } } }),
      'states.bye.final.transfer.to.var',
      'unknown-var',
    ],
  ])('%s', (_name, edit, at, code) => {
    expect(problems([flowWith(edit)])).toContainEqual([at, code]);
  });
});

describe('validator: prompts', () => {
  it('flags a locale without a catalog', () => {
    expect(problems([flowWith((f) => (f.locales = ['en-US', 'fr-FR']))])).toContainEqual([
      'locales[1]',
      'locale-missing',
    ]);
  });

  it('flags a missing key at each place it is used', () => {
    const p = problems([flowWith((f) => (f.states.done!.say = ['t.done', 't.nope']))]);
    expect(p).toEqual([['states.done.say[1]', 'prompt-missing']]);
  });

  it('flags a placeholder nothing supplies', () => {
    expect(problems([flowWith((f) => (f.states.done!.say = 't.mystery'))])).toEqual([
      ['states.done.say', 'prompt-var'],
    ]);
  });

  it('requires a varPresent guard for an optional var', () => {
    expect(problems([flowWith((f) => (f.states.done!.say = 't.hello'))])).toEqual([
      ['states.done.say', 'prompt-optional-var'],
    ]);
    const guarded = {
      prompt: 't.hello',
      when: { type: 'varPresent', params: { name: 'callerName' } },
    };
    expect(problems([flowWith((f) => (f.states.done!.say = guarded))])).toEqual([]);
  });

  it('accepts placeholders filled by item vars and slots', () => {
    const say = { prompt: 't.mystery', vars: { mystery: 'friend' } };
    expect(problems([flowWith((f) => (f.states.done!.say = say))])).toEqual([]);
  });
});

describe('validator: graph', () => {
  it('flags an unreachable state', () => {
    const p = problems([
      flowWith((f) => (f.states.orphan = { say: 't.bye', final: { hangUp: { reason: 'x' } } })),
    ]);
    expect(p).toEqual([['states.orphan', 'unreachable']]);
  });

  it('flags a loop with no way out', () => {
    const p = problems([
      flowWith((f) => {
        ask(f).on.b = 'loopA';
        f.states.loopA = { next: 'loopB' };
        f.states.loopB = { next: 'loopA' };
      }),
    ]);
    expect(p).toEqual([
      ['states.loopA', 'no-exit'],
      ['states.loopB', 'no-exit'],
    ]);
  });

  it('flags a dead end', () => {
    const endless = child({
      states: { ret: { say: 't.bye', final: { hangUp: { reason: 'x' } } } },
    });
    const p = problems([
      flowWith((f) => {
        ask(f).on.b = 'sub';
        f.states.sub = { invoke: { flow: 'child', on: {} } };
      }),
      endless,
    ]);
    expect(p).toEqual([['states.sub', 'dead-end']]);
  });
});

describe('validator: sub-flows', () => {
  const invoking = (inv: Json) =>
    flowWith((f) => {
      ask(f).on.b = 'sub';
      f.states.sub = { invoke: { flow: 'child', on: { done: 'done' }, ...inv } };
    });

  it('accepts a valid invoke', () => {
    expect(problems([invoking({}), child()])).toEqual([]);
  });

  it.each<[string, Json, Json, string, string]>([
    ['unknown flow', { flow: 'ghost' }, {}, 'states.sub.invoke.flow', 'unknown-flow'],
    ['unhandled outcome', { on: {} }, {}, 'states.sub.invoke.on', 'outcome-unhandled'],
    [
      'unknown outcome',
      { on: { done: 'done', other: 'bye' } },
      {},
      'states.sub.invoke.on.other',
      'unknown-outcome',
    ],
    [
      'input to an unknown child slot',
      { input: { nope: 'x' } },
      {},
      'states.sub.invoke.input.nope',
      'unknown-slot',
    ],
    [
      'output from an unknown child slot',
      { output: { pick: 'nope' } },
      {},
      'states.sub.invoke.output.pick',
      'unknown-slot',
    ],
  ])('%s', (_name, inv, _c, at, code) => {
    expect(problems([invoking(inv), child()])).toContainEqual([at, code]);
  });

  it('flags invoke cycles', () => {
    const back = child({
      states: { sub: { invoke: { flow: 'test-flow', on: {} } } },
      initial: 'sub',
    });
    expect(problems([invoking({}), back])).toContainEqual([
      'states.sub.invoke.flow',
      'invoke-cycle',
    ]);
  });

  it('flags two files with the same id', () => {
    expect(problems([baseFlow(), baseFlow()])).toEqual([['id', 'duplicate-flow']]);
  });
});

describe('validator: errors', () => {
  it('validateFlow throws FLOW_INVALID listing every problem with its path', () => {
    const bad = flowWith((f) => {
      ask(f).on.a = 'nowhere';
      f.states.done!.say = 't.nope';
    });
    let err: unknown;
    try {
      validateFlow(bad, testCatalogs());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe('FLOW_INVALID');
    const issues = e.details?.issues as Problem[];
    expect(issues.map((p) => [p.path, p.code])).toEqual(
      expect.arrayContaining([
        ['states.ask.on.a', 'unknown-state'],
        ['states.done.say', 'prompt-missing'],
      ]),
    );
    expect((e.details?.problems as string[]).length).toBe(issues.length);
  });

  it('loadFlows fails boot with the problems of every file, including bad JSON', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'flows-'));
    await writeFile(path.join(dir, 'broken.flow.json'), '{ "id": ');
    await writeFile(
      path.join(dir, 'bad.flow.json'),
      JSON.stringify(flowWith((f) => (f.initial = 'x'))),
    );
    await writeFile(path.join(dir, 'ignored.json'), 'not a flow');
    const err = await loadFlows(dir, testCatalogs()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    const issues = (err as AppError).details?.issues as Problem[];
    expect(issues.map((p) => [p.source, p.path, p.code])).toEqual(
      expect.arrayContaining([
        ['broken.flow.json', '', 'json'],
        ['bad.flow.json', 'initial', 'unknown-state'],
      ]),
    );
    const lines = (err as AppError).details?.problems as string[];
    expect(lines.some((l) => l.startsWith('bad.flow.json: initial: '))).toBe(true);
  });

  it('loadFlows loads valid files; getFlow and a missing dir are FLOW_NOT_FOUND', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'flows-'));
    await writeFile(path.join(dir, 'test.flow.json'), JSON.stringify(baseFlow()));
    const flows = await loadFlows(dir, testCatalogs());
    expect(getFlow(flows, 'test-flow').version).toBe(1);
    expect(() => getFlow(flows, 'nope')).toThrow(
      expect.objectContaining({ code: 'FLOW_NOT_FOUND' }),
    );
    await expect(loadFlows(path.join(dir, 'missing'), testCatalogs())).rejects.toMatchObject({
      code: 'FLOW_NOT_FOUND',
    });
  });
});
