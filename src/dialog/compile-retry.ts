import {
  allOf,
  compileSays,
  targetOf,
  transitions,
  type ActionSpec,
  type FlowScope,
  type GuardSpec,
  type TransitionConfig,
} from './compile-common.js';
import type { CompiledSay } from './context.js';
import type { FlowState, GlobalCommand } from './flow-schema.js';
import type { ExpectSpec } from './types.js';

/** Failure counting and re-prompting of a listening state, shared by its phases. */

export type ListenState = FlowState & { listen: NonNullable<FlowState['listen']> };
export type FailureKind = 'noInput' | 'noMatch';

export interface ListenCtx {
  sc: FlowScope;
  state: ListenState;
  expect: ExpectSpec;
  globals: [string, GlobalCommand][];
  max: number;
  bargeIn: boolean;
}

/**
 * A failure of `kind`: the flow's explicit `on[kind]` if given; else escalate when this is the
 * `max`-th failure, otherwise count it and run `reprompt`.
 */
export function failure(
  lc: ListenCtx,
  kind: FailureKind,
  reprompt: ActionSpec[],
  opts: { guard?: GuardSpec; target?: string } = {},
): TransitionConfig[] {
  const { sc, state } = lc;
  if (state.on?.[kind] !== undefined) return transitions(sc, state.on[kind], { guard: opts.guard });
  const escalate = state.retry?.onExhausted?.[kind] ?? sc.flow.defaults.onExhausted?.[kind];
  const exhausted: GuardSpec = { type: 'failuresExhausted', params: { max: lc.max } };
  const retry: TransitionConfig = { actions: [{ type: 'countFailure' }, ...reprompt] };
  if (opts.guard) retry.guard = opts.guard;
  if (opts.target) retry.target = opts.target;
  return [
    ...(escalate
      ? [{ guard: allOf(opts.guard, exhausted), target: targetOf(sc, escalate), reenter: true }]
      : []),
    retry,
  ];
}

/** What a re-prompt says: the state's own, else the flow's apology followed by the question. */
export function repromptSays(lc: ListenCtx, kind: FailureKind, says: CompiledSay[]): CompiledSay[] {
  const own = lc.state.reprompt?.[kind];
  if (own !== undefined) return compileSays(own, lc.bargeIn);
  const apology = compileSays(lc.sc.flow.defaults.reprompt?.[kind], lc.bargeIn);
  return [...apology, ...says];
}
