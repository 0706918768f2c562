import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import {
  actions,
  describeVocabulary,
  guards,
  type DialogView,
} from '../../src/dialog/vocabulary.js';

const view = (over: Partial<DialogView> = {}): DialogView => ({
  vars: { businessName: 'Acme', empty: '' },
  slots: { cart: ['apple'], n: 2, route: 'support' },
  lastMatch: { choiceId: 'banana' },
  ...over,
});

function act(name: string, params: Record<string, unknown>, v = view()) {
  const def = actions[name];
  if (!def) throw new Error(name);
  return def.apply(v, def.params.parse(params));
}

function test(name: string, params: Record<string, unknown>, v = view()) {
  const def = guards[name];
  if (!def) throw new Error(name);
  return def.test(v, def.params.parse(params));
}

describe('vocabulary guards', () => {
  it('evaluate vars and slots', () => {
    expect(test('varPresent', { name: 'businessName' })).toBe(true);
    expect(test('varPresent', { name: 'empty' })).toBe(false);
    expect(test('slotFilled', { slot: 'cart' })).toBe(true);
    expect(test('slotFilled', { slot: 'nope' })).toBe(false);
    expect(test('slotEquals', { slot: 'route', value: 'support' })).toBe(true);
    expect(test('slotAtLeast', { slot: 'n', min: 3 })).toBe(false);
    expect(test('listLengthAtLeast', { slot: 'cart', min: 1 })).toBe(true);
  });
});

describe('vocabulary actions', () => {
  it('return new slots without mutating the view', () => {
    const v = view();
    expect(act('appendChoice', { slot: 'cart' }, v)).toMatchObject({ cart: ['apple', 'banana'] });
    expect(v.slots.cart).toEqual(['apple']);
    expect(act('incrementSlot', { slot: 'n' })).toMatchObject({ n: 3 });
    expect(act('incrementSlot', { slot: 'fresh', by: 5 })).toMatchObject({ fresh: 5 });
    expect(act('setSlot', { slot: 'route', value: 'order' })).toMatchObject({ route: 'order' });
    expect(act('clearSlot', { slot: 'route' })).not.toHaveProperty('route');
    expect(act('captureChoice', { slot: 'pick' })).toMatchObject({ pick: 'banana' });
    expect(
      act(
        'captureDigits',
        { slot: 'pin' },
        view({ lastMatch: { choiceId: 'digits', value: '42' } }),
      ),
    ).toMatchObject({ pin: '42' });
  });
});

describe('vocabulary docs', () => {
  it('docs/flows.md documents every guard and action', async () => {
    const doc = await readFile('docs/flows.md', 'utf8');
    for (const { name } of describeVocabulary()) expect(doc).toContain(`\`${name}\``);
  });
});
