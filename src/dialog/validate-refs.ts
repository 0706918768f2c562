import type { z } from 'zod';
import {
  sayItems,
  slotValueFits,
  type FlowDefinition,
  type FlowState,
  type SlotType,
  type Transition,
  type ValueSource,
  type VocabRef,
} from './flow-schema.js';
import { isSpecialOnKey } from './flow-graph.js';
import type { Problem, ProblemCode } from './problems.js';
import { actions, guards } from './vocabulary.js';

/**
 * Cross-reference checks inside one schema-valid flow: state targets, vocabulary names and
 * params, slots and vars, choices vs `on`, keypad conflicts, escalation and confirmation.
 */

export interface Ctx {
  flow: FlowDefinition;
  out: Problem[];
}

export function add(ctx: Ctx, path: string, code: ProblemCode, message: string): void {
  ctx.out.push({ path, code, message });
}

export function checkTarget(ctx: Ctx, target: string, path: string): void {
  if (!(target in ctx.flow.states)) add(ctx, path, 'unknown-state', `no state named "${target}"`);
}

function checkSlotRef(ctx: Ctx, slot: string, allowed: readonly SlotType[], path: string): void {
  const decl = ctx.flow.slots[slot];
  if (!decl) add(ctx, path, 'unknown-slot', `slot "${slot}" is not declared`);
  else if (!allowed.includes(decl.type)) {
    add(ctx, path, 'slot-type', `slot "${slot}" is ${decl.type}; expected ${allowed.join(' or ')}`);
  }
}

function checkVarRef(ctx: Ctx, name: string, path: string): void {
  if (!(name in ctx.flow.vars)) add(ctx, path, 'unknown-var', `var "${name}" is not declared`);
}

export function checkValueSource(ctx: Ctx, src: ValueSource, path: string): void {
  if (typeof src !== 'object') return;
  if ('slot' in src) {
    if (!(src.slot in ctx.flow.slots))
      add(ctx, `${path}.slot`, 'unknown-slot', `slot "${src.slot}" is not declared`);
  } else checkVarRef(ctx, src.var, `${path}.var`);
}

function checkVocab(ctx: Ctx, kind: 'guard' | 'action', ref: VocabRef, path: string): void {
  const def = kind === 'guard' ? guards[ref.type] : actions[ref.type];
  if (!def) {
    add(
      ctx,
      `${path}.type`,
      kind === 'guard' ? 'unknown-guard' : 'unknown-action',
      `"${ref.type}" is not in the vocabulary`,
    );
    return;
  }
  const parsed = def.params.safeParse(ref.params ?? {});
  if (!parsed.success) {
    for (const issue of (parsed.error as z.ZodError).issues) {
      add(
        ctx,
        `${path}.params${issue.path.map((k) => `.${String(k)}`).join('')}`,
        'bad-params',
        issue.message,
      );
    }
    return;
  }
  const params = parsed.data as Record<string, unknown>;
  for (const [param, types] of Object.entries(def.slots ?? {})) {
    checkSlotRef(ctx, String(params[param]), types, `${path}.params.${param}`);
  }
  for (const param of def.vars ?? [])
    checkVarRef(ctx, String(params[param]), `${path}.params.${param}`);
}

export function checkTransition(ctx: Ctx, t: Transition | undefined, path: string): void {
  if (t === undefined) return;
  if (typeof t === 'string') return checkTarget(ctx, t, path);
  const list = Array.isArray(t) ? t : [t];
  list.forEach((tr, i) => {
    const at = Array.isArray(t) ? `${path}[${i}]` : path;
    checkTarget(ctx, tr.target, `${at}.target`);
    if (tr.guard) checkVocab(ctx, 'guard', tr.guard, `${at}.guard`);
    tr.actions?.forEach((a, j) => checkVocab(ctx, 'action', a, `${at}.actions[${j}]`));
  });
  if (list.at(-1)?.guard) add(ctx, path, 'no-fallback', 'the last alternative must have no guard');
}

function checkSay(ctx: Ctx, say: FlowState['say'], path: string): void {
  const items = sayItems(say);
  items.forEach((item, i) => {
    if (typeof item === 'string') return;
    const at = Array.isArray(say) ? `${path}[${i}]` : path;
    if (item.when) checkVocab(ctx, 'guard', item.when, `${at}.when`);
    for (const [k, src] of Object.entries(item.vars ?? {}))
      checkValueSource(ctx, src, `${at}.vars.${k}`);
  });
}

const RESERVED_CHOICE_IDS = new Set(['digits', 'noInput', 'noMatch', 'error']);

function checkChoices(ctx: Ctx, name: string, s: FlowState): void {
  const l = s.listen;
  if (!l) return;
  const at = `states.${name}.listen`;
  const ids = new Set<string>();
  const keys = new Map<string, string>();
  const claim = (key: string | undefined, path: string) => {
    if (key === undefined) return;
    if (keys.has(key))
      add(ctx, path, 'duplicate-dtmf', `key ${key} is also bound at ${keys.get(key)}`);
    else keys.set(key, path);
  };
  l.choices.forEach((c, i) => {
    if (RESERVED_CHOICE_IDS.has(c.id))
      add(ctx, `${at}.choices[${i}].id`, 'reserved-id', `"${c.id}" is reserved`);
    if (ids.has(c.id) || c.id in ctx.flow.globals)
      add(ctx, `${at}.choices[${i}].id`, 'duplicate-choice', `"${c.id}" is used twice`);
    ids.add(c.id);
    claim(c.dtmf, `${at}.choices[${i}].dtmf`);
  });
  for (const [id, g] of activeGlobalEntries(ctx.flow, s)) claim(g.dtmf, `globals.${id}.dtmf`);
  if (l.digits) {
    for (const [key, path] of keys) {
      if (/[0-9]/.test(key) || key === l.digits.terminator)
        add(ctx, path, 'duplicate-dtmf', `key ${key} conflicts with digit entry`);
    }
  }
  if (l.capture) checkSlotRef(ctx, l.capture, ['choice', 'string', 'digits'], `${at}.capture`);
}

