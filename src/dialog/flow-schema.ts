import { z } from 'zod';

/**
 * The JSON format of `flows/*.flow.json`. Behaviour is data: states reference prompts by key and
 * actions/guards by name from src/dialog/vocabulary.ts; nothing here is code. Cross-references
 * (targets, slots, prompt keys, vocabulary params, reachability) are checked by validator.ts.
 * docs/flows.md documents every field for operators.
 */

/** State, slot, var, choice and outcome names. `_` prefixes are reserved for engine phases. */
export const NameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter; letters, digits, - and _ only');
export const FlowIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case (lowercase letters, digits, -)');
export const PromptKeySchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/, 'must be a dotted lowercase prompt key');
const LocaleSchema = z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must look like en-US');
const DtmfKeySchema = z.string().regex(/^[0-9*#]$/, 'must be one keypad key: 0-9, * or #');
const ProbabilitySchema = z.number().min(0).max(1);
/** A task name from the declared TaskSpecs, e.g. `order.place`, `nlu.choose`. */
export const TaskNameSchema = z
  .string()
  .regex(/^[a-z][A-Za-z0-9_-]*(\.[a-z][A-Za-z0-9_-]*)*$/, 'must be a dotted task name');

/** A literal, or a reference to a slot (in the current flow) or a runtime var. */
export const ValueSourceSchema = z.union([
  z.string(),
  z.number(),
  z.strictObject({ slot: NameSchema }),
  z.strictObject({ var: NameSchema }),
]);

/** A named vocabulary guard or action with its parameters, e.g. `{"type":"setSlot","params":{…}}`. */
export const VocabRefSchema = z.strictObject({
  type: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
});

/** One prompt to speak: a key, or a key with extra vars, a barge-in override and a guard. */
export const SayItemSchema = z.union([
  PromptKeySchema,
  z.strictObject({
    prompt: PromptKeySchema,
    vars: z.record(NameSchema, ValueSourceSchema).optional(),
    /** May caller speech/DTMF interrupt this prompt? Default: the state's, else the flow's. */
    bargeIn: z.boolean().optional(),
    /** Spoken only when this guard passes (e.g. greet by name only when `callerName` is known). */
    when: VocabRefSchema.optional(),
  }),
]);
/** One prompt or a sequence spoken in order. */
export const SaySchema = z.union([SayItemSchema, z.array(SayItemSchema).min(1)]);

export const TransitionObjectSchema = z.strictObject({
  target: NameSchema,
  guard: VocabRefSchema.optional(),
  actions: z.array(VocabRefSchema).optional(),
});
/** A target state name, a transition object, or guarded alternatives (first passing guard wins). */
export const TransitionSchema = z.union([
  NameSchema,
  TransitionObjectSchema,
  z.array(TransitionObjectSchema).min(1),
]);

/** Task input key → value; resolved when the task starts (unset slots/vars are left out). */
const TaskInputSchema = z.record(NameSchema, ValueSourceSchema);

export const ChoiceSchema = z.strictObject({
  id: NameSchema,
  phrases: z.array(z.string().trim().min(1)).min(1),
  dtmf: DtmfKeySchema.optional(),
});

export const ListenSchema = z
  .strictObject({
    choices: z.array(ChoiceSchema).default([]),
    digits: z
      .strictObject({
        min: z.int().min(1).max(32),
        max: z.int().min(1).max(32),
        terminator: DtmfKeySchema.optional(),
      })
      .refine((d) => d.min <= d.max, { message: 'min must be <= max', path: ['min'] })
      .optional(),
    noInputMs: z.int().min(500).max(60_000).optional(),
    endpointing: z.enum(['short', 'normal', 'long']).optional(),
    /** Slot that receives the accepted choice id (or the digits). */
    capture: NameSchema.optional(),
    /** A dynamic vocabulary the session adds to the recognizer (e.g. the tenant's menu). */
    vocabulary: NameSchema.optional(),
    /** Speech no choice matched goes to this task; its outcome routes via the state's `on`. */
    interpret: z
      .strictObject({ task: TaskNameSchema, input: TaskInputSchema.optional() })
      .optional(),
  })
  .refine((l) => l.choices.length > 0 || l.digits !== undefined || l.interpret !== undefined, {
    message: 'expects at least one choice, digits or interpret',
  });

export const ConfirmSchema = z.strictObject({
  /** Confirm when the match confidence is below this; default `defaults.confirmBelow`. */
  below: ProbabilitySchema.optional(),
  /** Confirmation question per choice id (and `digits`), e.g. "Did you say support?". */
  prompts: z.record(NameSchema, SaySchema),
  /** Said after the caller answers "no"; default: the state's noMatch reprompt. */
  rejected: SaySchema.optional(),
});

const EscalationSchema = z.strictObject({
  noInput: NameSchema.optional(),
  noMatch: NameSchema.optional(),
});

export const RetrySchema = z.strictObject({
  /** Failed attempts (no input, no match, "no" to a confirmation, provider error) before escalating. */
  maxFailures: z.int().min(1).max(10).optional(),
  onExhausted: EscalationSchema.optional(),
});

export const RepromptSchema = z.strictObject({
  noInput: SaySchema.optional(),
  noMatch: SaySchema.optional(),
});

export const FinalSchema = z.union([
  z.strictObject({ hangUp: z.strictObject({ reason: z.string().min(1) }) }),
  z.strictObject({
    transfer: z.strictObject({
      to: z.union([z.string().min(1), z.strictObject({ var: NameSchema })]),
    }),
  }),
  /** Ends a sub-flow; the invoking state continues with its `on[outcome]` transition. */
  z.strictObject({ return: z.strictObject({ outcome: NameSchema }) }),
]);

export const InvokeSchema = z.strictObject({
  flow: FlowIdSchema,
  /** Child slot → value (literal, parent slot or var), set when the sub-flow starts. */
  input: z.record(NameSchema, ValueSourceSchema).optional(),
  /** Parent slot → child slot, copied when the sub-flow returns. */
  output: z.record(NameSchema, NameSchema).optional(),
  /** Outcome (from the child's `return` states) → transition. */
  on: z.record(NameSchema, TransitionSchema),
});

/** Runs a task (outside the machine) and branches on its outcome. */
export const TaskStateSchema = z.strictObject({
  name: TaskNameSchema,
  input: TaskInputSchema.optional(),
  /** Outcome → transition; an outcome without one takes `on.error`, else `defaults.onTaskError`. */
  on: z.record(NameSchema, TransitionSchema),
});

export type StateKind = 'listen' | 'next' | 'invoke' | 'final' | 'task';
export const STATE_KINDS: readonly StateKind[] = ['listen', 'next', 'invoke', 'final', 'task'];
const LISTEN_ONLY = ['on', 'confirm', 'reprompt', 'retry', 'globals'] as const;

export const StateSchema = z
  .strictObject({
    description: z.string().optional(),
    /** Vocabulary actions run on entry, before anything is said. */
    entry: z.array(VocabRefSchema).optional(),
    say: SaySchema.optional(),
    bargeIn: z.boolean().optional(),
    listen: ListenSchema.optional(),
    /** Choice id, `digits`, `noMatch`, `noInput` or `error` → transition. */
    on: z.record(z.string(), TransitionSchema).optional(),
    confirm: ConfirmSchema.optional(),
    reprompt: RepromptSchema.optional(),
    retry: RetrySchema.optional(),
    /** Which flow globals apply here: all (default), none, or the listed ids. */
    globals: z.union([z.boolean(), z.array(NameSchema)]).optional(),
    /** Leave right after queueing `say` (no waiting for playback). */
    next: TransitionSchema.optional(),
    invoke: InvokeSchema.optional(),
    final: FinalSchema.optional(),
    task: TaskStateSchema.optional(),
  })
  .superRefine((s, ctx) => {
    const kinds = STATE_KINDS.filter((k) => s[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `needs exactly one of ${STATE_KINDS.join(', ')}` });
    }
    for (const field of LISTEN_ONLY) {
      if (s[field] !== undefined && s.listen === undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: 'only allowed with listen' });
      }
    }
  });

