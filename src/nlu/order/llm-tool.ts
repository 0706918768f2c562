import { z } from 'zod';
import { tokenize } from '../normalize.js';
import { resolveVariant, round } from './clause-add.js';
import { matchAt } from './matcher.js';
import type { OrderIndex } from './order-index.js';
import { suggestAlternatives } from './suggest.js';
import type { AddIntent, UnknownItemIntent } from './types.js';

/**
 * The optional LLM fallback's tool: the model reads an utterance the rules could not parse and
 * returns the items it heard. Its answer is never trusted as ids: resolveLlmItems matches every
 * name, size and modifier against the catalog exactly like a transcript.
 */
export const OrderLlmTool = {
  type: 'function',
  name: 'order_items',
  description:
    'Items the caller asked to order, as they named them. Use the menu names; omit anything not ordered.',
  strict: true,
  parameters: {
    type: 'object',
    additionalProperties: false,
    required: ['items'],
    properties: {
      items: {
        type: 'array',
        maxItems: 20,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'size', 'quantity', 'modifiers'],
          properties: {
            name: { type: 'string', description: 'Item name as on the menu' },
            size: { type: ['string', 'null'], description: 'Size or variant, null if none said' },
            quantity: { type: 'integer', minimum: 1, maximum: 99 },
            modifiers: {
              type: ['array', 'null'],
              items: { type: 'string' },
              description:
                'Extras asked for ("extra cheese"); removals prefixed "no " ("no onions")',
            },
          },
        },
      },
    },
  },
} as const;

/** Validates the tool's arguments (parse the model's JSON first). */
export const OrderLlmArgs = z.object({
  items: z
    .array(
      z.object({
        name: z.string().min(1).max(100),
        size: z.string().max(50).nullish(),
        quantity: z.number().int().min(1).max(99),
        modifiers: z.array(z.string().min(1).max(50)).max(10).nullish(),
      }),
    )
    .max(20),
});
export type OrderLlmArgsInput = z.infer<typeof OrderLlmArgs>;

export interface LlmResolution {
  /** Items that matched the catalog (`add`), names that did not (`unknownItem`), in order. */
  intents: Array<AddIntent | UnknownItemIntent>;
}

/** Modifier phrase → [modifier id, removal?], or undefined when the catalog has no such one. */
function resolveModifier(index: OrderIndex, phrase: string): [string, boolean] | undefined {
  const tokens = tokenize(phrase);
  const remove = tokens[0] === 'no' || tokens[0] === 'without';
  const m = matchAt(index, tokens, remove ? 1 : 0, 'modifier');
  return m?.target.kind === 'modifier' ? [m.target.id, remove] : undefined;
}

/**
 * Maps validated LLM arguments through the catalog. A name must match an item alias from its
 * first word (fuzzily, as a transcript would); otherwise it becomes an unknownItem with
 * suggestions. Sizes and modifiers the item does not offer are dropped (an unknown size is
 * reported in `unknownSize`). Confidence is the match quality scaled by 0.8: the LLM may guess.
 */
export function resolveLlmItems(args: OrderLlmArgsInput, index: OrderIndex): LlmResolution {
  const intents: LlmResolution['intents'] = [];
  for (const line of args.items) {
    const tokens = tokenize(line.name);
    const m = matchAt(index, tokens, 0, 'item');
    if (m?.target.kind !== 'item') {
      const heard = tokens.join(' ');
      intents.push({
        type: 'unknownItem',
        heard,
        suggestions: suggestAlternatives(index, { heard }, 3),
      });
      continue;
    }
    const item = index.items.get(m.target.id)!;
    const offered = new Set(item.modifiers.map((x) => x.id));
    const mods = (line.modifiers ?? [])
      .map((p) => resolveModifier(index, p))
      .filter((x): x is [string, boolean] => x !== undefined && offered.has(x[0]));
    const add: AddIntent = {
      type: 'add',
      itemId: item.id,
      quantity: line.quantity,
      modifiers: {
        add: mods.filter((x) => !x[1]).map((x) => x[0]),
        remove: mods.filter((x) => x[1]).map((x) => x[0]),
      },
      confidence: round(0.8 * m.score),
      heard: tokens.join(' '),
      available: item.available,
    };
    const size = line.size ? tokenize(line.size) : [];
    const sizeMatch = size.length ? matchAt(index, size, 0, 'size') : undefined;
    const key =
      sizeMatch?.target.kind === 'size' ? sizeMatch.target.key : size.join(' ') || undefined;
    const variantId = resolveVariant(index, item.id, key);
    if (variantId) add.variantId = variantId;
    else if (key) add.unknownSize = key;
    intents.push(add);
  }
  return { intents };
}
