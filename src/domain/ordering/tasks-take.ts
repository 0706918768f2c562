import type { TaskContext, TaskHandler, TaskResult } from '../../dialog/task-types.js';
import type { TaskValue } from '../../dialog/types.js';
import { NO_PHRASES, normalizeText, tokenize } from '../../nlu/index.js';
import { parseOrderUtterance, resolveLlmItems } from '../../nlu/order/index.js';
import { errorSummary } from '../../errors.js';
import type { OrderIntent, QuestionIntent } from '../../nlu/order/types.js';
import { answerQuestion } from './tasks-answers.js';
import {
  addLine,
  applyIntents,
  decodeLines,
  encodeLines,
  lineLike,
  refsOf,
  type TurnProblem,
  type TurnResult,
} from './tasks-cart.js';
import {
  cartInput,
  cartSlots,
  numberInput,
  saveCart,
  stringInput,
  tenantOf,
  type Menu,
  type TaskEnv,
} from './tasks-env.js';
import { describeLines, itemNames, itemOf, sizeNames, type SpokenLine } from './tasks-speech.js';
import type { CartLine } from './types.js';

/**
 * The cart-building tasks. Every one takes the cart from the `cart` input (JSON, see
 * tasks-cart.ts), returns the new cart in the `cart` slot, and saves it for drop recovery when it
 * changed. Nothing is added that was uncertain, unavailable or unknown: those come back as
 * `confirmItem` / `unavailable` / `notFound` with a `pending` line the caller must accept first.
 */

/** Adds below this (understanding × recognizer confidence) are confirmed first (input `confirmBelow`). */
export const DEFAULT_CONFIRM_BELOW = 0.6;

/**
 * Recognizer confidence at or above this counts as certain (input `asrTrustAbove`). Offline
 * grammar decoding reports ~0.4 for a perfectly heard sentence of six words, so the raw value
 * would confirm nearly every order; below the mark it scales down linearly.
 */
export const DEFAULT_ASR_TRUST_ABOVE = 0.5;

/** The recognizer's share of an add's confidence, 0..1 (1 for text that was not heard). */
function asrFactor(input: Readonly<Record<string, unknown>>): number {
  const asr = Math.min(1, Math.max(0, numberInput(input.confidence, 1)));
  const trust = numberInput(input.asrTrustAbove, DEFAULT_ASR_TRUST_ABOVE);
  return trust > 0 ? Math.min(1, asr / trust) : 1;
}

const CHANGE_TYPES = new Set<OrderIntent['type']>(['add', 'modify', 'remove', 'unknownItem']);

/** Slots that describe one turn's changes; empty strings when nothing of the kind happened. */
function changeSlots(menu: Menu, r: Pick<TurnResult, 'added' | 'removed' | 'updated'>) {
  return {
    justAdded: describeLines(menu.view, r.added),
    justRemoved: describeLines(menu.view, r.removed),
    justUpdated: describeLines(menu.view, r.updated),
  };
}

const NO_CHANGES = { added: [], removed: [], updated: [] };

/** `order.take`: interprets what the caller said while building the order. */
export function takeTask(env: TaskEnv): TaskHandler {
  return async (input, ctx, signal) => {
    const menu = await env.menu(tenantOf(ctx));
    const cart = cartInput(menu, input);
    const text = stringInput(input.text);
    const intents = parseOrderUtterance(text, menu.index, { cart: refsOf(cart) }).intents;
    let changes = intents.filter((i) => CHANGE_TYPES.has(i.type));
    if (changes.length === 0) {
      const result = await command(env, ctx, menu, cart, intents, text);
      if (result.outcome !== 'noMatch' || !env.extractOrder) return result;
      changes = await llmItems(env, menu, text, signal);
      if (changes.length === 0) return result;
    }
    const r = applyIntents(menu.view, cart, changes, {
      confirmBelow: numberInput(input.confirmBelow, DEFAULT_CONFIRM_BELOW),
      asrConfidence: asrFactor(input),
      alternatives: menu.alternatives,
    });
    if (r.added.length + r.removed.length + r.updated.length > 0) await saveCart(env, ctx, r.cart);
    const done = intents.some((i) => i.type === 'done');
    const slots = { ...cartSlots(menu, r.cart), ...changeSlots(menu, r), pending: '' };
    if (r.problem) return problemResult(menu, r.problem, slots);
    return { outcome: 'changed', slots: { ...slots, finished: done } };
  };
}

