import { describe, expect, it } from '@jest/globals';
import {
  buildOrderIndex,
  parseOrderUtterance,
  suggestAlternatives,
  type AddIntent,
  type CartLineRef,
} from '../../../src/nlu/order/index.js';
import { generatedMenu } from '../../fixtures/catalogs/generated-menu.js';
import { summary } from '../../fixtures/catalogs/intent-summary.js';
import { pizzeria } from '../../fixtures/catalogs/pizzeria.js';

const index = buildOrderIndex(pizzeria);
const parse = (text: string, cart?: CartLineRef[]) =>
  summary(parseOrderUtterance(text, index, cart ? { cart } : {}).intents);
const CART: CartLineRef[] = [
  { itemId: 'pepperoni', variantId: 'large', quantity: 2 },
  { itemId: 'veggie', variantId: 'small', quantity: 1 },
  { itemId: 'coke', variantId: 'small', quantity: 1 },
];

describe('parseOrderUtterance: adding items', () => {
  it.each([
    ['two large pepperoni pizzas and a coke', 'add pepperoni/large x2 | add coke x1'],
    ["i'd like two large pepperoni pizzas", 'add pepperoni/large x2'],
    ['to large pepperoni pizzas', 'add pepperoni/large x2'],
    ['too large pepperonis', 'add pepperoni/large x2'],
    ['for large pepperoni pizzas', 'add pepperoni/large x4'],
    ['i want to order a coke', 'add coke x1'],
    ['a pepper only pizza', 'add pepperoni x1'],
    ['a peperoni pizza', 'add pepperoni x1'],
    ['a margarita pizza', 'add margherita x1'],
    ['a barbeque chicken pizza', 'add bbq-chicken x1'],
    ['2 medium veggie pizzas', 'add veggie/medium x2'],
    ['3 cokes', 'add coke x3'],
    ['three diet cokes', 'add diet-coke x3'],
    ['one large meat lovers and two cokes', 'add meat-lovers/large x1 | add coke x2'],
    ['a couple of garlic breads', 'add garlic-bread/regular x2'],
    ['a couple of sprites', 'add sprite x2'],
    ['a dozen wings', 'add wings x12'],
    ['half a dozen brownies', 'add brownie/regular x6'],
    ['a big pepperoni', 'add pepperoni/large x1'],
    ['a fourteen inch pepperoni', 'add pepperoni/large x1'],
    ['a 12 inch cheese pizza', 'add margherita/medium x1'],
    ['a large coca cola', 'add coke/large x1'],
    ['a large sprite please', 'add sprite/large x1'],
    ['a tiramisu and a brownie', 'add tiramisu/regular x1 | add brownie/regular x1'],
    ['uh can i get a medium veggie pizza', 'add veggie/medium x1'],
    [
      'i want a large pepperoni and a medium veggie',
      'add pepperoni/large x1 | add veggie/medium x1',
    ],
    ['a ham and pineapple pizza', 'add hawaiian x1'],
    [
      'a pepperoni pizza and a salad and a water',
      'add pepperoni x1 | add salad/regular x1 | add water/regular x1',
    ],
  ])('%s', (text, expected) => {
    expect(parse(text)).toBe(expected);
  });

  it('reports confidence from match quality, the words heard and availability', () => {
    const [exact] = parseOrderUtterance('a pepperoni pizza', index).intents as AddIntent[];
    const [fuzzy] = parseOrderUtterance('a peperoni pizza', index).intents as AddIntent[];
    const [off] = parseOrderUtterance('a hawaiian pizza', index).intents as AddIntent[];
    expect(exact).toMatchObject({ confidence: 1, heard: 'pepperoni pizza', available: true });
    expect(fuzzy!.confidence).toBeGreaterThan(0.6);
    expect(fuzzy!.confidence).toBeLessThan(0.9);
    expect(off).toMatchObject({ itemId: 'hawaiian', available: false });
  });

  it('flags a size the item does not come in', () => {
    const [add] = parseOrderUtterance('a medium coke', index).intents as AddIntent[];
    expect(add).toMatchObject({ itemId: 'coke', unknownSize: 'medium' });
    expect(add!.variantId).toBeUndefined();
  });
});

describe('parseOrderUtterance: modifiers', () => {
  it.each([
    ['a large pepperoni with extra cheese', 'add pepperoni/large x1 +extra-cheese'],
    ['a veggie pizza without olives', 'add veggie x1 -olives'],
    ['a pepperoni pizza with mushrooms and olives', 'add pepperoni x1 +mushrooms +olives'],
    ['a pepperoni pizza with no onions and no olives', 'add pepperoni x1 -onions -olives'],
    ['a pepperoni pizza with no onions and olives', 'add pepperoni x1 -onions -olives'],
    [
      'a large pepperoni with extra cheese and mushrooms and a coke',
      'add pepperoni/large x1 +extra-cheese +mushrooms | add coke x1',
    ],
    ['a pepperoni pizza with more cheese', 'add pepperoni x1 +extra-cheese'],
    ['a garlic bread with cheese', 'add garlic-bread/regular x1 +extra-cheese'],
    ['a coke with extra cheese', 'add coke x1'],
    ['add mushrooms', 'modify last +mushrooms'],
    ['no onions on that', 'modify last -onions'],
    ['with black olives', 'modify last +olives'],
  ])('%s', (text, expected) => {
    expect(parse(text)).toBe(expected);
  });
});