function activeGlobalEntries(flow: FlowDefinition, s: FlowState) {
  const g = s.globals;
  return Object.entries(flow.globals).filter(
    ([id]) => g === undefined || g === true || (Array.isArray(g) && g.includes(id)),
  );
}

function choiceIdsOf(s: FlowState): Set<string> {
  const l = s.listen;
  return new Set([...(l?.choices.map((c) => c.id) ?? []), ...(l?.digits ? ['digits'] : [])]);
}

function checkOn(ctx: Ctx, name: string, s: FlowState): void {
  if (!s.listen) return;
  const at = `states.${name}`;
  const choiceIds = choiceIdsOf(s);
  for (const [key, t] of Object.entries(s.on ?? {})) {
    const outcome = s.listen.interpret !== undefined && !isSpecialOnKey(key);
    if (!choiceIds.has(key) && !outcome && (!isSpecialOnKey(key) || key === 'digits')) {
      add(ctx, `${at}.on.${key}`, 'unknown-choice', `"${key}" is not a choice of this state`);
    }
    checkTransition(ctx, t, `${at}.on.${key}`);
  }
  for (const id of choiceIds) {
    if (s.on?.[id] === undefined) {
      add(ctx, `${at}.on`, 'choice-unhandled', `no transition for "${id}"`);
    }
  }
}

function checkEscalation(ctx: Ctx, name: string, s: FlowState): void {
  if (!s.listen) return;
  const at = `states.${name}.retry.onExhausted`;
  for (const kind of ['noInput', 'noMatch'] as const) {
    const own = s.retry?.onExhausted?.[kind];
    if (own !== undefined) checkTarget(ctx, own, `${at}.${kind}`);
    else if (s.on?.[kind] === undefined && ctx.flow.defaults.onExhausted?.[kind] === undefined) {
      add(ctx, `${at}.${kind}`, 'escalation-missing', 'no state to go to when retries run out');
    }
  }
}

function checkConfirm(ctx: Ctx, name: string, s: FlowState): void {
  if (!s.confirm) return;
  const at = `states.${name}.confirm.prompts`;
  const choiceIds = choiceIdsOf(s);
  for (const id of choiceIds) {
    if (!(id in s.confirm.prompts)) {
      add(ctx, at, 'confirm-prompt-missing', `no confirmation for "${id}"`);
    }
  }
  for (const id of Object.keys(s.confirm.prompts)) {
    if (!choiceIds.has(id)) {
      add(ctx, `${at}.${id}`, 'unknown-choice', `"${id}" is not a choice of this state`);
    }
  }
}

function checkState(ctx: Ctx, name: string, s: FlowState): void {
  const at = `states.${name}`;
  s.entry?.forEach((a, i) => checkVocab(ctx, 'action', a, `${at}.entry[${i}]`));
  checkSay(ctx, s.say, `${at}.say`);
  checkSay(ctx, s.reprompt?.noInput, `${at}.reprompt.noInput`);
  checkSay(ctx, s.reprompt?.noMatch, `${at}.reprompt.noMatch`);
  checkSay(ctx, s.confirm?.rejected, `${at}.confirm.rejected`);
  for (const [id, say] of Object.entries(s.confirm?.prompts ?? {}))
    checkSay(ctx, say, `${at}.confirm.prompts.${id}`);
  checkChoices(ctx, name, s);
  checkOn(ctx, name, s);
  checkEscalation(ctx, name, s);
  checkConfirm(ctx, name, s);
  checkTransition(ctx, s.next, `${at}.next`);
  for (const [k, src] of Object.entries(s.invoke?.input ?? {})) {
    checkValueSource(ctx, src, `${at}.invoke.input.${k}`);
  }
  const to = s.final && 'transfer' in s.final ? s.final.transfer.to : undefined;
  if (typeof to === 'object') checkVarRef(ctx, to.var, `${at}.final.transfer.to.var`);
}

/** All cross-reference problems of one flow (sub-flow references are checked by the validator). */
export function checkRefs(flow: FlowDefinition): Problem[] {
  const ctx: Ctx = { flow, out: [] };
  checkTarget(ctx, flow.initial, 'initial');
  for (const [kind, t] of Object.entries(flow.defaults.onExhausted ?? {})) {
    if (t !== undefined) checkTarget(ctx, t, `defaults.onExhausted.${kind}`);
  }
  checkSay(ctx, flow.defaults.reprompt?.noInput, 'defaults.reprompt.noInput');
  checkSay(ctx, flow.defaults.reprompt?.noMatch, 'defaults.reprompt.noMatch');
  for (const [id, g] of Object.entries(flow.globals)) {
    if (g.target) checkTarget(ctx, g.target, `globals.${id}.target`);
    checkSay(ctx, g.say, `globals.${id}.say`);
  }
  for (const [name, slot] of Object.entries(flow.slots)) {
    if (slot.default !== undefined && !slotValueFits(slot.type, slot.default)) {
      add(ctx, `slots.${name}.default`, 'slot-type', `default does not fit type ${slot.type}`);
    }
  }
  for (const [name, s] of Object.entries(flow.states)) checkState(ctx, name, s);
  return ctx.out;
}