/**
 * What the LLM heard ordered, matched against the catalog like any other words; each item's
 * confidence is capped below the confirmation threshold, so none is added unconfirmed. A
 * failure or timeout is just "nothing understood" (the flow re-prompts).
 */
async function llmItems(
  env: TaskEnv,
  menu: Menu,
  text: string,
  signal: AbortSignal,
): Promise<OrderIntent[]> {
  try {
    const names = menu.view.items.filter((i) => i.available).map((i) => i.name);
    const args = await env.extractOrder!(text, names, signal);
    if (!args) return [];
    return resolveLlmItems(args, menu.index).intents.map((i) =>
      i.type === 'add' ? { ...i, confidence: Math.min(i.confidence, LLM_CONFIDENCE_CAP) } : i,
    );
  } catch (err) {
    env.logger.warn({ err: errorSummary(err) }, 'llm order understanding failed');
    return [];
  }
}

/** Below every confirmation threshold in use: an LLM's reading is always read back first. */
const LLM_CONFIDENCE_CAP = 0.3;

/** A turn with no cart change: a command (done, start over, reorder) or a menu question. */
async function command(
  env: TaskEnv,
  ctx: TaskContext,
  menu: Menu,
  cart: CartLine[],
  intents: readonly OrderIntent[],
  text: string,
): Promise<TaskResult> {
  const has = (t: OrderIntent['type']) => intents.some((i) => i.type === t);
  if (has('startOver')) {
    await saveCart(env, ctx, []);
    return { outcome: 'restarted', slots: { ...cartSlots(menu, []), pending: '' } };
  }
  if (has('reorder')) return reorder(env, ctx, menu, cart);
  const q = intents.find((i): i is QuestionIntent => i.type === 'question');
  if (q) {
    const a = answerQuestion(menu.view, q, menu.money, menu.alternatives);
    return { outcome: 'answered', slots: { ...a } };
  }
  if (has('done') || (intents.length === 0 && isPlainNo(text))) {
    return { outcome: 'done', slots: cartSlots(menu, cart) };
  }
  return { outcome: 'noMatch' };
}

/** Answers to "anything else?" that mean done: a bare "no", "nope", "no thanks", "nothing". */
const DONE_ANSWERS = new Set(
  [...NO_PHRASES, 'no thanks', 'no thank you', 'nothing', 'nothing else'].map(normalizeText),
);

function isPlainNo(text: string): boolean {
  return DONE_ANSWERS.has(normalizeText(text));
}

/** "The same as last time": the caller's previous order, added to the cart (available lines only). */
async function reorder(
  env: TaskEnv,
  ctx: TaskContext,
  menu: Menu,
  cart: CartLine[],
): Promise<TaskResult> {
  const previous = ctx.caller
    ? await env.ordering.orders.lastOrderLines(tenantOf(ctx), ctx.caller)
    : undefined;
  const usable = (previous ?? []).filter((l) => {
    const item = itemOf(menu.view, l.itemId);
    return item?.available === true && item.variants.some((v) => v.id === l.variantId);
  });
  if (usable.length === 0) return { outcome: 'noPrevious' };
  let next = cart;
  for (const line of usable) next = addLine(next, { ...line, modifierIds: [...line.modifierIds] });
  await saveCart(env, ctx, next);
  const slots = {
    ...cartSlots(menu, next),
    ...changeSlots(menu, { ...NO_CHANGES, added: usable }),
  };
  return { outcome: 'reordered', slots: { ...slots, pending: '' } };
}

