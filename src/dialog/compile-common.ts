import { and } from 'xstate';
import { AppError } from '../errors.js';
import type { CompiledSay } from './context.js';
import type { SpeakParams } from './engine-speech.js';
import {
  sayItems,
  transitionList,
  type FlowDefinition,
  type FlowState,
  type Say,
  type Transition,
  type VocabRef,
} from './flow-schema.js';
import type { ExpectSpec } from './types.js';
import { actions, guards } from './vocabulary.js';

/**
 * The XState config shapes the compiler produces, and helpers shared by the state compilers.
 * Config is plain data except `and(...)` guard combinators.
 */

export interface ActionSpec {
  type: string;
  params?: unknown;
}
export type GuardSpec = { type: string; params?: unknown } | ReturnType<typeof and>;
export interface TransitionConfig {
  target?: string;
  /** Always true for flow-state targets, so a state that targets itself runs its entry again. */
  reenter?: boolean;
  guard?: GuardSpec;
  actions?: ActionSpec[];
}
export interface NodeConfig {
  description?: string;
  entry?: ActionSpec[];
  initial?: string;
  type?: 'final';
  on?: Record<string, TransitionConfig[]>;
  always?: TransitionConfig[];
  states?: Record<string, NodeConfig>;
}

/** Where a flow's states are being compiled: the top flow, or a sub-flow inlined under a state. */
export interface FlowScope {
  flow: FlowDefinition;
  registry: ReadonlyMap<string, FlowDefinition>;
  machineId: string;
  /** XState path of the node that holds this flow's states; [] for the top flow. */
  path: string[];
  /** Slot scope key of this flow run. */
  scope: string;
  /** For sub-flows: where each `return` outcome continues in the parent, and what it copies back. */
  returns?: {
    targets: Record<string, TransitionConfig[]>;
    output: Record<string, string>;
    parentScope: string;
  };
  /** Sub-flow nesting depth, bounded so an undetected invoke cycle cannot recurse forever. */
  depth: number;
}

export const MAX_INVOKE_DEPTH = 8;

/** Absolute XState target of a flow state in this scope. */
export function targetOf(sc: FlowScope, state: string): string {
  return `#${[sc.machineId, ...sc.path, state].join('.')}`;
}

/** Vocabulary params parsed with their zod schema (defaults applied); validated flows never throw here. */
function parseParams(kind: 'guard' | 'action', ref: VocabRef): Record<string, unknown> {
  const def = kind === 'guard' ? guards[ref.type] : actions[ref.type];
  const parsed = def?.params.safeParse(ref.params ?? {});
  if (!parsed?.success) {
    throw new AppError('FLOW_INVALID', 'flow must be validated before compiling', {
      problems: [`${kind} ${ref.type}: unknown or bad params`],
    });
  }
  return parsed.data as Record<string, unknown>;
}

export function vocabGuard(sc: FlowScope, ref: VocabRef): GuardSpec {
  return {
    type: 'vocabGuard',
    params: { name: ref.type, params: parseParams('guard', ref), scope: sc.scope },
  };
}

export function vocabActions(sc: FlowScope, refs: VocabRef[] | undefined): ActionSpec[] {
  return (refs ?? []).map((ref) => ({
    type: 'vocabAction',
    params: { name: ref.type, params: parseParams('action', ref), scope: sc.scope },
  }));
}

/** Both guards must pass; either may be absent. */
export function allOf(a: GuardSpec | undefined, b: GuardSpec | undefined): GuardSpec | undefined {
  if (a && b) return and([a, b] as never);
  return a ?? b;
}

/** A flow transition field → XState transitions, with an extra guard and leading actions. */
export function transitions(
  sc: FlowScope,
  t: Transition | undefined,
  extra: { guard?: GuardSpec; actions?: ActionSpec[] } = {},
): TransitionConfig[] {
  return transitionList(t).map((tr) => {
    const guard = allOf(extra.guard, tr.guard ? vocabGuard(sc, tr.guard) : undefined);
    return {
      target: targetOf(sc, tr.target),
      reenter: true,
      ...(guard ? { guard } : {}),
      actions: [...(extra.actions ?? []), ...vocabActions(sc, tr.actions)],
    };
  });
}

/** Say items with vars and barge-in resolved; `bargeIn` is the default for items without one. */
export function compileSays(say: Say | undefined, bargeIn: boolean): CompiledSay[] {
  return sayItems(say).map((item) =>
    typeof item === 'string'
      ? { prompt: item, vars: {}, bargeIn }
      : {
          prompt: item.prompt,
          vars: item.vars ?? {},
          bargeIn: item.bargeIn ?? bargeIn,
          ...(item.when ? { when: item.when } : {}),
        },
  );
}

export function speakAction(sc: FlowScope, says: CompiledSay[], expect?: ExpectSpec): ActionSpec {
  const params: SpeakParams = { says, scope: sc.scope, ...(expect ? { expect } : {}) };
  return { type: 'speak', params };
}

export const ENTER_STATE: ActionSpec = { type: 'enterState' };

/** Entry of a state that does not listen: enter, run `entry` actions, queue its `say`. */
export function enterActions(
  sc: FlowScope,
  state: FlowState,
  bargeInDefault: boolean,
): ActionSpec[] {
  const says = compileSays(state.say, state.bargeIn ?? bargeInDefault);
  return [
    ENTER_STATE,
    ...vocabActions(sc, state.entry),
    ...(says.length ? [speakAction(sc, says)] : []),
  ];
}