export const GlobalSchema = z
  .strictObject({
    phrases: z.array(z.string().trim().min(1)).min(1),
    dtmf: DtmfKeySchema.optional(),
    /** Said in place, then the state listens again (e.g. help). */
    say: SaySchema.optional(),
    /** Say the current prompt again (repeat). */
    repeatPrompt: z.boolean().optional(),
    /** Leave for this state (e.g. operator). */
    target: NameSchema.optional(),
  })
  .refine((g) => [g.say, g.repeatPrompt, g.target].some((v) => v !== undefined && v !== false), {
    message: 'needs say, repeatPrompt or target',
  });

export const SlotTypeSchema = z.enum([
  'string',
  'number',
  'boolean',
  'choice',
  'digits',
  'date',
  'time',
  'list',
]);
export type SlotType = z.infer<typeof SlotTypeSchema>;
export const SlotValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

export const DefaultsSchema = z.strictObject({
  noInputMs: z.int().min(500).max(60_000).default(5000),
  endpointing: z.enum(['short', 'normal', 'long']).default('normal'),
  confirmBelow: ProbabilitySchema.default(0.6),
  /** Matches below this confidence count as no match. */
  rejectBelow: ProbabilitySchema.default(0.2),
  maxFailures: z.int().min(1).max(10).default(3),
  bargeIn: z.boolean().default(true),
  reprompt: RepromptSchema.optional(),
  onExhausted: EscalationSchema.optional(),
  /** Ask the `nlu.choose` task (when available) before a choice listen counts a no match. */
  llmFallback: z.boolean().default(true),
  /** Where a task state goes for an outcome it has no `on` entry for (and no `on.error`). */
  onTaskError: NameSchema.optional(),
});

