import { NO_PHRASES, YES_PHRASES } from '../nlu/index.js';
import {
  ENTER_STATE,
  allOf,
  compileSays,
  speakAction,
  targetOf,
  transitions,
  vocabActions,
  type ActionSpec,
  type FlowScope,
  type GuardSpec,
  type NodeConfig,
  type TransitionConfig,
} from './compile-common.js';
import type { CompiledSay } from './context.js';
import type { ConfirmParams } from './engine-speech.js';
import type { FlowState, GlobalCommand } from './flow-schema.js';
import type { ExpectChoice, ExpectSpec } from './types.js';

/**
 * Compiles a listening state to a compound node:
 *   entry: say the prompt, then `listen`
 *   _listening  — input → nlu.match / nlu.noMatch; failures re-prompt, then escalate
 *   _confirming — only with `confirm`: a low-confidence match is read back for yes/no
 * `dialog.accept` (raised once a choice is final) routes on the choice id at the state level.
 */

type ListenState = FlowState & { listen: NonNullable<FlowState['listen']> };
type FailureKind = 'noInput' | 'noMatch';

interface ListenCtx {
  sc: FlowScope;
  state: ListenState;
  expect: ExpectSpec;
  globals: [string, GlobalCommand][];
  max: number;
  bargeIn: boolean;
}

/** Flow globals active in a state: all by default, none with `false`, or the listed ids. */
export function activeGlobals(
  flow: FlowScope['flow'],
  state: FlowState,
): [string, GlobalCommand][] {
  const all = Object.entries(flow.globals);
  if (state.globals === false) return [];
  const only = state.globals;
  return Array.isArray(only) ? all.filter(([id]) => only.includes(id)) : all;
}

function globalChoices(globals: [string, GlobalCommand][]): ExpectChoice[] {
  return globals.map(([id, g]) => ({
    id,
    phrases: g.phrases,
    ...(g.dtmf ? { dtmf: g.dtmf } : {}),
  }));
}

export function buildExpect(
  sc: FlowScope,
  state: ListenState,
  globals: [string, GlobalCommand][],
): ExpectSpec {
  const l = state.listen;
  const d = sc.flow.defaults;
  return {
    choices: [...l.choices.map((c) => ({ ...c })), ...globalChoices(globals)],
    ...(l.digits ? { digits: { ...l.digits } } : {}),
    noInputMs: l.noInputMs ?? d.noInputMs,
    endpointing: l.endpointing ?? d.endpointing,
  };
}

/** Yes/no (keys 1 and 2) plus the state's globals, for a confirmation. */
export function confirmExpect(base: ExpectSpec, globals: [string, GlobalCommand][]): ExpectSpec {
  return {
    choices: [
      { id: 'yes', phrases: [...YES_PHRASES], dtmf: '1' },
      { id: 'no', phrases: [...NO_PHRASES], dtmf: '2' },
      ...globalChoices(globals),
    ],
    noInputMs: base.noInputMs,
    endpointing: 'short',
  };
}

export function compileListen(sc: FlowScope, state: ListenState): NodeConfig {
  const d = sc.flow.defaults;
  const globals = activeGlobals(sc.flow, state);
  const lc: ListenCtx = {
    sc,
    state,
    expect: buildExpect(sc, state, globals),
    globals,
    max: state.retry?.maxFailures ?? d.maxFailures,
    bargeIn: state.bargeIn ?? d.bargeIn,
  };
  const says = compileSays(state.say, lc.bargeIn);
  return {
    entry: [ENTER_STATE, ...vocabActions(sc, state.entry), speakAction(sc, says, lc.expect)],
    initial: '_listening',
    on: { 'dialog.accept': acceptTransitions(lc) },
    states: {
      _listening: listeningPhase(lc, says),
      ...(state.confirm ? { _confirming: confirmingPhase(lc) } : {}),
    },
  };
}

/** Per accepted choice (and `digits`): remember it, capture it, then the flow's transition. */
function acceptTransitions(lc: ListenCtx): TransitionConfig[] {
  const { sc, state } = lc;
  const ids = [
    ...state.listen.choices.map((c) => c.id),
    ...(state.listen.digits ? ['digits'] : []),
  ];
  const capture: ActionSpec[] = state.listen.capture
    ? [{ type: 'capture', params: { slot: state.listen.capture, scope: sc.scope } }]
    : [];
  return ids.flatMap((id) =>
    transitions(sc, state.on?.[id], {
      guard: { type: 'matchIs', params: { id } },
      actions: [{ type: 'rememberMatch' }, ...capture],
    }),
  );
}

