import {
  transitionList,
  type FlowDefinition,
  type FlowState,
  type Transition,
} from './flow-schema.js';

/**
 * The flow as a graph of its own states (sub-flows are separate graphs). Used by the validator
 * (reachability, dead ends) and by path-coverage tests (which input drives each edge).
 */

export type EdgeVia =
  | { kind: 'next' }
  | { kind: 'choice'; id: string }
  | { kind: 'digits' }
  /** `exhausted`: escalation after maxFailures; otherwise the flow's explicit on.noInput/noMatch. */
  | { kind: 'failure'; failure: 'noInput' | 'noMatch'; exhausted: boolean }
  | { kind: 'error' }
  | { kind: 'global'; id: string }
  | { kind: 'outcome'; outcome: string }
  /** A task's outcome: of a task state, or of a listen's interpret task (via its `on`). */
  | { kind: 'task'; outcome: string };

export interface FlowEdge {
  from: string;
  to: string;
  via: EdgeVia;
  /** JSON path of the field that declares the edge. */
  path: string;
}

const SPECIAL_ON = new Set(['noInput', 'noMatch', 'error', 'digits']);

function edgesOf(from: string, t: Transition | undefined, via: EdgeVia, path: string): FlowEdge[] {
  return transitionList(t).map((tr) => ({ from, to: tr.target, via, path }));
}

function onVia(key: string, s: FlowState): EdgeVia {
  if (key === 'digits') return { kind: 'digits' };
  if (key === 'error') return { kind: 'error' };
  if (key === 'noInput' || key === 'noMatch')
    return { kind: 'failure', failure: key, exhausted: false };
  if (s.listen?.interpret && !s.listen.choices.some((c) => c.id === key))
    return { kind: 'task', outcome: key };
  return { kind: 'choice', id: key };
}

/** A task state's outcomes, and its fallback to `defaults.onTaskError` when it has no on.error. */
function taskEdges(flow: FlowDefinition, name: string, s: FlowState): FlowEdge[] {
  const on = s.task?.on ?? {};
  const at = `states.${name}.task.on`;
  const out = Object.entries(on).flatMap(([outcome, t]) =>
    edgesOf(name, t, { kind: 'task', outcome }, `${at}.${outcome}`),
  );
  const escalate = flow.defaults.onTaskError;
  if (on.error === undefined && escalate !== undefined) {
    out.push({
      from: name,
      to: escalate,
      via: { kind: 'task', outcome: 'error' },
      path: 'defaults.onTaskError',
    });
  }
  return out;
}

function listenEdges(flow: FlowDefinition, name: string, s: FlowState): FlowEdge[] {
  const at = `states.${name}`;
  const out: FlowEdge[] = [];
  for (const [key, t] of Object.entries(s.on ?? {}))
    out.push(...edgesOf(name, t, onVia(key, s), `${at}.on.${key}`));
  for (const failure of ['noInput', 'noMatch'] as const) {
    if (s.on?.[failure] !== undefined) continue;
    const own = s.retry?.onExhausted?.[failure];
    const to = own ?? flow.defaults.onExhausted?.[failure];
    const path = own ? `${at}.retry.onExhausted.${failure}` : `defaults.onExhausted.${failure}`;
    if (to) out.push({ from: name, to, via: { kind: 'failure', failure, exhausted: true }, path });
  }
  for (const [id, g] of Object.entries(flow.globals)) {
    const active =
      s.globals === undefined ||
      s.globals === true ||
      (Array.isArray(s.globals) && s.globals.includes(id));
    if (active && g.target)
      out.push({
        from: name,
        to: g.target,
        via: { kind: 'global', id },
        path: `globals.${id}.target`,
      });
  }
  return out;
}

/** Every edge of the flow, in declaration order. */
export function flowEdges(flow: FlowDefinition): FlowEdge[] {
  const out: FlowEdge[] = [];
  for (const [name, s] of Object.entries(flow.states)) {
    if (s.listen) out.push(...listenEdges(flow, name, s));
    if (s.task) out.push(...taskEdges(flow, name, s));
    if (s.next !== undefined)
      out.push(...edgesOf(name, s.next, { kind: 'next' }, `states.${name}.next`));
    for (const [outcome, t] of Object.entries(s.invoke?.on ?? {})) {
      out.push(
        ...edgesOf(name, t, { kind: 'outcome', outcome }, `states.${name}.invoke.on.${outcome}`),
      );
    }
  }
  return out;
}

/** States reachable from `initial` (including it). */
export function reachableStates(flow: FlowDefinition, edges = flowEdges(flow)): Set<string> {
  const seen = new Set<string>([flow.initial]);
  const queue = [flow.initial];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    for (const e of edges) {
      if (e.from === s && !seen.has(e.to)) {
        seen.add(e.to);
        queue.push(e.to);
      }
    }
  }
  return seen;
}

/** States from which some final state can be reached. */
export function statesReachingFinal(flow: FlowDefinition, edges = flowEdges(flow)): Set<string> {
  const ok = new Set(
    Object.entries(flow.states)
      .filter(([, s]) => s.final)
      .map(([n]) => n),
  );
  let grew = true;
  while (grew) {
    grew = false;
    for (const e of edges) {
      if (ok.has(e.to) && !ok.has(e.from)) {
        ok.add(e.from);
        grew = true;
      }
    }
  }
  return ok;
}

/** Keys of a state's `on` that are not choice ids. */
export function isSpecialOnKey(key: string): boolean {
  return SPECIAL_ON.has(key);
}

/** Shortest chain of edges from `initial` to every reachable state (for path-coverage tests). */
export function shortestPaths(flow: FlowDefinition): Map<string, FlowEdge[]> {
  const edges = flowEdges(flow);
  const paths = new Map<string, FlowEdge[]>([[flow.initial, []]]);
  const queue = [flow.initial];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    const here = paths.get(s) ?? [];
    for (const e of edges) {
      if (e.from === s && !paths.has(e.to)) {
        paths.set(e.to, [...here, e]);
        queue.push(e.to);
      }
    }
  }
  return paths;
}
