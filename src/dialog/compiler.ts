import { AppError } from '../errors.js';
import {
  MAX_INVOKE_DEPTH,
  enterActions,
  transitions,
  type FlowScope,
  type NodeConfig,
  type TransitionConfig,
} from './compile-common.js';
import { compileListen } from './compile-listen.js';
import { compileTask } from './compile-task.js';
import { ROOT_SCOPE } from './context.js';
import type { FinishParams } from './engine-speech.js';
import type { InitScopeParams, ReturnParams } from './engine-input.js';
import type { FlowDefinition, FlowState, SlotValue } from './flow-schema.js';
import { dialogSetup, machineContext } from './machine-setup.js';

/**
 * Flow JSON → XState v5 machine. The machine does no I/O: it receives DialogEvents and emits
 * `{type:'dialog.command', command}` events; its context is plain JSON. Flow states become
 * nodes of the same name (sub-flows nest under the invoking state); engine phases inside a state
 * are named with a leading `_`. Input must already be validated (validator.ts).
 */

export type DialogMachine = ReturnType<typeof dialogSetup.createMachine>;

export interface CompiledFlow {
  readonly id: string;
  readonly version: number;
  readonly definition: FlowDefinition;
  readonly machine: DialogMachine;
  /** Runtime vars this flow and its sub-flows declare, split by `required`. */
  readonly vars: { required: string[]; optional: string[] };
}

/** `registry` supplies the flows named by `invoke` (validated, keyed by id). */
export function compileFlow(
  flow: FlowDefinition,
  registry: ReadonlyMap<string, FlowDefinition> = new Map(),
): CompiledFlow {
  const sc: FlowScope = {
    flow,
    registry,
    machineId: flow.id,
    path: [],
    scope: ROOT_SCOPE,
    depth: 0,
  };
  const config = {
    id: flow.id,
    initial: flow.initial,
    context: machineContext,
    on: {
      'bot.playbackDone': { actions: 'notePlayback' },
      'user.speechStarted': { actions: 'bargeIn' },
      'call.hangup': { actions: 'callerHangup' },
    },
    states: compileStates(sc),
  };
  const machine = dialogSetup.createMachine(
    // The config is generated from validated data; its shape is NodeConfig, not a literal XState can infer.
    config as unknown as Parameters<typeof dialogSetup.createMachine>[0],
  );
  return {
    id: flow.id,
    version: flow.version,
    definition: flow,
    machine,
    vars: collectVars(flow, registry),
  };
}

/** Slot defaults of a flow run. */
export function slotDefaults(flow: FlowDefinition): Record<string, SlotValue> {
  const out: Record<string, SlotValue> = {};
  for (const [name, slot] of Object.entries(flow.slots))
    if (slot.default !== undefined) out[name] = slot.default;
  return out;
}

function compileStates(sc: FlowScope): Record<string, NodeConfig> {
  const out: Record<string, NodeConfig> = {};
  for (const [name, state] of Object.entries(sc.flow.states)) {
    const node = compileState(sc, name, state);
    out[name] = state.description ? { ...node, description: state.description } : node;
  }
  return out;
}

function compileState(sc: FlowScope, name: string, state: FlowState): NodeConfig {
  if (state.listen) return compileListen(sc, { ...state, listen: state.listen });
  if (state.final) return compileFinal(sc, state, state.final);
  if (state.invoke) return compileInvoke(sc, name, state, state.invoke);
  if (state.task) return compileTask(sc, state, state.task);
  return {
    entry: enterActions(sc, state, false),
    always: transitions(sc, state.next),
  };
}

/**
 * hangUp / transfer: say, wait until every pending say has finished playing, then emit the
 * command. A `return` in a sub-flow continues in the parent at once; at top level it hangs up.
 */
function compileFinal(
  sc: FlowScope,
  state: FlowState,
  final: NonNullable<FlowState['final']>,
): NodeConfig {
  const entry = enterActions(sc, state, false);
  if ('return' in final && sc.returns) {
    const back: ReturnParams = {
      from: sc.scope,
      to: sc.returns.parentScope,
      output: sc.returns.output,
    };
    return {
      entry: [...entry, { type: 'returnOutput', params: back }],
      always: sc.returns.targets[final.return.outcome] ?? [],
    };
  }
  const finish: FinishParams = { final, scope: sc.scope };
  return {
    entry,
    initial: '_speaking',
    states: {
      _speaking: { always: [{ guard: { type: 'playbackIdle' }, target: '_ended' }] },
      _ended: { type: 'final', entry: [{ type: 'finish', params: finish }] },
    },
  };
}

/** A sub-flow inlined under the invoking state, with its own slot scope. */
function compileInvoke(
  sc: FlowScope,
  name: string,
  state: FlowState,
  invoke: NonNullable<FlowState['invoke']>,
): NodeConfig {
  const child = sc.registry.get(invoke.flow);
  if (!child || sc.depth >= MAX_INVOKE_DEPTH) {
    throw new AppError('FLOW_INVALID', 'sub-flow missing or nested too deeply', {
      problems: [`states.${name}.invoke.flow: cannot inline ${invoke.flow}`],
    });
  }
  const path = [...sc.path, name];
  const scope = `${sc.scope}${name}/`;
  const targets: Record<string, TransitionConfig[]> = {};
  for (const [outcome, t] of Object.entries(invoke.on)) targets[outcome] = transitions(sc, t);
  const childScope: FlowScope = {
    flow: child,
    registry: sc.registry,
    machineId: sc.machineId,
    path,
    scope,
    depth: sc.depth + 1,
    returns: { targets, output: invoke.output ?? {}, parentScope: sc.scope },
  };
  const init: InitScopeParams = {
    scope,
    from: sc.scope,
    defaults: slotDefaults(child),
    input: invoke.input ?? {},
  };
  return {
    entry: [...enterActions(sc, state, false), { type: 'initScope', params: init }],
    initial: child.initial,
    states: compileStates(childScope),
  };
}

function collectVars(flow: FlowDefinition, registry: ReadonlyMap<string, FlowDefinition>) {
  const required = new Set<string>();
  const optional = new Set<string>();
  const seen = new Set<string>();
  const visit = (f: FlowDefinition) => {
    if (seen.has(f.id)) return;
    seen.add(f.id);
    for (const [name, v] of Object.entries(f.vars)) (v.required ? required : optional).add(name);
    for (const s of Object.values(f.states)) {
      const child = s.invoke ? registry.get(s.invoke.flow) : undefined;
      if (child) visit(child);
    }
  };
  visit(flow);
  return {
    required: [...required].sort(),
    optional: [...optional].filter((v) => !required.has(v)).sort(),
  };
}
