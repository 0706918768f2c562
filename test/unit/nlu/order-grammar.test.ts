import { describe, expect, it } from '@jest/globals';
import {
  buildOrderIndex,
  MAX_ORDER_PHRASES,
  OrderLlmArgs,
  OrderLlmTool,
  orderGrammar,
  orderPhrases,
  resolveLlmItems,
  spokenWords,
} from '../../../src/nlu/order/index.js';
import { generatedMenu } from '../../fixtures/catalogs/generated-menu.js';
import { summary } from '../../fixtures/catalogs/intent-summary.js';
import { pizzeria } from '../../fixtures/catalogs/pizzeria.js';

describe('orderPhrases (cloud keyterms)', () => {
  it('lists item names first (popular first), then sizes, modifiers, commands; deduped', () => {
    const phrases = orderPhrases(pizzeria);
    expect(phrases.slice(0, 4)).toEqual([
      'pepperoni pizza',
      'meat lovers pizza',
      'chicken wings',
      'coke',
    ]);
    expect(phrases).toEqual(expect.arrayContaining(['large', 'extra cheese', "that's all"]));
    expect(new Set(phrases).size).toBe(phrases.length);
  });

  it('is capped', () => {
    expect(orderPhrases(generatedMenu(200))).toHaveLength(MAX_ORDER_PHRASES);
    expect(orderPhrases(pizzeria, 5)).toHaveLength(5);
  });

  it('spells catalog text as dictionary words', () => {
    expect(spokenWords('Mac & Cheese (12")')).toBe('mac and cheese twelve');
    expect(spokenWords('Crème Brûlée')).toBe('creme brulee');
  });
});

describe('orderGrammar', () => {
  it('has the catalog rules and the command rules, rooted at utterance', () => {
    const g = orderGrammar(pizzeria);
    expect(g.root).toBe('utterance');
    expect(g.rules.item).toContain('( pepperoni pizza )');
    expect(g.rules.item).toContain('( pepperoni pizzas )');
    expect(g.rules.size).toContain('( large )');
    expect(g.rules.mod).toContain('( extra cheese )');
    expect(g.rules.category).toContain('( drinks )');
    expect(g.rules.utterance).toContain('<order>');
    expect(g.rules.done).toContain("that's all");
    for (const body of Object.values(g.rules)) expect(body).toMatch(/^[a-z' ()[\]|<>*+A-Z]+$/);
  });

  it('leaves out phrases with words the recognizer does not know', () => {
    const known = new Set(['pepperoni', 'pizza', 'pizzas', 'coke']);
    const g = orderGrammar(pizzeria, (w) => known.has(w));
    expect(g.rules.item).toContain('( pepperoni pizzas )');
    expect(g.rules.item).not.toContain('margherita');
    expect(g.rules.item).not.toContain('cokes');
  });
});

describe('LLM fallback tool', () => {
  const index = buildOrderIndex(pizzeria);

  it('declares a strict JSON schema whose required fields the validator accepts', () => {
    expect(OrderLlmTool.parameters.properties.items.items.required).toEqual([
      'name',
      'size',
      'quantity',
      'modifiers',
    ]);
    const ok = OrderLlmArgs.safeParse({
      items: [{ name: 'pepperoni', size: null, quantity: 2, modifiers: null }],
    });
    expect(ok.success).toBe(true);
    expect(OrderLlmArgs.safeParse({ items: [{ name: 'x', quantity: 0 }] }).success).toBe(false);
    expect(OrderLlmArgs.safeParse({ items: [{ name: '', quantity: 1 }] }).success).toBe(false);
  });

  it('maps the model’s items through the catalog like a transcript', () => {
    const args = OrderLlmArgs.parse({
      items: [
        {
          name: 'Pepperoni Pizza',
          size: 'large',
          quantity: 2,
          modifiers: ['extra cheese', 'no onions'],
        },
        { name: 'coca cola', size: 'medium', quantity: 1 },
        { name: 'calzone', quantity: 1 },
        { name: 'hawaiian', size: 'big', quantity: 1, modifiers: ['unicorn dust'] },
      ],
    });
    const { intents } = resolveLlmItems(args, index);
    expect(summary(intents)).toBe(
      'add pepperoni/large x2 +extra-cheese -onions | add coke x1 | unknown calzone | add hawaiian/large x1',
    );
    expect(intents[1]).toMatchObject({ unknownSize: 'medium' });
    expect(intents[3]).toMatchObject({ available: false });
    for (const i of intents) if (i.type === 'add') expect(i.confidence).toBeLessThanOrEqual(0.8);
  });
});