export const FlowSchema = z.strictObject({
  $schema: z.string().optional(),
  id: FlowIdSchema,
  version: z.int().min(1),
  description: z.string().min(1),
  /** Locales whose prompt catalogs must define every key this flow uses. */
  locales: z.array(LocaleSchema).min(1),
  /** Runtime values supplied by the call session (business name, caller name). */
  vars: z
    .record(
      NameSchema,
      z.strictObject({ required: z.boolean().default(false), description: z.string().optional() }),
    )
    .default({}),
  /** Values the dialog collects; scoped to one run of this flow. */
  slots: z
    .record(
      NameSchema,
      z.strictObject({
        type: SlotTypeSchema,
        default: SlotValueSchema.optional(),
        description: z.string().optional(),
      }),
    )
    .default({}),
  defaults: DefaultsSchema.prefault({}),
  /** Commands recognised in every listening state (repeat, help, operator). */
  globals: z.record(NameSchema, GlobalSchema).default({}),
  initial: NameSchema,
  states: z.record(NameSchema, StateSchema),
});

export type FlowDefinition = z.output<typeof FlowSchema>;
export type FlowState = z.output<typeof StateSchema>;
export type Say = z.output<typeof SaySchema>;
export type SayItem = z.output<typeof SayItemSchema>;
export type Transition = z.output<typeof TransitionSchema>;
export type TransitionObject = z.output<typeof TransitionObjectSchema>;
export type VocabRef = z.output<typeof VocabRefSchema>;
export type ValueSource = z.output<typeof ValueSourceSchema>;
export type GlobalCommand = z.output<typeof GlobalSchema>;
export type Final = z.output<typeof FinalSchema>;
export type SlotValue = z.output<typeof SlotValueSchema>;
export type TaskState = z.output<typeof TaskStateSchema>;
export type TaskInput = z.output<typeof TaskInputSchema>;

/** Does `v` fit a slot of `type`? (Dates and times are strings.) */
export function slotValueFits(type: SlotType, v: unknown): v is SlotValue {
  if (type === 'list') return Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (type === 'number') return typeof v === 'number' && Number.isFinite(v);
  if (type === 'boolean') return typeof v === 'boolean';
  return typeof v === 'string';
}

/** The kind of a schema-valid state. */
export function stateKind(state: FlowState): StateKind {
  return STATE_KINDS.find((k) => state[k] !== undefined) ?? 'next';
}

/** A `say` field as a list of items. */
export function sayItems(say: Say | undefined): SayItem[] {
  if (say === undefined) return [];
  return Array.isArray(say) ? say : [say];
}

/** A transition field as a list of transition objects. */
export function transitionList(t: Transition | undefined): TransitionObject[] {
  if (t === undefined) return [];
  if (typeof t === 'string') return [{ target: t }];
  return Array.isArray(t) ? t : [t];
}
