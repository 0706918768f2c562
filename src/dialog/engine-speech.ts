import type { Final } from './flow-schema.js';
import {
  promptValue,
  resolveValue,
  viewOf,
  type CompiledSay,
  type DialogContext,
  type ResolvedSay,
} from './context.js';
import type { Effect } from './effect.js';
import type { DialogCommand, ExpectSpec } from './types.js';
import { guards } from './vocabulary.js';

/**
 * Pure effects for the bot's side of the conversation: what to say, when to stop, how to end.
 * Each returns the context changes and the commands to emit, in order.
 */

export interface SpeakParams {
  says: CompiledSay[];
  /** Listen after the says; omitted for states that do not listen. */
  expect?: ExpectSpec;
  scope: string;
  /** Extra prompt vars (e.g. `digits` for a confirmation). */
  extraVars?: Record<string, string | number>;
}

/** Prompt vars for a say: runtime vars, then the scope's slots, then the item's own vars. */
function promptVars(
  ctx: DialogContext,
  scope: string,
  item: CompiledSay,
  extra: Record<string, string | number>,
): Record<string, string | number> {
  const vars: Record<string, string | number> = { ...ctx.vars };
  for (const [k, v] of Object.entries(ctx.scopes[scope] ?? {})) vars[k] = promptValue(v);
  Object.assign(vars, extra);
  for (const [k, src] of Object.entries(item.vars)) {
    const v = resolveValue(ctx, scope, src);
    if (v !== undefined) vars[k] = promptValue(v);
  }
  return vars;
}

/** The say items whose `when` guard passes, with vars resolved. */
export function resolveSays(ctx: DialogContext, p: SpeakParams): ResolvedSay[] {
  const view = viewOf(ctx, p.scope);
  return p.says
    .filter((s) => !s.when || (guards[s.when.type]?.test(view, s.when.params ?? {}) ?? false))
    .map((s) => ({
      prompt: s.prompt,
      vars: promptVars(ctx, p.scope, s, p.extraVars ?? {}),
      bargeIn: s.bargeIn,
    }));
}

/**
 * Emit `say` for each resolved item (ids `say-<n>`, unique per call), then `listen` when an
 * expectation is given. The listen becomes what `repeat` replays.
 */
export function emitSays(ctx: DialogContext, says: ResolvedSay[], expect?: ExpectSpec): Effect {
  const commands: DialogCommand[] = [];
  const pending = [...ctx.pending];
  let sayCount = ctx.sayCount;
  for (const s of says) {
    const id = `say-${++sayCount}`;
    commands.push({ type: 'say', id, prompt: s.prompt, vars: s.vars, bargeIn: s.bargeIn });
    pending.push({ id, bargeIn: s.bargeIn });
  }
  if (!expect) return { assign: { pending, sayCount }, commands };
  commands.push({ type: 'listen', expect });
  return { assign: { pending, sayCount, replay: { says, expect } }, commands };
}

export function speak(ctx: DialogContext, p: SpeakParams): Effect {
  return emitSays(ctx, resolveSays(ctx, p), p.expect);
}

/** Say the last prompt batch again and listen with the same expectation (the `repeat` global). */
export function replay(ctx: DialogContext): Effect {
  return ctx.replay ? emitSays(ctx, ctx.replay.says, ctx.replay.expect) : {};
}

export interface ConfirmParams {
  /** Confirmation prompts by choice id (and `digits`). */
  prompts: Record<string, CompiledSay[]>;
  expect: ExpectSpec;
  scope: string;
}

/** Ask the caller to confirm the candidate match ("Did you say support?") and listen for yes/no. */
export function speakConfirm(ctx: DialogContext, p: ConfirmParams): Effect {
  const c = ctx.candidate;
  if (!c) return {};
  const extraVars: Record<string, string> = { choice: c.choiceId };
  if (c.value !== undefined) extraVars.digits = c.value;
  const says = p.prompts[c.choiceId] ?? [];
  return speak(ctx, { says, expect: p.expect, scope: p.scope, extraVars });
}

/** Forget a say whose playback finished or was interrupted. Unknown ids are ignored. */
export function notePlayback(ctx: DialogContext, id: string): Effect {
  if (!ctx.pending.some((p) => p.id === id)) return {};
  return { assign: { pending: ctx.pending.filter((p) => p.id !== id) } };
}

/**
 * Stop the bot when the caller cuts in: only when every pending say allows barge-in. All pending
 * says count as finished from here; their late `bot.playbackDone` events are ignored.
 */
export function stopForBargeIn(ctx: DialogContext): Effect {
  if (ctx.pending.length === 0 || !ctx.pending.every((p) => p.bargeIn)) return {};
  return { assign: { pending: [] }, commands: [{ type: 'stopSpeaking' }] };
}

export interface FinishParams {
  final: Final;
  scope: string;
}

/** Emit the final command (hangUp or transfer) and mark the dialog ended. */
export function finish(ctx: DialogContext, p: FinishParams): Effect {
  const command = finalCommand(ctx, p);
  const reason = command.type === 'hangUp' ? command.reason : `transfer:${command.to}`;
  return { assign: { ended: { by: 'dialog', reason } }, commands: [command] };
}

function finalCommand(
  ctx: DialogContext,
  p: FinishParams,
): DialogCommand & { type: 'hangUp' | 'transfer' } {
  const f = p.final;
  if ('hangUp' in f) return { type: 'hangUp', reason: f.hangUp.reason };
  if ('return' in f) return { type: 'hangUp', reason: `return:${f.return.outcome}` };
  const to = typeof f.transfer.to === 'string' ? f.transfer.to : ctx.vars[f.transfer.to.var];
  if (to === undefined || to === '') return { type: 'hangUp', reason: 'transfer-target-missing' };
  return { type: 'transfer', to: String(to) };
}
