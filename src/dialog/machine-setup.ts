import { enqueueActions, setup } from 'xstate';
import type {
  DialogContext,
  DialogInput,
  InternalEvent,
  MachineEmitted,
  MachineEvent,
} from './context.js';
import { initialContext, viewOf } from './context.js';
import type { Effect } from './effect.js';
import * as input from './engine-input.js';
import * as speech from './engine-speech.js';
import * as task from './engine-task.js';
import { guards as vocabGuards } from './vocabulary.js';

/**
 * The fixed set of XState actions and guards every compiled flow uses. Flow JSON never names
 * these directly: the compiler emits them, and routes flow-named vocabulary through
 * `vocabAction` / `vocabGuard`. No action performs I/O; commands leave via `emit`.
 */

type Params = Record<string, unknown>;

/** Wraps a pure engine step as an XState action that assigns, emits and raises its Effect. */
function step<P>(fn: (ctx: DialogContext, event: MachineEvent, params: P) => Effect) {
  return enqueueActions<
    DialogContext,
    MachineEvent,
    P,
    MachineEvent,
    never,
    never,
    never,
    never,
    MachineEmitted
  >(({ context, event, enqueue }, params) => {
    const out = fn(context, event, params);
    if (out.assign) enqueue.assign(out.assign);
    for (const d of out.debug ?? []) enqueue.emit({ type: 'dialog.debug', ...d });
    for (const command of out.commands ?? []) enqueue.emit({ type: 'dialog.command', command });
    for (const e of out.raise ?? []) enqueue.raise(e);
  });
}

/** The choice carried by `nlu.match` / `dialog.accept`, else undefined. */
function matchOf(e: MachineEvent): Extract<InternalEvent, { type: 'nlu.match' }> | undefined {
  if (e.type === 'nlu.match') return e;
  if (e.type === 'dialog.accept') return { ...e, type: 'nlu.match', confidence: 1 };
  return undefined;
}

const none: Effect = {};

export const dialogSetup = setup({
  types: {
    context: {} as DialogContext,
    events: {} as MachineEvent,
    input: {} as DialogInput,
    emitted: {} as MachineEmitted,
  },
  actions: {
    enterState: step(() => input.enterState()),
    speak: step((c, _e, p: speech.SpeakParams) => speech.speak(c, p)),
    speakConfirm: step((c, _e, p: speech.ConfirmParams) => speech.speakConfirm(c, p)),
    replay: step((c) => speech.replay(c)),
    notePlayback: step((c, e) =>
      e.type === 'bot.playbackDone' ? speech.notePlayback(c, e.id) : none,
    ),
    bargeIn: step((c) => speech.stopForBargeIn(c)),
    finish: step((c, _e, p: speech.FinishParams) => speech.finish(c, p)),
    callerHangup: step(() => ({ assign: { ended: { by: 'caller', reason: 'caller-hangup' } } })),
    interpret: step((c, e, p: input.InterpretParams) => {
      if (e.type === 'user.transcript')
        return input.interpretTranscript(c, e.text, e.confidence, p);
      if (e.type === 'user.dtmf') return input.interpretDtmf(c, e.digit, p.expect);
      return none;
    }),
    acceptMatch: step((_c, e) => {
      const m = matchOf(e);
      return m ? input.accept(m) : none;
    }),
    holdCandidate: step((_c, e) => {
      const m = matchOf(e);
      return m ? input.holdCandidate(m) : none;
    }),
    acceptCandidate: step((c) => input.acceptCandidate(c)),
    acceptBufferedDigits: step((c) => input.acceptBufferedDigits(c)),
    countFailure: step((c) => input.countFailure(c)),
    rememberMatch: step((_c, e) => {
      const m = matchOf(e);
      return m ? input.rememberMatch(m) : none;
    }),
    capture: step((c, _e, p: { slot: string; scope: string }) => input.capture(c, p.slot, p.scope)),
    vocabAction: step((c, _e, p: input.VocabActionParams) => input.runVocabAction(c, p)),
    initScope: step((c, _e, p: input.InitScopeParams) => input.initScope(c, p)),
    returnOutput: step((c, _e, p: input.ReturnParams) => input.returnOutput(c, p)),
    startTask: step((c, e, p: task.StartTaskParams) => task.startTask(c, e, p)),
    taskDone: step((c, e, p: task.TaskDoneParams) => task.taskDone(c, e, p)),
  },
  guards: {
    /** Caller input counts only when nothing that forbids barge-in is playing. */
    inputAllowed: ({ context }) => context.pending.every((p) => p.bargeIn),
    playbackPending: ({ context }) => context.pending.length > 0,
    playbackIdle: ({ context }) => context.pending.length === 0,
    /** This failure would be the `max`-th in the state. */
    failuresExhausted: ({ context }, p: { max: number }) => context.failures + 1 >= p.max,
    confidenceBelow: ({ event }, p: { threshold: number }) =>
      (matchOf(event)?.confidence ?? 1) < p.threshold,
    matchIs: ({ event }, p: { id: string }) => matchOf(event)?.choiceId === p.id,
    digitsReady: ({ context }, p: { min: number }) => context.digits.length >= p.min,
    /** `task.done` for the task being waited for; other ids are stale and ignored. */
    taskCurrent: ({ context, event }) => task.isCurrentTask(context, event),
    outcomeIs: ({ event }, p: { outcome: string }) =>
      event.type === 'task.outcome' && event.outcome === p.outcome,
    /** An unmatched transcript (not a key press, not a fallback's own no match). */
    heardText: ({ event }) => event.type === 'nlu.noMatch' && (event.text ?? '').trim() !== '',
    taskAvailable: ({ context }, p: { name: string }) => context.availableTasks.includes(p.name),
    vocabGuard: ({ context }, p: { name: string; params: Params; scope: string }) =>
      vocabGuards[p.name]?.test(viewOf(context, p.scope), p.params) ?? false,
  },
});

export function machineContext({ input: i }: { input: DialogInput }): DialogContext {
  return initialContext(i);
}