function problemResult(menu: Menu, p: TurnProblem, slots: Record<string, TaskValue>): TaskResult {
  switch (p.kind) {
    case 'confirm':
      return {
        outcome: 'confirmItem',
        slots: {
          ...slots,
          pending: encodeLines(p.lines),
          pendingSummary: describeLines(menu.view, p.lines),
        },
      };
    case 'needSize':
      return { outcome: 'needSize', slots: { ...slots, ...sizeSlots(menu, p.line) } };
    case 'noLine':
      return { outcome: 'noLine', slots };
    case 'unavailable': {
      const first = p.suggestions[0] ? itemOf(menu.view, p.suggestions[0]) : undefined;
      if (!first) return { outcome: 'notFound', slots: { ...slots, requested: p.requested } };
      const pending = lineLike(menu.view, first, p.like);
      return {
        outcome: 'unavailable',
        slots: {
          ...slots,
          requested: p.requested,
          alternatives: itemNames(menu.view, p.suggestions),
          pending: encodeLines([pending]),
          pendingSummary: describeLines(menu.view, [pending]),
        },
      };
    }
  }
}

function sizeSlots(menu: Menu, line: SpokenLine): Record<string, TaskValue> {
  const item = itemOf(menu.view, line.itemId);
  return {
    pending: encodeLines([{ ...line, variantId: undefined }]),
    sizeItem: item?.name ?? '',
    sizeList: item ? sizeNames(item) : '',
    sizeKeys: item ? sizeKeys(item) : '',
  };
}

/** "Press 1 for small, 2 for medium or 3 for large." (keys follow the listed order; the flow offers keys 1-3). */
function sizeKeys(item: { variants: readonly { name: string }[] }): string {
  const parts = item.variants
    .slice(0, 9)
    .map((v, i) => `${i === 0 ? 'press ' : ''}${i + 1} for ${v.name}`);
  if (parts.length < 2) return '';
  const last = parts.pop()!;
  return `Or ${parts.join(', ')} or ${last}.`;
}

/** `order.addPending`: the caller accepted the pending lines (a confirmation or an alternative). */
export function addPendingTask(env: TaskEnv): TaskHandler {
  return async (input, ctx) => {
    const menu = await env.menu(tenantOf(ctx));
    let cart = cartInput(menu, input);
    const added: CartLine[] = [];
    for (const line of decodeLines(input.pending)) {
      const item = itemOf(menu.view, line.itemId);
      if (!item?.available) continue;
      if (line.variantId === undefined) {
        if (added.length > 0) await saveCart(env, ctx, cart);
        const slots = { ...cartSlots(menu, cart), ...changeSlots(menu, { ...NO_CHANGES, added }) };
        return { outcome: 'needSize', slots: { ...slots, ...sizeSlots(menu, line) } };
      }
      const complete = line as CartLine;
      cart = addLine(cart, complete);
      added.push(complete);
    }
    if (added.length > 0) await saveCart(env, ctx, cart);
    const slots = { ...cartSlots(menu, cart), ...changeSlots(menu, { ...NO_CHANGES, added }) };
    return { outcome: 'changed', slots: { ...slots, pending: '', finished: false } };
  };
}

/** `order.size`: the caller named the size of the pending line ("large"). */
export function sizeTask(env: TaskEnv): TaskHandler {
  return async (input, ctx) => {
    const menu = await env.menu(tenantOf(ctx));
    const line = decodeLines(input.pending)[0];
    const item = line ? itemOf(menu.view, line.itemId) : undefined;
    if (!line || !item) return { outcome: 'noMatch' };
    const words = ` ${tokenize(stringInput(input.text)).join(' ')} `;
    let best: { id: string; len: number } | undefined;
    for (const v of item.variants) {
      for (const name of [v.name, ...v.aliases]) {
        const phrase = tokenize(name).join(' ');
        if (phrase && words.includes(` ${phrase} `) && phrase.length > (best?.len ?? 0)) {
          best = { id: v.id, len: phrase.length };
        }
      }
    }
    const key = numberInput(input.key, 0);
    const byKey = Number.isInteger(key) && key >= 1 ? item.variants[key - 1] : undefined;
    if (!best && byKey) best = { id: byKey.id, len: 0 };
    if (!best) return { outcome: 'noMatch' };
    const complete: CartLine = { ...line, variantId: best.id };
    const cart = addLine(cartInput(menu, input), complete);
    await saveCart(env, ctx, cart);
    const slots = {
      ...cartSlots(menu, cart),
      ...changeSlots(menu, { ...NO_CHANGES, added: [complete] }),
    };
    return { outcome: 'changed', slots: { ...slots, pending: '', finished: false } };
  };
}