/** Repeat, help and operator-style commands, recognised before the state's own choices. */
function globalHandlers(lc: ListenCtx, expect: ExpectSpec): TransitionConfig[] {
  return lc.globals.map(([id, g]) => {
    const guard: GuardSpec = { type: 'matchIs', params: { id } };
    if (g.target) return { guard, target: targetOf(lc.sc, g.target), reenter: true };
    const help = compileSays(g.say, lc.bargeIn);
    const actions: ActionSpec[] = g.repeatPrompt
      ? [...(help.length ? [speakAction(lc.sc, help)] : []), { type: 'replay' }]
      : [speakAction(lc.sc, help, expect)];
    return { guard, actions };
  });
}

/**
 * A failure of `kind`: the flow's explicit `on[kind]` if given; else escalate when this is the
 * `max`-th failure, otherwise count it and run `reprompt`.
 */
function failure(
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

function repromptSays(lc: ListenCtx, kind: FailureKind, says: CompiledSay[]): CompiledSay[] {
  const own = lc.state.reprompt?.[kind];
  if (own !== undefined) return compileSays(own, lc.bargeIn);
  const apology = compileSays(lc.sc.flow.defaults.reprompt?.[kind], lc.bargeIn);
  return [...apology, ...says];
}

/** Input and failure handling shared by both phases. */
function inputHandlers(
  lc: ListenCtx,
  expect: ExpectSpec,
  reprompt: Record<FailureKind | 'error', ActionSpec[]>,
) {
  const d = lc.sc.flow.defaults;
  const interpret: TransitionConfig = {
    guard: { type: 'inputAllowed' },
    actions: [{ type: 'interpret', params: { expect, rejectBelow: d.rejectBelow } }],
  };
  const error =
    lc.state.on?.error !== undefined
      ? transitions(lc.sc, lc.state.on.error)
      : failure(lc, 'noMatch', reprompt.error);
  return {
    'user.transcript': [interpret],
    'user.dtmf': [interpret],
    'nlu.noMatch': failure(lc, 'noMatch', reprompt.noMatch),
    'bot.error': error,
  };
}

/** With `confirm`: a match below the threshold goes to `_confirming` instead of being accepted. */
function confirmGate(lc: ListenCtx): TransitionConfig[] {
  const c = lc.state.confirm;
  if (!c) return [];
  const threshold = c.below ?? lc.sc.flow.defaults.confirmBelow;
  return [
    {
      guard: { type: 'confidenceBelow', params: { threshold } },
      target: '_confirming',
      actions: [{ type: 'holdCandidate' }],
    },
  ];
}

/** With `digits`: silence after at least `min` keys accepts them. */
function digitsOnSilence(lc: ListenCtx): TransitionConfig[] {
  const d = lc.state.listen.digits;
  if (!d) return [];
  return [
    {
      guard: { type: 'digitsReady', params: { min: d.min } },
      actions: [{ type: 'acceptBufferedDigits' }],
    },
  ];
}

function listeningPhase(lc: ListenCtx, says: CompiledSay[]): NodeConfig {
  const speak = (kind: FailureKind) => [
    speakAction(lc.sc, repromptSays(lc, kind, says), lc.expect),
  ];
  return {
    on: {
      ...inputHandlers(lc, lc.expect, {
        noInput: speak('noInput'),
        noMatch: speak('noMatch'),
        error: [{ type: 'replay' }],
      }),
      'user.noInput': [
        { guard: { type: 'playbackPending' } },
        ...digitsOnSilence(lc),
        ...failure(lc, 'noInput', speak('noInput')),
      ],
      'nlu.match': [
        ...globalHandlers(lc, lc.expect),
        ...confirmGate(lc),
        { actions: [{ type: 'acceptMatch' }] },
      ],
    },
  };
}

function confirmingPhase(lc: ListenCtx): NodeConfig {
  const { sc, state } = lc;
  const confirm = state.confirm;
  const expect = confirmExpect(lc.expect, lc.globals);
  const prompts: Record<string, CompiledSay[]> = {};
  for (const [id, say] of Object.entries(confirm?.prompts ?? {}))
    prompts[id] = compileSays(say, lc.bargeIn);
  const params: ConfirmParams = { prompts, expect, scope: sc.scope };
  const ask: ActionSpec[] = [{ type: 'speakConfirm', params }];
  const rejected = confirm?.rejected
    ? compileSays(confirm.rejected, lc.bargeIn)
    : repromptSays(lc, 'noMatch', compileSays(state.say, lc.bargeIn));
  const isNo: GuardSpec = { type: 'matchIs', params: { id: 'no' } };
  return {
    entry: ask,
    on: {
      ...inputHandlers(lc, expect, { noInput: ask, noMatch: ask, error: ask }),
      'user.noInput': [{ guard: { type: 'playbackPending' } }, ...failure(lc, 'noInput', ask)],
      'nlu.match': [
        ...globalHandlers(lc, expect),
        {
          guard: { type: 'matchIs', params: { id: 'yes' } },
          actions: [{ type: 'acceptCandidate' }],
        },
        ...failure(lc, 'noMatch', [speakAction(sc, rejected, lc.expect)], {
          guard: isNo,
          target: '_listening',
        }),
      ],
    },
  };
}
