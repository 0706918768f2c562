import type { SlotValue, ValueSource, VocabRef } from './flow-schema.js';
import type { DialogCommand, DialogEvent, ExpectSpec } from './types.js';
import type { DialogView } from './vocabulary.js';

/**
 * The machine's context. Plain JSON (no functions, Maps or class instances) so a call's dialog
 * state can be logged, persisted and restored.
 */
export interface DialogContext {
  /** The pinned flow of this call. */
  flow: { id: string; version: number };
  /** Runtime values from the session (businessName, callerName). */
  vars: Record<string, string | number>;
  /** Slots per flow run: ROOT_SCOPE for the top flow, the invoking state path for sub-flows. */
  scopes: Record<string, Record<string, SlotValue>>;
  /** Failed attempts in the current state; reset on entering a state. */
  failures: number;
  /** DTMF digits collected so far for a `digits` listen. */
  digits: string;
  /** Says emitted whose `bot.playbackDone` has not arrived, oldest first. */
  pending: PendingSay[];
  /** Says emitted so far; the source of say ids. */
  sayCount: number;
  /** A low-confidence match awaiting "yes"/"no". */
  candidate: Match | null;
  /** The most recently accepted match (read by capture actions). */
  lastMatch: Match | null;
  /** What the `repeat` global replays: the last prompt batch and its listen. */
  replay: { says: ResolvedSay[]; expect: ExpectSpec } | null;
  /** Set once the dialog ended: by the flow (hangUp/transfer emitted) or by the caller. */
  ended: { by: 'dialog' | 'caller'; reason: string } | null;
  /** The task whose `task.done` the machine waits for; any other id is stale. */
  task: { id: string; name: string } | null;
  /** Tasks started so far; the source of task ids. */
  taskCount: number;
  /** Task names the session can run (RunnerOptions.availableTasks), sorted. */
  availableTasks: string[];
}

export interface Match {
  choiceId: string;
  confidence: number;
  /** The digits, for choiceId `digits`. */
  value?: string;
}

export interface PendingSay {
  id: string;
  bargeIn: boolean;
}

/** A say item after compilation, defaults applied. */
export interface CompiledSay {
  prompt: string;
  vars: Record<string, ValueSource>;
  bargeIn: boolean;
  when?: VocabRef;
}

/** A say with its vars resolved to values, ready to emit. */
export interface ResolvedSay {
  prompt: string;
  vars: Record<string, string | number>;
  bargeIn: boolean;
}

/** Events the machine raises to itself after interpreting input. Never sent by the session. */
export type InternalEvent =
  | { type: 'nlu.match'; choiceId: string; confidence: number; value?: string }
  /** `text`/`confidence`: the transcript nothing matched (absent for keys and after a fallback). */
  | { type: 'nlu.noMatch'; text?: string; confidence?: number }
  | { type: 'dialog.accept'; choiceId: string; value?: string }
  /** Raised after the current task's slots were merged; routes on `outcome`. */
  | { type: 'task.outcome'; outcome: string };

export type MachineEvent = DialogEvent | InternalEvent;

/** What the machine emits: one DialogCommand per emitted event, in order. */
export interface CommandEmitted {
  type: 'dialog.command';
  command: DialogCommand;
}

/** A diagnostic the runner logs at debug level (the machine itself cannot log). */
export interface DebugEmitted {
  type: 'dialog.debug';
  msg: string;
  data: Record<string, unknown>;
}

export type MachineEmitted = CommandEmitted | DebugEmitted;

export interface DialogInput {
  flow: { id: string; version: number };
  vars: Record<string, string | number>;
  slotDefaults: Record<string, SlotValue>;
  availableTasks?: string[];
}

/** The scope key of the top-level flow's slots. */
export const ROOT_SCOPE = '/';

export function initialContext(input: DialogInput): DialogContext {
  return {
    flow: input.flow,
    vars: { ...input.vars },
    scopes: { [ROOT_SCOPE]: { ...input.slotDefaults } },
    failures: 0,
    digits: '',
    pending: [],
    sayCount: 0,
    candidate: null,
    lastMatch: null,
    replay: null,
    ended: null,
    task: null,
    taskCount: 0,
    availableTasks: [...(input.availableTasks ?? [])].sort(),
  };
}

/** What vocabulary guards and actions see from `scope`. */
export function viewOf(ctx: DialogContext, scope: string): DialogView {
  const m = ctx.lastMatch;
  return {
    vars: ctx.vars,
    slots: ctx.scopes[scope] ?? {},
    lastMatch: m
      ? { choiceId: m.choiceId, ...(m.value !== undefined ? { value: m.value } : {}) }
      : null,
  };
}

/** A value source read from `scope`; undefined when the slot or var is unset. */
export function resolveValue(
  ctx: DialogContext,
  scope: string,
  src: ValueSource,
): SlotValue | undefined {
  if (typeof src === 'string' || typeof src === 'number') return src;
  if ('slot' in src) return ctx.scopes[scope]?.[src.slot];
  return ctx.vars[src.var];
}

/** Slot values as prompt vars: scalars as-is, booleans as "yes"/"no", lists comma-joined. */
export function promptValue(v: SlotValue): string | number {
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return v;
}
