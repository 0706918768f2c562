import { AppError } from '../errors.js';
import type { PromptCatalogs } from '../prompts/index.js';
import { flowEdges, reachableStates, statesReachingFinal } from './flow-graph.js';
import { FlowSchema, type FlowDefinition } from './flow-schema.js';
import { formatProblem, jsonPath, type Problem } from './problems.js';
import { checkPrompts } from './validate-prompts.js';
import { checkRefs } from './validate-refs.js';
import { checkTasks } from './validate-tasks.js';
import type { TaskSpec } from './task-types.js';

/**
 * Flow validation: schema → references and vocabulary → prompt keys per locale → graph
 * (every state reachable, none a dead end, a final state reachable from each) → sub-flows
 * (exist, no cycles, outcomes handled) → tasks (declared, outcomes handled). Collects every
 * problem rather than stopping at the first.
 */

export interface ValidateOptions {
  /** The tasks flows may name (src/call/task-specs.ts); none by default. */
  taskSpecs?: readonly TaskSpec[];
}

export interface FlowSource {
  /** Shown in problems, e.g. the file name. */
  source: string;
  json: unknown;
}

export interface ValidationResult {
  /** Flows that passed every check, by id. */
  flows: Map<string, FlowDefinition>;
  problems: Problem[];
}

/** Schema check only. */
export function parseFlow(json: unknown): { flow?: FlowDefinition; problems: Problem[] } {
  const r = FlowSchema.safeParse(json);
  if (r.success) return { flow: r.data, problems: [] };
  return {
    problems: r.error.issues.map((i) => ({
      path: jsonPath(i.path),
      code: 'schema' as const,
      message: i.message,
    })),
  };
}

function checkGraph(flow: FlowDefinition): Problem[] {
  const edges = flowEdges(flow);
  const reachable = reachableStates(flow, edges);
  const exits = statesReachingFinal(flow, edges);
  const out: Problem[] = [];
  for (const [name, s] of Object.entries(flow.states)) {
    const at = `states.${name}`;
    if (!reachable.has(name))
      out.push({ path: at, code: 'unreachable', message: 'no transition leads here' });
    if (s.final) continue;
    if (!edges.some((e) => e.from === name))
      out.push({ path: at, code: 'dead-end', message: 'no transition leaves here' });
    else if (!exits.has(name))
      out.push({ path: at, code: 'no-exit', message: 'no final state can be reached from here' });
  }
  return out;
}

function returnOutcomes(flow: FlowDefinition): Set<string> {
  const out = new Set<string>();
  for (const s of Object.values(flow.states))
    if (s.final && 'return' in s.final) out.add(s.final.return.outcome);
  return out;
}

type Invoke = NonNullable<FlowDefinition['states'][string]['invoke']>;

/** One sub-flow reference: the child exists, its outcomes are handled, input/output slots exist. */
function checkInvoke(flow: FlowDefinition, child: FlowDefinition, inv: Invoke, at: string) {
  const out: Problem[] = [];
  const problem = (path: string, code: Problem['code'], message: string) =>
    out.push({ path, code, message });
  const outcomes = returnOutcomes(child);
  for (const o of outcomes) {
    if (!(o in inv.on)) problem(`${at}.on`, 'outcome-unhandled', `no transition for "${o}"`);
  }
  for (const o of Object.keys(inv.on)) {
    if (!outcomes.has(o)) problem(`${at}.on.${o}`, 'unknown-outcome', `never returns "${o}"`);
  }
  for (const slot of Object.keys(inv.input ?? {})) {
    if (!(slot in child.slots)) problem(`${at}.input.${slot}`, 'unknown-slot', `no child slot`);
  }
  for (const [to, from] of Object.entries(inv.output ?? {})) {
    if (!(to in flow.slots)) problem(`${at}.output.${to}`, 'unknown-slot', `no slot "${to}"`);
    if (!(from in child.slots)) problem(`${at}.output.${to}`, 'unknown-slot', `no child "${from}"`);
  }
  return out;
}

