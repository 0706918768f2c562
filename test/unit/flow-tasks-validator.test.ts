import { describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError } from '../../src/errors.js';
import { loadFlows, validateFlows, type Problem } from '../../src/dialog/index.js';
import { flowEdges } from '../../src/dialog/flow-graph.js';
import { FlowSchema } from '../../src/dialog/flow-schema.js';
import { TASK_PROMPTS, TEST_TASK_SPECS } from '../helpers/dialog-harness.js';
import { flowWith, testCatalogs } from '../helpers/flow-fixtures.js';

type Json = Record<string, unknown>;
type FlowJson = Json & { states: Record<string, Json> };

/** ask → a: place (task order.place: placed → done, rejected/error → bye); b: take (interpret). */
function taskFlow(edit: (f: FlowJson) => void = () => {}): Json {
  return flowWith((f) => {
    (f.slots as Json).orderId = { type: 'string' };
    (f.states.ask as { on: Json }).on = { a: 'place', b: 'take' };
    f.states.place = {
      say: 't.wait',
      task: {
        name: 'order.place',
        input: { cart: { slot: 'cart' } },
        on: { placed: 'placed', rejected: 'bye', error: 'bye' },
      },
    };
    f.states.placed = { say: 't.placed', final: { hangUp: { reason: 'placed' } } };
    f.states.take = {
      say: 't.cart',
      listen: {
        choices: [{ id: 'finish', phrases: ['finish'] }],
        interpret: { task: 'order.take', input: { cart: { slot: 'cart' } } },
        vocabulary: 'menu',
      },
      on: { finish: 'done', added: 'take', done: 'done', noMatch: 'bye' },
    };
    edit(f);
  });
}

function problems(flows: Json[], taskSpecs = TEST_TASK_SPECS): [string, string][] {
  const r = validateFlows(
    flows.map((json, i) => ({ source: `f${i}`, json })),
    testCatalogs(TASK_PROMPTS),
    { taskSpecs },
  );
  return r.problems.map((p) => [p.path, p.code]);
}

const place = (f: FlowJson) =>
  f.states.place as { task: { name: string; on: Json; input: Json } } & Json;
const take = (f: FlowJson) => f.states.take as { listen: Json; on: Json } & Json;

