import {
  resolveValue,
  type DialogContext,
  type InternalEvent,
  type MachineEvent,
} from './context.js';
import type { Effect } from './effect.js';
import { slotValueFits, type SlotType, type SlotValue, type ValueSource } from './flow-schema.js';

/**
 * Pure effects for tasks: starting one (emit `task`, remember its id) and taking its answer
 * (`task.done`): merge result slots into the flow scope, then raise `task.outcome` so the
 * outcome's transition guards and prompts see the merged slots.
 */

/** The generic LLM fallback for choice listens (src/nlu/llm). */
export const CHOOSE_TASK = 'nlu.choose';
/** Result slots of `nlu.choose`; read by the engine, never stored as flow slots. */
export const LLM_CHOICE_SLOT = 'llmChoice';
export const LLM_CONFIDENCE_SLOT = 'llmConfidence';
/** Confidence assumed when `nlu.choose` matches without `llmConfidence` (uncertain: confirmed). */
const LLM_DEFAULT_CONFIDENCE = 0.5;

export interface StartTaskParams {
  name: string;
  /** Resolved from `scope` when the task starts; unset slots/vars are left out. */
  input: Record<string, ValueSource>;
  scope: string;
  /**
   * Started by an unmatched transcript (`nlu.noMatch` with text): `interpret` adds
   * `{text, confidence}` to the input, `choose` adds `{text, choices}`.
   */
  heard?: 'interpret' | 'choose';
  /** For `choose`: the choices offered (state choices, then active globals). */
  choices?: { id: string; phrases: string[] }[];
}

export function startTask(ctx: DialogContext, event: MachineEvent, p: StartTaskParams): Effect {
  const input: Record<string, unknown> = {};
  for (const [key, src] of Object.entries(p.input)) {
    const v = resolveValue(ctx, p.scope, src);
    if (v !== undefined) input[key] = v;
  }
  if (p.heard && event.type === 'nlu.noMatch') {
    input.text = event.text ?? '';
    if (p.heard === 'interpret') input.confidence = event.confidence ?? 0;
    else input.choices = p.choices ?? [];
  }
  const id = `task-${ctx.taskCount + 1}`;
  return {
    assign: { task: { id, name: p.name }, taskCount: ctx.taskCount + 1 },
    commands: [{ type: 'task', id, name: p.name, input }],
  };
}

/** Is this the answer to the task the machine is waiting for? (Other ids are stale.) */
export function isCurrentTask(ctx: DialogContext, event: MachineEvent): boolean {
  return event.type === 'task.done' && ctx.task !== null && ctx.task.id === event.id;
}

export type TaskDoneParams =
  /** Merge declared result slots into `scope` (the flow's slot types), then route on the outcome. */
  | { mode: 'merge'; scope: string; slots: Record<string, SlotType> }
  /** `nlu.choose`: a `match` becomes `nlu.match`; anything else a plain `nlu.noMatch`. */
  | { mode: 'choose'; choices: string[]; rejectBelow: number };

export function taskDone(ctx: DialogContext, event: MachineEvent, p: TaskDoneParams): Effect {
  if (event.type !== 'task.done') return {};
  if (p.mode === 'choose') return { assign: { task: null }, raise: [chosen(event, p)] };
  const slots: Record<string, SlotValue> = { ...(ctx.scopes[p.scope] ?? {}) };
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(event.slots ?? {})) {
    const type = p.slots[name];
    if (type !== undefined && slotValueFits(type, value)) slots[name] = value;
    else dropped.push(name);
  }
  const name = ctx.task?.name;
  return {
    assign: { task: null, scopes: { ...ctx.scopes, [p.scope]: slots } },
    raise: [{ type: 'task.outcome', outcome: event.outcome }],
    ...(dropped.length > 0
      ? { debug: [{ msg: 'task slots dropped (undeclared or mistyped)', data: { name, dropped } }] }
      : {}),
  };
}

function chosen(
  event: Extract<MachineEvent, { type: 'task.done' }>,
  p: Extract<TaskDoneParams, { mode: 'choose' }>,
): InternalEvent {
  const choice = event.slots?.[LLM_CHOICE_SLOT];
  const raw = event.slots?.[LLM_CONFIDENCE_SLOT];
  const confidence =
    typeof raw === 'number' && Number.isFinite(raw)
      ? Math.min(1, Math.max(0, raw))
      : LLM_DEFAULT_CONFIDENCE;
  if (
    event.outcome === 'match' &&
    typeof choice === 'string' &&
    p.choices.includes(choice) &&
    confidence >= p.rejectBelow
  ) {
    return { type: 'nlu.match', choiceId: choice, confidence };
  }
  return { type: 'nlu.noMatch' };
}
