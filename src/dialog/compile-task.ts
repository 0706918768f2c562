import {
  enterActions,
  targetOf,
  transitions,
  type ActionSpec,
  type FlowScope,
  type NodeConfig,
  type TransitionConfig,
} from './compile-common.js';
import type { StartTaskParams, TaskDoneParams } from './engine-task.js';
import type { FlowState, SlotType, TaskState } from './flow-schema.js';

/**
 * A task state compiles to:
 *   entry: say (no barge-in by default), then emit `task {id, name, input}`
 *   _running — waits for `task.done` with that id (others are stale); caller input is ignored
 * The answer merges declared result slots, then raises `task.outcome`, routed at the state
 * level: `on[outcome]`, else `on.error`, else `defaults.onTaskError` (validated to exist).
 */

/** Declared slot types of the flow being compiled (result slots outside these are dropped). */
export function declaredSlots(sc: FlowScope): Record<string, SlotType> {
  const out: Record<string, SlotType> = {};
  for (const [name, slot] of Object.entries(sc.flow.slots)) out[name] = slot.type;
  return out;
}

export function startTaskAction(sc: FlowScope, p: Omit<StartTaskParams, 'scope'>): ActionSpec {
  const params: StartTaskParams = { ...p, scope: sc.scope };
  return { type: 'startTask', params };
}

export function mergeTaskAction(sc: FlowScope): ActionSpec {
  const params: TaskDoneParams = { mode: 'merge', scope: sc.scope, slots: declaredSlots(sc) };
  return { type: 'taskDone', params };
}

/** Routes for `task.outcome`: each `on` outcome, then `on.error` / `defaults.onTaskError`. */
function outcomeRoutes(sc: FlowScope, on: TaskState['on']): TransitionConfig[] {
  const routes = Object.entries(on).flatMap(([outcome, t]) =>
    transitions(sc, t, { guard: { type: 'outcomeIs', params: { outcome } } }),
  );
  if (on.error !== undefined) return [...routes, ...transitions(sc, on.error)];
  const escalate = sc.flow.defaults.onTaskError;
  if (escalate) routes.push({ target: targetOf(sc, escalate), reenter: true });
  return routes;
}

export function compileTask(sc: FlowScope, state: FlowState, task: TaskState): NodeConfig {
  return {
    entry: [
      ...enterActions(sc, state, false),
      startTaskAction(sc, { name: task.name, input: task.input ?? {} }),
    ],
    initial: '_running',
    on: { 'task.outcome': outcomeRoutes(sc, task.on) },
    states: {
      _running: {
        on: { 'task.done': [{ guard: { type: 'taskCurrent' }, actions: [mergeTaskAction(sc)] }] },
      },
    },
  };
}