describe('validator: tasks', () => {
  it('accepts a flow with a task state and an interpret listen', () => {
    expect(problems([taskFlow()])).toEqual([]);
  });

  it('prompt placeholders may name declared slots a task sets', () => {
    // t.placed says {orderId}; orderId is declared and set only by order.place.
    expect(problems([taskFlow()])).not.toContainEqual(['states.placed.say', 'prompt-var']);
    const undeclared = taskFlow((f) => delete (f.slots as Json).orderId);
    expect(problems([undeclared])).toContainEqual(['states.placed.say', 'prompt-var']);
  });

  it.each<[string, (f: FlowJson) => void, string, string]>([
    ['task and next together', (f) => (place(f).next = 'bye'), 'states.place', 'schema'],
    ['state-level on with task', (f) => (place(f).on = { x: 'bye' }), 'states.place.on', 'schema'],
    [
      'a bad task name',
      (f) => (place(f).task.name = 'Order Place'),
      'states.place.task.name',
      'schema',
    ],
    [
      'an unknown task',
      (f) => (place(f).task.name = 'order.cancel'),
      'states.place.task.name',
      'unknown-task',
    ],
    [
      'an on key that is no outcome',
      (f) => (place(f).task.on.shipped = 'done'),
      'states.place.task.on.shipped',
      'unknown-outcome',
    ],
    [
      'an on target that does not exist',
      (f) => (place(f).task.on.placed = 'nowhere'),
      'states.place.task.on.placed',
      'unknown-state',
    ],
    [
      'an outcome with nowhere to go',
      (f) => delete place(f).task.on.error,
      'states.place.task.on',
      'outcome-unhandled',
    ],
    [
      'an input key the task does not take',
      (f) => (place(f).task.input.colour = 'red'),
      'states.place.task.input.colour',
      'unknown-task-input',
    ],
    [
      'an input from an undeclared slot',
      (f) => (place(f).task.input.note = { slot: 'nope' }),
      'states.place.task.input.note.slot',
      'unknown-slot',
    ],
    [
      'an unknown onTaskError target',
      (f) => (f.defaults = { ...(f.defaults as Json), onTaskError: 'nowhere' }),
      'defaults.onTaskError',
      'unknown-state',
    ],
    [
      'an unknown interpret task',
      (f) => (take(f).listen.interpret = { task: 'order.guess' }),
      'states.take.listen.interpret.task',
      'unknown-task',
    ],
    [
      'a listen on key that is neither choice nor outcome',
      (f) => (take(f).on.shipped = 'done'),
      'states.take.on.shipped',
      'unknown-outcome',
    ],
    [
      'an interpret input the engine sets',
      (f) => (take(f).listen.interpret = { task: 'order.take', input: { text: 'x' } }),
      'states.take.listen.interpret.input.text',
      'reserved-id',
    ],
    [
      'a listen with neither choices, digits nor interpret',
      (f) => {
        take(f).listen = { choices: [] };
        take(f).on = { noMatch: 'bye' };
      },
      'states.take.listen',
      'schema',
    ],
  ])('%s → %s %s', (_name, edit, at, code) => {
    expect(problems([taskFlow(edit)])).toContainEqual([at, code]);
  });

  it('without an on entry per outcome, on.error or defaults.onTaskError is enough', () => {
    const f = taskFlow((g) => {
      place(g).task.on = { placed: 'placed' };
      g.defaults = { ...(g.defaults as Json), onTaskError: 'bye' };
    });
    expect(problems([f])).toEqual([]);
  });

  it('interpret outcomes need no on entry (they re-prompt)', () => {
    const f = taskFlow((g) => (take(g).on = { finish: 'done', noMatch: 'bye' }));
    expect(problems([f])).toEqual([]);
  });

  it('without task specs (the default) every task name is unknown', () => {
    const r = validateFlows([{ source: 'f', json: taskFlow() }], testCatalogs(TASK_PROMPTS));
    expect(r.problems.map((p) => [p.path, p.code])).toEqual(
      expect.arrayContaining([
        ['states.place.task.name', 'unknown-task'],
        ['states.take.listen.interpret.task', 'unknown-task'],
      ]),
    );
  });

  it('states reached only through task outcomes are reachable; task edges are typed', () => {
    const f = taskFlow((g) => {
      place(g).task.on = { placed: 'placed', error: 'sorry' };
      g.states.sorry = { say: 't.sorry-error', final: { hangUp: { reason: 'error' } } };
    });
    expect(problems([f])).toEqual([]);
    const edges = flowEdges(FlowSchema.parse(f));
    expect(edges).toContainEqual({
      from: 'place',
      to: 'sorry',
      via: { kind: 'task', outcome: 'error' },
      path: 'states.place.task.on.error',
    });
    expect(edges).toContainEqual({
      from: 'take',
      to: 'take',
      via: { kind: 'task', outcome: 'added' },
      path: 'states.take.on.added',
    });
  });

  it('a state reached only by the onTaskError fallback is reachable', () => {
    const f = taskFlow((g) => {
      place(g).task.on = { placed: 'placed', rejected: 'bye' };
      g.defaults = { ...(g.defaults as Json), onTaskError: 'sorry' };
      g.states.sorry = { say: 't.sorry-error', final: { hangUp: { reason: 'error' } } };
    });
    expect(problems([f])).toEqual([]);
  });

  it('a task state without outcomes leading anywhere is a dead end', () => {
    const f = taskFlow((g) => {
      place(g).task.on = {};
    });
    expect(problems([f])).toEqual(
      expect.arrayContaining([
        ['states.place.task.on', 'outcome-unhandled'],
        ['states.place', 'dead-end'],
      ]),
    );
  });

  it('loadFlows takes the task specs; boot fails listing task problems', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'flows-'));
    await writeFile(path.join(dir, 'task.flow.json'), JSON.stringify(taskFlow()));
    const catalogs = testCatalogs(TASK_PROMPTS);
    const flows = await loadFlows(dir, catalogs, { taskSpecs: TEST_TASK_SPECS });
    expect(flows.get('test-flow')?.definition.states.place?.task?.name).toBe('order.place');
    const err = await loadFlows(dir, catalogs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('FLOW_INVALID');
    const issues = (err as AppError).details?.issues as Problem[];
    expect(issues.map((p) => p.code)).toContain('unknown-task');
  });
});
