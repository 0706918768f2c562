import { describe, expect, it } from '@jest/globals';
import { applyIntents } from '../../../src/domain/ordering/tasks-cart.js';
import { buildView } from '../../../src/domain/ordering/catalog.js';
import { DEMO_CATALOG } from '../../../src/store/demo-tenant.js';
import type { AddIntent } from '../../../src/nlu/order/types.js';

const view = buildView(DEMO_CATALOG, 'v1', { currency: 'USD' });
const opts = { confirmBelow: 0.6, asrConfidence: 1, alternatives: () => [] };
const add = (itemId: string, extra: Partial<AddIntent> = {}): AddIntent =>
  ({
    type: 'add',
    itemId,
    quantity: 1,
    modifiers: { add: [], remove: [] },
    confidence: 1,
    heard: itemId,
    available: true,
    ...extra,
  }) as AddIntent;

describe('applyIntents: sizes', () => {
  it('an item with one size is added even when a size word was misheard ("a can cookie")', () => {
    const r = applyIntents(view, [], [add('cookie', { unknownSize: 'can' })], opts);
    expect(r.problem).toBeUndefined();
    expect(r.added.map((l) => `${l.itemId}/${l.variantId}`)).toEqual(['cookie/regular']);
  });

  it('an item with several sizes and an unknown size word is asked about', () => {
    const r = applyIntents(view, [], [add('cheese', { unknownSize: 'huge' })], opts);
    expect(r.problem?.kind).toBe('needSize');
    expect(r.added).toEqual([]);
  });
});
