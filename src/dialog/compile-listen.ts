import { NO_PHRASES, YES_PHRASES } from '../nlu/index.js';
import {
  ENTER_STATE,
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
import { interpretingPhase, interpretOutcomes, startFallback } from './compile-interpret.js';
import {
  failure,
  repromptSays,
  type FailureKind,
  type ListenCtx,
  type ListenState,
} from './compile-retry.js';
import type { CompiledSay } from './context.js';
import type { ConfirmParams } from './engine-speech.js';
import type { FlowState, GlobalCommand } from './flow-schema.js';
import type { ExpectChoice, ExpectSpec } from './types.js';

/**
 * Compiles a listening state to a compound node:
 *   entry: say the prompt, then `listen`
 *   _listening  — input → nlu.match / nlu.noMatch; failures re-prompt, then escalate
 *   _confirming — only with `confirm`: a low-confidence match is read back for yes/no
 *   _interpreting — only with `interpret` or the LLM fallback: a task reads unmatched speech
 * `dialog.accept` (raised once a choice is final) and `task.outcome` (an interpret task's answer)
 * route at the state level.
 */

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
    ...(l.vocabulary ? { vocabulary: l.vocabulary } : {}),
    ...(l.interpret ? { interpret: l.interpret.task } : {}),
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
  const reprompt = [speakAction(sc, repromptSays(lc, 'noMatch', says), lc.expect)];
  const fallback = startFallback(lc);
  return {
    entry: [ENTER_STATE, ...vocabActions(sc, state.entry), speakAction(sc, says, lc.expect)],
    initial: '_listening',
    on: {
      'dialog.accept': acceptTransitions(lc),
      ...(state.listen.interpret ? { 'task.outcome': interpretOutcomes(lc, reprompt) } : {}),
    },
    states: {
      _listening: listeningPhase(lc, says, fallback),
      ...(state.confirm ? { _confirming: confirmingPhase(lc) } : {}),
      ...(fallback.length ? { _interpreting: interpretingPhase(lc) } : {}),
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

function listeningPhase(
  lc: ListenCtx,
  says: CompiledSay[],
  fallback: TransitionConfig[],
): NodeConfig {
  const speak = (kind: FailureKind) => [
    speakAction(lc.sc, repromptSays(lc, kind, says), lc.expect),
  ];
  const handlers = inputHandlers(lc, lc.expect, {
    noInput: speak('noInput'),
    noMatch: speak('noMatch'),
    error: [{ type: 'replay' }],
  });
  return {
    on: {
      ...handlers,
      'nlu.noMatch': [...fallback, ...handlers['nlu.noMatch']],
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
