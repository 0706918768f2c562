import { matchChoice, matchDtmf, parseSpokenDigits } from '../nlu/index.js';
import type { SlotValue, ValueSource } from './flow-schema.js';
import {
  resolveValue,
  viewOf,
  type DialogContext,
  type InternalEvent,
  type Match,
} from './context.js';
import type { Effect } from './effect.js';
import { stopForBargeIn } from './engine-speech.js';
import type { ExpectSpec } from './types.js';
import { actions } from './vocabulary.js';

/**
 * Pure effects for the caller's side: interpreting input into `nlu.match` / `nlu.noMatch`,
 * confirmation bookkeeping, failure counting and slot scopes.
 */

export interface InterpretParams {
  expect: ExpectSpec;
  /** Matches below this (match score × recognizer confidence) count as no match. */
  rejectBelow: number;
}

/** Accepting input while the bot is still talking stops the bot first. */
function withStop(ctx: DialogContext, event: InternalEvent): Effect {
  const stop = stopForBargeIn(ctx);
  return { ...stop, raise: [event] };
}

/** A final transcript → a choice match (confidence = match score × recognizer confidence), spoken digits, or no match. */
export function interpretTranscript(
  ctx: DialogContext,
  text: string,
  asrConfidence: number,
  p: InterpretParams,
): Effect {
  const asr = Math.min(1, Math.max(0, asrConfidence));
  const m = matchChoice(text, p.expect);
  if (m && m.confidence * asr >= p.rejectBelow) {
    return withStop(ctx, {
      type: 'nlu.match',
      choiceId: m.choiceId,
      confidence: m.confidence * asr,
    });
  }
  const d = p.expect.digits;
  const spoken = d ? parseSpokenDigits(text) : undefined;
  if (d && spoken && spoken.length >= d.min && spoken.length <= d.max && asr >= p.rejectBelow) {
    return withStop(ctx, { type: 'nlu.match', choiceId: 'digits', confidence: asr, value: spoken });
  }
  return withStop(ctx, { type: 'nlu.noMatch', text, confidence: asr });
}

/**
 * One keypad digit. With a `digits` expectation, digits accumulate until `max` or the terminator
 * (fewer than `min` at the terminator is no match); otherwise the digit selects a choice.
 */
export function interpretDtmf(ctx: DialogContext, digit: string, expect: ExpectSpec): Effect {
  const d = expect.digits;
  const choice = matchDtmf(digit, expect);
  if (choice || !d) {
    const e: InternalEvent = choice ? { type: 'nlu.match', ...choice } : { type: 'nlu.noMatch' };
    return withStop(ctx, e);
  }
  const stop = stopForBargeIn(ctx);
  if (digit === d.terminator) {
    const done: InternalEvent =
      ctx.digits.length >= d.min ? digitsMatch(ctx.digits) : { type: 'nlu.noMatch' };
    return { assign: { ...stop.assign, digits: '' }, commands: stop.commands, raise: [done] };
  }
  const digits = ctx.digits + digit;
  if (digits.length >= d.max) {
    return {
      assign: { ...stop.assign, digits: '' },
      commands: stop.commands,
      raise: [digitsMatch(digits)],
    };
  }
  return { assign: { ...stop.assign, digits }, commands: stop.commands };
}

function digitsMatch(value: string): InternalEvent {
  return { type: 'nlu.match', choiceId: 'digits', confidence: 1, value };
}

/** No input after a partial entry of at least `min` digits: accept what was typed. */
export function acceptBufferedDigits(ctx: DialogContext): Effect {
  return { assign: { digits: '' }, raise: [digitsMatch(ctx.digits)] };
}

/** Accept a match: the state's `dialog.accept` transitions route on its choice id. */
export function accept(m: { choiceId: string; value?: string }): Effect {
  const e: InternalEvent = { type: 'dialog.accept', choiceId: m.choiceId };
  if (m.value !== undefined) e.value = m.value;
  return { assign: { candidate: null }, raise: [e] };
}

/** A match as stored in context: only its data fields. */
function matchData(m: { choiceId: string; confidence: number; value?: string }): Match {
  return {
    choiceId: m.choiceId,
    confidence: m.confidence,
    ...(m.value !== undefined ? { value: m.value } : {}),
  };
}

export function holdCandidate(m: { choiceId: string; confidence: number; value?: string }): Effect {
  return { assign: { candidate: matchData(m) } };
}

export function acceptCandidate(ctx: DialogContext): Effect {
  return ctx.candidate ? accept(ctx.candidate) : {};
}

export function countFailure(ctx: DialogContext): Effect {
  return { assign: { failures: ctx.failures + 1, digits: '' } };
}

/** Entering a flow state: a fresh failure count, digit buffer and candidate; no task awaited. */
export function enterState(): Effect {
  return { assign: { failures: 0, digits: '', candidate: null, task: null } };
}

export function rememberMatch(m: { choiceId: string; confidence: number; value?: string }): Effect {
  return { assign: { lastMatch: matchData(m) } };
}

/** Store the accepted choice id (or digits) in `slot` of `scope`. */
export function capture(ctx: DialogContext, slot: string, scope: string): Effect {
  const m = ctx.lastMatch;
  if (!m) return {};
  return setScope(ctx, scope, { ...(ctx.scopes[scope] ?? {}), [slot]: m.value ?? m.choiceId });
}

export interface VocabActionParams {
  name: string;
  params: Record<string, unknown>;
  scope: string;
}

export function runVocabAction(ctx: DialogContext, p: VocabActionParams): Effect {
  const def = actions[p.name];
  if (!def) return {};
  return setScope(ctx, p.scope, def.apply(viewOf(ctx, p.scope), p.params));
}

export interface InitScopeParams {
  scope: string;
  /** The invoking flow's scope, for resolving `input`. */
  from: string;
  defaults: Record<string, SlotValue>;
  input: Record<string, ValueSource>;
}

/** Start a sub-flow run: its slot defaults, overlaid with the invoke input. */
export function initScope(ctx: DialogContext, p: InitScopeParams): Effect {
  const slots: Record<string, SlotValue> = { ...p.defaults };
  for (const [slot, src] of Object.entries(p.input)) {
    const v = resolveValue(ctx, p.from, src);
    if (v !== undefined) slots[slot] = v;
  }
  return setScope(ctx, p.scope, slots);
}

export interface ReturnParams {
  from: string;
  to: string;
  /** Parent slot → child slot. */
  output: Record<string, string>;
}

/** End a sub-flow run: copy its outputs into the parent scope and drop its scope. */
export function returnOutput(ctx: DialogContext, p: ReturnParams): Effect {
  const child = ctx.scopes[p.from] ?? {};
  const parent = { ...(ctx.scopes[p.to] ?? {}) };
  for (const [to, from] of Object.entries(p.output)) {
    const v = child[from];
    if (v !== undefined) parent[to] = v;
  }
  const scopes = { ...ctx.scopes, [p.to]: parent };
  delete scopes[p.from];
  return { assign: { scopes } };
}

function setScope(ctx: DialogContext, scope: string, slots: Record<string, SlotValue>): Effect {
  return { assign: { scopes: { ...ctx.scopes, [scope]: slots } } };
}
