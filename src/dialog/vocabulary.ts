import { z } from 'zod';
import { SlotTypeSchema, type SlotType, type SlotValue } from './flow-schema.js';

/**
 * The documented vocabulary a flow may name: guards (conditions) and actions (slot updates).
 * Every entry is a pure function over a DialogView; params are validated against `params` when
 * flows load, so implementations receive well-formed params. docs/flows.md lists this table;
 * adding an entry here is the only way to give flows new behaviour.
 */

/** What guards and actions may read: runtime vars, the current flow's slots, the last match. */
export interface DialogView {
  readonly vars: Readonly<Record<string, string | number>>;
  readonly slots: Readonly<Record<string, SlotValue>>;
  /** The choice (or `digits` with its value) most recently accepted in this flow run. */
  readonly lastMatch: { readonly choiceId: string; readonly value?: string } | null;
}

/** Names params that must refer to declared slots of one of the listed types, or to vars. */
interface RefSpec {
  slots?: Record<string, readonly SlotType[]>;
  vars?: readonly string[];
}

export interface GuardDefinition extends RefSpec {
  description: string;
  params: z.ZodType;
  test(view: DialogView, params: unknown): boolean;
}

export interface ActionDefinition extends RefSpec {
  description: string;
  params: z.ZodType;
  /** The slots after the action: a new object, never a mutation of `view.slots`. */
  apply(view: DialogView, params: unknown): Record<string, SlotValue>;
}

function guard<S extends z.ZodType>(
  def: Omit<GuardDefinition, 'params' | 'test'> & {
    params: S;
    test(view: DialogView, p: z.output<S>): boolean;
  },
): GuardDefinition {
  return { ...def, test: (view, p) => def.test(view, p as z.output<S>) };
}

function action<S extends z.ZodType>(
  def: Omit<ActionDefinition, 'params' | 'apply'> & {
    params: S;
    apply(view: DialogView, p: z.output<S>): Record<string, SlotValue>;
  },
): ActionDefinition {
  return { ...def, apply: (view, p) => def.apply(view, p as z.output<S>) };
}

const slotParam = z.strictObject({ slot: z.string() });
const ANY_SLOT: readonly SlotType[] = SlotTypeSchema.options;

function filled(v: SlotValue | undefined): boolean {
  return v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
}

export const guards: Readonly<Record<string, GuardDefinition>> = {
  varPresent: guard({
    description: 'The runtime var `name` was supplied and is not empty.',
    params: z.strictObject({ name: z.string() }),
    vars: ['name'],
    test: (v, p) => v.vars[p.name] !== undefined && v.vars[p.name] !== '',
  }),
  slotFilled: guard({
    description: 'Slot `slot` has a value (a list: at least one item).',
    params: slotParam,
    slots: { slot: ANY_SLOT },
    test: (v, p) => filled(v.slots[p.slot]),
  }),
  slotEquals: guard({
    description: 'Slot `slot` equals `value`.',
    params: z.strictObject({
      slot: z.string(),
      value: z.union([z.string(), z.number(), z.boolean()]),
    }),
    slots: { slot: ['string', 'number', 'boolean', 'choice', 'digits', 'date', 'time'] },
    test: (v, p) => v.slots[p.slot] === p.value,
  }),
  slotAtLeast: guard({
    description: 'Number slot `slot` is >= `min`.',
    params: z.strictObject({ slot: z.string(), min: z.number() }),
    slots: { slot: ['number'] },
    test: (v, p) => typeof v.slots[p.slot] === 'number' && (v.slots[p.slot] as number) >= p.min,
  }),
  listLengthAtLeast: guard({
    description: 'List slot `slot` has at least `min` items.',
    params: z.strictObject({ slot: z.string(), min: z.int().min(0) }),
    slots: { slot: ['list'] },
    test: (v, p) => {
      const list = v.slots[p.slot];
      return Array.isArray(list) && list.length >= p.min;
    },
  }),
};

export const actions: Readonly<Record<string, ActionDefinition>> = {
  setSlot: action({
    description: 'Set slot `slot` to the literal `value`.',
    params: z.strictObject({
      slot: z.string(),
      value: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]),
    }),
    slots: { slot: ANY_SLOT },
    apply: (v, p) => ({ ...v.slots, [p.slot]: p.value }),
  }),
  clearSlot: action({
    description: 'Remove the value of slot `slot`.',
    params: slotParam,
    slots: { slot: ANY_SLOT },
    apply: (v, p) => Object.fromEntries(Object.entries(v.slots).filter(([k]) => k !== p.slot)),
  }),
  captureChoice: action({
    description: 'Store the id of the last accepted choice in slot `slot`.',
    params: slotParam,
    slots: { slot: ['choice', 'string'] },
    apply: (v, p) =>
      v.lastMatch ? { ...v.slots, [p.slot]: v.lastMatch.choiceId } : { ...v.slots },
  }),
  captureDigits: action({
    description: 'Store the last accepted digits in slot `slot`.',
    params: slotParam,
    slots: { slot: ['digits', 'string'] },
    apply: (v, p) =>
      v.lastMatch?.value !== undefined
        ? { ...v.slots, [p.slot]: v.lastMatch.value }
        : { ...v.slots },
  }),
  appendChoice: action({
    description: 'Append the id of the last accepted choice to list slot `slot` (a cart).',
    params: slotParam,
    slots: { slot: ['list'] },
    apply: (v, p) => {
      const list = v.slots[p.slot];
      const items = Array.isArray(list) ? list : [];
      return v.lastMatch
        ? { ...v.slots, [p.slot]: [...items, v.lastMatch.choiceId] }
        : { ...v.slots };
    },
  }),
  incrementSlot: action({
    description: 'Add `by` (default 1) to number slot `slot` (unset counts as 0).',
    params: z.strictObject({ slot: z.string(), by: z.number().default(1) }),
    slots: { slot: ['number'] },
    apply: (v, p) => {
      const n = v.slots[p.slot];
      return { ...v.slots, [p.slot]: (typeof n === 'number' ? n : 0) + p.by };
    },
  }),
};

/** One line per entry, for docs and `flows:validate --vocabulary`. */
export function describeVocabulary(): {
  kind: 'guard' | 'action';
  name: string;
  description: string;
}[] {
  return [
    ...Object.entries(guards).map(([name, d]) => ({
      kind: 'guard' as const,
      name,
      description: d.description,
    })),
    ...Object.entries(actions).map(([name, d]) => ({
      kind: 'action' as const,
      name,
      description: d.description,
    })),
  ];
}
