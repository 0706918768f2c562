import {
  allOf,
  transitions,
  type ActionSpec,
  type NodeConfig,
  type TransitionConfig,
} from './compile-common.js';
import { failure, type ListenCtx } from './compile-retry.js';
import { mergeTaskAction, startTaskAction } from './compile-task.js';
import { CHOOSE_TASK, type TaskDoneParams } from './engine-task.js';

/**
 * Unmatched speech in a listening state. Choices, globals and spoken digits are tried first;
 * a transcript none of them matched (`nlu.noMatch` with text) then goes to a task instead of
 * counting as a failure at once:
 * - `listen.interpret`: the flow's task gets `{text, confidence, ...input}`; its outcome routes
 *   through the state's `on` (`task.outcome`, handled at the state level).
 * - otherwise, for a state with choices, the generic `nlu.choose` LLM fallback when the session
 *   offers it and `defaults.llmFallback` is not false: a `match` becomes an ordinary `nlu.match`
 *   (so globals and the confirmation threshold apply); anything else a plain no match.
 * While the task runs (`_interpreting`) caller input is ignored.
 */

/** `on` keys that are not interpret outcomes. */
const NOT_OUTCOMES = new Set(['noInput', 'noMatch', 'digits', 'error']);

/** Transitions for `nlu.noMatch` in `_listening`, tried before the failure handling. */
export function startFallback(lc: ListenCtx): TransitionConfig[] {
  const { sc, state } = lc;
  const interpret = state.listen.interpret;
  if (interpret) {
    const start = startTaskAction(sc, {
      name: interpret.task,
      input: interpret.input ?? {},
      heard: 'interpret',
    });
    return [{ guard: { type: 'heardText' }, target: '_interpreting', actions: [start] }];
  }
  if (!sc.flow.defaults.llmFallback || state.listen.choices.length === 0) return [];
  const choices = lc.expect.choices.map((c) => ({ id: c.id, phrases: [...c.phrases] }));
  const start = startTaskAction(sc, { name: CHOOSE_TASK, input: {}, heard: 'choose', choices });
  const guard = allOf(
    { type: 'heardText' },
    { type: 'taskAvailable', params: { name: CHOOSE_TASK } },
  );
  return [{ guard, target: '_interpreting', actions: [start] }];
}

/** Waits for the fallback task's answer, then listens again (routing follows from its effect). */
export function interpretingPhase(lc: ListenCtx): NodeConfig {
  const choose: TaskDoneParams = {
    mode: 'choose',
    choices: lc.expect.choices.map((c) => c.id),
    rejectBelow: lc.sc.flow.defaults.rejectBelow,
  };
  const done: ActionSpec = lc.state.listen.interpret
    ? mergeTaskAction(lc.sc)
    : { type: 'taskDone', params: choose };
  return {
    on: {
      'task.done': [{ guard: { type: 'taskCurrent' }, target: '_listening', actions: [done] }],
    },
  };
}

/**
 * `task.outcome` of an interpret task: `on[outcome]`; `noMatch` is a failure (re-prompt, then
 * escalation); any other outcome without an `on` entry takes `on.error` if given, else counts
 * as a no match.
 */
export function interpretOutcomes(lc: ListenCtx, reprompt: ActionSpec[]): TransitionConfig[] {
  const { sc } = lc;
  const on = lc.state.on ?? {};
  const routes = Object.entries(on)
    .filter(([key]) => !NOT_OUTCOMES.has(key))
    .flatMap(([outcome, t]) =>
      transitions(sc, t, { guard: { type: 'outcomeIs', params: { outcome } } }),
    );
  const isNoMatch = { type: 'outcomeIs', params: { outcome: 'noMatch' } };
  return [
    ...routes,
    ...failure(lc, 'noMatch', reprompt, { guard: isNoMatch }),
    ...(on.error !== undefined ? transitions(sc, on.error) : []),
    ...failure(lc, 'noMatch', reprompt),
  ];
}
