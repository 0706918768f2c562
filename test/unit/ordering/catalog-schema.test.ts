import { parseCatalog, fromStored, toStored } from '../../../src/domain/ordering/catalog-schema.js';
import { canTransition, callerMayCancel } from '../../../src/domain/ordering/order-status.js';
import { isOrderingError } from '../../../src/domain/ordering/types.js';
import {
  signWebhook,
  verifyWebhookSignature,
} from '../../../src/domain/ordering/webhook-signature.js';
import { createHmac } from 'node:crypto';

const valid = () => ({
  categories: [{ id: 'pizza', name: 'pizza', aliases: ['pies'] }],
  modifiers: [
    { id: 'olives', name: 'olives', priceMinor: 100 },
    { id: 'no-basil', name: 'no basil', kind: 'remove', priceMinor: 0 },
  ],
  items: [
    {
      id: 'margherita',
      categoryId: 'pizza',
      name: 'margarita pizza',
      variants: [
        { id: 'small', name: 'small', priceMinor: 1000 },
        { id: 'large', name: 'large', priceMinor: 1500 },
      ],
      defaultVariantId: 'large',
      modifierIds: ['olives', 'no-basil'],
      maxModifiers: 3,
    },
  ],
});

function problems(input: unknown): string[] {
  try {
    parseCatalog(input);
  } catch (err) {
    if (isOrderingError(err, 'catalog-invalid')) return err.details!.problems as string[];
    throw err;
  }
  return [];
}

const paths = (input: unknown) =>
  problems(input)
    .map((p) => p.split(': ')[0])
    .sort();

describe('catalog validation', () => {
  it('accepts a valid catalog and fills defaults; round-trips through storage', () => {
    const c = parseCatalog(valid());
    expect(c.items[0]).toMatchObject({ available: true, isNew: false, popular: false });
    expect(c.modifiers[0]).toMatchObject({ kind: 'add', aliases: [] });
    expect(fromStored(toStored(c))).toEqual(c);
  });

  it('lists every problem with its path', () => {
    const c = valid() as Record<string, unknown> & ReturnType<typeof valid>;
    const bad = {
      ...c,
      categories: [...c.categories, { id: 'pizza', name: 'again' }],
      modifiers: [...c.modifiers, { id: 'no-ham', name: 'no ham', kind: 'remove', priceMinor: 50 }],
      items: [
        {
          ...c.items[0]!,
          categoryId: 'drinks',
          defaultVariantId: 'medium',
          modifierIds: ['olives', 'anchovies', 'olives'],
          variants: [...c.items[0]!.variants, { id: 'small', name: 'x', priceMinor: 12.5 }],
        },
        { ...c.items[0]!, isNew: 'yes' },
      ],
      extra: true,
    };
    // Shape problems and reference problems are reported together, each once, by path.
    expect(paths(bad)).toEqual(
      [
        'catalog', // the unknown key `extra`
        'categories.1.id', // duplicate
        'items.0.categoryId', // no such category
        'items.0.defaultVariantId', // not a variant of the item
        'items.0.modifierIds.1', // no such modifier
        'items.0.modifierIds.2', // listed twice
        'items.0.variants.2.id', // duplicate
        'items.0.variants.2.priceMinor', // not an integer
        'items.1.id', // duplicate
        'items.1.isNew', // not a boolean
        'modifiers.2.priceMinor', // a removal with a price
      ].sort(),
    );
  });

  it('refuses ids that are not slugs and empty variant lists', () => {
    const c = valid();
    const p = problems({ ...c, items: [{ ...c.items[0]!, id: 'Big Pie', variants: [] }] });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^items\.0\.id: /),
        expect.stringMatching(/^items\.0\.variants: /),
      ]),
    );
  });
});

describe('order lifecycle rules', () => {
  it('allows the documented transitions only', () => {
    expect(canTransition('placed', 'accepted', 'pickup')).toBe(true);
    expect(canTransition('accepted', 'ready', 'pickup')).toBe(true);
    expect(canTransition('ready', 'completed', 'pickup')).toBe(true);
    expect(canTransition('accepted', 'out_for_delivery', 'pickup')).toBe(false);
    expect(canTransition('accepted', 'out_for_delivery', 'delivery')).toBe(true);
    expect(canTransition('out_for_delivery', 'completed', 'delivery')).toBe(true);
    expect(canTransition('placed', 'completed', 'pickup')).toBe(false);
    expect(canTransition('ready', 'cancelled', 'pickup')).toBe(true);
    expect(canTransition('completed', 'cancelled', 'pickup')).toBe(false);
    expect(canTransition('cancelled', 'placed', 'pickup')).toBe(false);
    expect(callerMayCancel('placed')).toBe(true);
    expect(callerMayCancel('accepted')).toBe(false);
  });
});

describe('webhook signatures', () => {
  it('is v1= hex HMAC-SHA256 over "timestamp.body", checked with a time tolerance', () => {
    const body = '{"id":"evt_1"}';
    const sig = signWebhook('s3cret-s3cret-s3', 1_700_000_000, body);
    const mac = createHmac('sha256', 's3cret-s3cret-s3').update(`1700000000.${body}`).digest('hex');
    expect(sig).toBe(`v1=${mac}`);
    const ok = (ts: string, s: string, b = body, now = 1_700_000_100) =>
      verifyWebhookSignature('s3cret-s3cret-s3', ts, s, b, now);
    expect(ok('1700000000', sig)).toBe(true);
    expect(ok('1700000000', sig, '{"id":"evt_2"}')).toBe(false);
    expect(ok('1700000001', sig)).toBe(false);
    expect(ok('1700000000', sig, body, 1_700_000_000 + 301)).toBe(false);
    expect(ok('1700000000', 'v1=00')).toBe(false);
  });
});