describe('parseOrderUtterance: corrections and removals with a cart', () => {
  it.each([
    ['make that large', 'modify last variant=large'],
    ['make it large', 'modify last variant=large'],
    ['make that two', 'modify last quantity=2'],
    ['make the second one medium', 'modify #1 variant=medium'],
    ['make the first one small', 'modify #0 variant=small'],
    ['make the second pizza large', 'modify #1 variant=large'],
    ['actually three', 'modify last quantity=3'],
    ['actually make it a large', 'modify last variant=large'],
    ['change the pepperoni to medium', 'modify pepperoni variant=medium'],
    ['change the coke to a sprite', 'modify coke itemId=sprite'],
    ['large', 'modify last variant=large'],
    ['a pepperoni pizza actually make it two', 'add pepperoni x1 | modify last quantity=2'],
    ['remove the coke', 'remove coke'],
    ['no coke', 'remove coke'],
    ['take off the garlic bread', 'remove garlic-bread'],
    ['take the coke off', 'remove coke'],
    ['get rid of the wings', 'remove wings'],
    ["i don't want the coke", 'remove coke'],
    ['cancel the second one', 'remove #1'],
    ['remove the last one', 'remove last'],
    ['remove one coke', 'remove coke x1'],
    ['make the second one medium and remove the coke', 'modify #1 variant=medium | remove coke'],
  ])('%s', (text, expected) => {
    expect(parse(text, CART)).toBe(expected);
  });

  it('keeps the size heard when the target has no such variant', () => {
    const cart: CartLineRef[] = [{ itemId: 'coke', quantity: 1 }];
    expect(parseOrderUtterance('make it medium', index, { cart }).intents).toEqual([
      { type: 'modify', target: 'last', set: { size: 'medium' }, confidence: 1 },
    ]);
  });
});

describe('parseOrderUtterance: questions and commands', () => {
  it.each([
    ['what pizzas do you have', 'question list pizza'],
    ['what drinks do you have', 'question list drinks'],
    ["what's on the menu", 'question list'],
    ['what sizes do you have', 'question sizes'],
    ['what sizes does the pepperoni come in', 'question sizes pepperoni'],
    ['how much is a large pepperoni', 'question price pepperoni large'],
    ['how much is a garlic bread', 'question price garlic-bread regular'],
    ['how much is that', 'question price'],
    ["what's new", 'question new'],
    ['what are your specials', 'question new'],
    ["what's cheapest", 'question cheapest'],
    ["what's the cheapest pizza", 'question cheapest pizza'],
    ["what's popular", 'question popular'],
    ['what do you recommend', 'question popular'],
    ['do you have a hawaiian', 'question has hawaiian'],
    ["that's all", 'done'],
    ["that's it", 'done'],
    ['nothing else', 'done'],
    ["no that's everything", 'done'],
    ["that'll be all thanks", 'done'],
    ['no thanks', 'done'],
    ['the same as last time', 'reorder'],
    ['my usual', 'reorder'],
    ['can i get my usual', 'reorder'],
    ["let's start over", 'startOver'],
    ['cancel my order', 'startOver'],
    ["a pepperoni pizza and that's all", 'add pepperoni x1 | done'],
  ])('%s', (text, expected) => {
    expect(parse(text)).toBe(expected);
  });

  it('says nothing about small talk', () => {
    expect(parseOrderUtterance('hello how are you', index).intents).toEqual([]);
    expect(parseOrderUtterance('', index).intents).toEqual([]);
  });
});

describe('unknown and unavailable items', () => {
  it('reports an item-like phrase that matches nothing, with similar items', () => {
    const [u] = parseOrderUtterance('a large calzone please', index).intents;
    expect(u).toMatchObject({ type: 'unknownItem', heard: 'calzone' });
    expect(u?.type === 'unknownItem' && u.suggestions.length).toBe(3);
    const [q] = parseOrderUtterance('do you have calzones', index).intents;
    expect(q).toMatchObject({ type: 'question', kind: 'has', heard: 'calzone' });
    expect(q).not.toHaveProperty('itemId');
  });

  it('asks which one for a bare category, suggesting popular items of it', () => {
    const [u] = parseOrderUtterance('two large pizzas', index).intents;
    expect(u).toMatchObject({ type: 'unknownItem', heard: 'pizza' });
    expect(u?.type === 'unknownItem' && u.suggestions[0]).toBe('pepperoni');
  });

  it('suggests available alternatives: same category first, never the item itself', () => {
    const alts = suggestAlternatives(index, 'hawaiian', 3);
    expect(alts).toHaveLength(3);
    expect(alts).not.toContain('hawaiian');
    for (const id of alts)
      expect(pizzeria.items.find((i) => i.id === id)?.categoryId).toBe('pizza');
    expect(suggestAlternatives(index, { heard: 'peperoni' }, 1)).toEqual(['pepperoni']);
    expect(suggestAlternatives(index, { heard: 'hawaiian pizza' }, 5)).not.toContain('hawaiian');
  });
});

describe('a generated 200-item menu', () => {
  const big = buildOrderIndex(generatedMenu(200));
  it('finds items by name and alias, with sizes and modifiers', () => {
    const item = generatedMenu(200).items[42]!;
    const [add] = parseOrderUtterance(`two large ${item.name} with extra bacon`, big).intents;
    expect(add).toMatchObject({
      type: 'add',
      itemId: item.id,
      quantity: 2,
      variantId: `${item.id}-l`,
    });
    expect(add?.type === 'add' && add.modifiers.add).toEqual(['mod-1']);
  });
});
