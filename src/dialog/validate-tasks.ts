import type { FlowDefinition, FlowState, TaskInput, TaskState } from './flow-schema.js';
import { isSpecialOnKey } from './flow-graph.js';
import type { Problem } from './problems.js';
import { RUNNER_OUTCOMES, type TaskSpec } from './task-types.js';
import { add, checkTarget, checkTransition, checkValueSource, type Ctx } from './validate-refs.js';

/**
 * Task checks of one schema-valid flow against the declared TaskSpecs: task names exist, input
 * keys are the spec's, `on` keys are outcomes the task can return, and every outcome of a task
 * state has somewhere to go (`on[outcome]`, `on.error` or `defaults.onTaskError`); an outcome
 * that falls to `on.error` is intended, not a problem. Result slots reach the flow only when
 * declared there; references to them are checked like any slot (unknown-slot, prompt-var).
 */

/** Input keys the engine fills for interpret tasks. */
const INTERPRET_RESERVED = new Set(['text', 'confidence']);

function outcomesOf(spec: TaskSpec): Set<string> {
  return new Set([...spec.outcomes, ...RUNNER_OUTCOMES]);
}

function specOf(ctx: Ctx, specs: ReadonlyMap<string, TaskSpec>, name: string, path: string) {
  const spec = specs.get(name);
  if (!spec) add(ctx, path, 'unknown-task', `no task named "${name}" is declared`);
  return spec;
}

function checkInput(
  ctx: Ctx,
  spec: TaskSpec | undefined,
  input: TaskInput | undefined,
  path: string,
  reserved: ReadonlySet<string> = new Set(),
): void {
  for (const [key, src] of Object.entries(input ?? {})) {
    checkValueSource(ctx, src, `${path}.${key}`);
    if (reserved.has(key))
      add(ctx, `${path}.${key}`, 'reserved-id', `"${key}" is set by the engine`);
    else if (spec?.input && !(key in spec.input))
      add(ctx, `${path}.${key}`, 'unknown-task-input', `${spec.name} takes no input "${key}"`);
  }
}

function checkTaskState(
  ctx: Ctx,
  specs: ReadonlyMap<string, TaskSpec>,
  name: string,
  task: TaskState,
): void {
  const at = `states.${name}.task`;
  const spec = specOf(ctx, specs, task.name, `${at}.name`);
  checkInput(ctx, spec, task.input, `${at}.input`);
  const outcomes = spec ? outcomesOf(spec) : undefined;
  for (const [outcome, t] of Object.entries(task.on)) {
    checkTransition(ctx, t, `${at}.on.${outcome}`);
    if (outcomes && !outcomes.has(outcome))
      add(ctx, `${at}.on.${outcome}`, 'unknown-outcome', `${task.name} never ends "${outcome}"`);
  }
  const fallback = task.on.error !== undefined || ctx.flow.defaults.onTaskError !== undefined;
  for (const outcome of outcomes ?? []) {
    if (!(outcome in task.on) && !fallback) {
      add(ctx, `${at}.on`, 'outcome-unhandled', `no transition for "${outcome}" and no on.error`);
    }
  }
}

function checkInterpret(
  ctx: Ctx,
  specs: ReadonlyMap<string, TaskSpec>,
  name: string,
  s: FlowState,
): void {
  const interpret = s.listen?.interpret;
  if (!interpret) return;
  const at = `states.${name}`;
  const spec = specOf(ctx, specs, interpret.task, `${at}.listen.interpret.task`);
  checkInput(ctx, spec, interpret.input, `${at}.listen.interpret.input`, INTERPRET_RESERVED);
  if (!spec) return;
  const outcomes = outcomesOf(spec);
  const choices = new Set(s.listen?.choices.map((c) => c.id));
  for (const key of Object.keys(s.on ?? {})) {
    if (choices.has(key) || isSpecialOnKey(key) || outcomes.has(key)) continue;
    add(
      ctx,
      `${at}.on.${key}`,
      'unknown-outcome',
      `neither a choice nor an outcome of ${spec.name}`,
    );
  }
}

/** Every task problem of `flow`; `specs` by task name. */
export function checkTasks(flow: FlowDefinition, specs: ReadonlyMap<string, TaskSpec>): Problem[] {
  const ctx: Ctx = { flow, out: [] };
  const onTaskError = flow.defaults.onTaskError;
  if (onTaskError !== undefined) checkTarget(ctx, onTaskError, 'defaults.onTaskError');
  for (const [name, s] of Object.entries(flow.states)) {
    if (s.task) checkTaskState(ctx, specs, name, s.task);
    checkInterpret(ctx, specs, name, s);
  }
  return ctx.out;
}