/** Sub-flow references of `flow` against `registry`. */
function checkInvokes(
  flow: FlowDefinition,
  registry: ReadonlyMap<string, FlowDefinition>,
): Problem[] {
  return Object.entries(flow.states).flatMap(([name, s]) => {
    if (!s.invoke) return [];
    const at = `states.${name}.invoke`;
    const child = registry.get(s.invoke.flow);
    if (child) return checkInvoke(flow, child, s.invoke, at);
    return [{ path: `${at}.flow`, code: 'unknown-flow' as const, message: 'no such flow' }];
  });
}

/** Invoke paths of `flow` that lead back to it. */
function checkCycles(
  flow: FlowDefinition,
  registry: ReadonlyMap<string, FlowDefinition>,
): Problem[] {
  const leadsBack = (id: string, seen: Set<string>): boolean => {
    if (id === flow.id) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    const f = registry.get(id);
    return Object.values(f?.states ?? {}).some(
      (s) => s.invoke !== undefined && leadsBack(s.invoke.flow, seen),
    );
  };
  return Object.entries(flow.states)
    .filter(([, s]) => s.invoke !== undefined && leadsBack(s.invoke.flow, new Set()))
    .map(([name]) => ({
      path: `states.${name}.invoke.flow`,
      code: 'invoke-cycle' as const,
      message: 'sub-flows invoke each other in a cycle',
    }));
}

/** Validates many flows together, so sub-flow references resolve among them. */
export function validateFlows(
  sources: FlowSource[],
  prompts: PromptCatalogs,
  opts: ValidateOptions = {},
): ValidationResult {
  const specs = new Map((opts.taskSpecs ?? []).map((s) => [s.name, s]));
  const problems: Problem[] = [];
  const parsed = new Map<string, { flow: FlowDefinition; source: string }>();
  for (const { source, json } of sources) {
    const r = parseFlow(json);
    problems.push(...r.problems.map((p) => ({ ...p, source })));
    if (!r.flow) continue;
    const dup = parsed.get(r.flow.id);
    if (dup)
      problems.push({
        source,
        path: 'id',
        code: 'duplicate-flow',
        message: `id also used by ${dup.source}`,
      });
    else parsed.set(r.flow.id, { flow: r.flow, source });
  }
  const registry = new Map([...parsed].map(([id, p]) => [id, p.flow]));
  const flows = new Map<string, FlowDefinition>();
  for (const [id, { flow, source }] of parsed) {
    const own = [
      ...checkRefs(flow),
      ...checkPrompts(flow, prompts),
      ...checkGraph(flow),
      ...checkInvokes(flow, registry),
      ...checkCycles(flow, registry),
      ...checkTasks(flow, specs),
    ];
    problems.push(...own.map((p) => ({ ...p, source })));
    if (own.length === 0) flows.set(id, flow);
  }
  return { flows, problems };
}

/** Validates one flow (its sub-flows come from `registry`); throws FLOW_INVALID with every problem. */
export function validateFlow(
  json: unknown,
  prompts: PromptCatalogs,
  registry: ReadonlyMap<string, FlowDefinition> = new Map(),
  opts: ValidateOptions = {},
): FlowDefinition {
  const sources = [
    { source: '', json },
    ...[...registry.values()].map((f) => ({ source: f.id, json: f })),
  ];
  const r = validateFlows(sources, prompts, opts);
  throwIfProblems(r.problems.filter((p) => p.source === ''));
  const id = parseFlow(json).flow?.id ?? '';
  const flow = r.flows.get(id);
  if (!flow) throwIfProblems([{ path: '', code: 'schema', message: 'flow did not validate' }]);
  return flow as FlowDefinition;
}

/**
 * Throws AppError('FLOW_INVALID') when there are problems. details.problems: formatted lines
 * ("file: path: message [code]"); details.issues: the structured Problems.
 */
export function throwIfProblems(problems: Problem[]): void {
  if (problems.length === 0) return;
  const lines = problems.map(formatProblem);
  throw new AppError('FLOW_INVALID', `invalid flows:\n  ${lines.join('\n  ')}`, {
    problems: lines,
    issues: problems,
  });
}
