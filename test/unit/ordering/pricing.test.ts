import { buildView } from '../../../src/domain/ordering/catalog.js';
import { fromStored, parseCatalog, toStored } from '../../../src/domain/ordering/catalog-schema.js';
import {
  formatMoney,
  priceCart,
  spokenMoney,
  taxOf,
} from '../../../src/domain/ordering/pricing.js';
import { isOrderingError, type CartLine } from '../../../src/domain/ordering/types.js';
import { DEMO_CATALOG, DEMO_TENANT } from '../../../src/store/demo-tenant.js';

const view = buildView(toStored(parseCatalog(fromStored(DEMO_CATALOG))), 'v1', {
  currency: 'USD',
});
const settings = { taxRateBps: 875, deliveryFeeMinor: 299 };
const line = (itemId: string, variantId: string, quantity = 1, modifierIds: string[] = []) =>
  ({ itemId, variantId, quantity, modifierIds }) satisfies CartLine;

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isOrderingError(err) ? err.reason : 'not an OrderingError';
  }
  return undefined;
}

describe('priceCart', () => {
  it('prices variants, modifiers and quantities in integer cents', () => {
    const cart = priceCart(
      [
        line('pepperoni', 'large', 2, ['extra-cheese', 'mushrooms']),
        line('wings', 'twelve'),
        line('veggie', 'medium', 1, ['no-onions']),
      ],
      view,
      settings,
    );
    expect(cart.lines[0]).toMatchObject({
      itemName: 'pepperoni pizza',
      variantName: 'large',
      modifierNames: ['extra cheese', 'mushrooms'],
      unitPriceMinor: 1899 + 150 + 125,
      lineTotalMinor: 2 * 2174,
    });
    expect(cart.lines[2]).toMatchObject({ unitPriceMinor: 1699, modifierNames: ['no onions'] });
    expect(cart.subtotalMinor).toBe(4348 + 1599 + 1699);
    expect(cart.taxMinor).toBe(669); // 7646 × 8.75 % = 669.025
    expect(cart.feesMinor).toBe(0);
    expect(cart.totalMinor).toBe(7646 + 669);
    expect(cart.currency).toBe('USD');
  });

  it('adds the delivery fee for delivery only, untaxed', () => {
    const lines = [line('cheese', 'small')];
    const pickup = priceCart(lines, view, settings, 'pickup');
    const delivery = priceCart(lines, view, settings, 'delivery');
    expect(delivery.taxMinor).toBe(pickup.taxMinor);
    expect(delivery.feesMinor).toBe(299);
    expect(delivery.totalMinor).toBe(pickup.totalMinor + 299);
  });

  it('rounds tax half up to whole cents', () => {
    expect(taxOf(200, 875)).toBe(18); // 17.5 → 18
    expect(taxOf(100, 875)).toBe(9); // 8.75 → 9
    expect(taxOf(1000, 825)).toBe(83); // 82.5 → 83
    expect(taxOf(1099, 800)).toBe(88); // 87.92 → 88
    expect(taxOf(1, 4999)).toBe(0); // 0.4999 → 0
    expect(taxOf(0, 875)).toBe(0);
    const empty = priceCart([], view, settings);
    expect(empty).toMatchObject({ subtotalMinor: 0, taxMinor: 0, totalMinor: 0 });
  });

  it('refuses what the menu does not allow, with a reason', () => {
    const p = (l: CartLine) => () => priceCart([l], view, settings);
    expect(reasonOf(p(line('calzone', 'large')))).toBe('unknown-item');
    expect(reasonOf(p(line('cheese', 'huge')))).toBe('unknown-variant');
    expect(reasonOf(p(line('coke', 'can', 1, ['bacon'])))).toBe('unknown-modifier');
    expect(reasonOf(p(line('cheese', 'small', 0)))).toBe('bad-quantity');
    expect(reasonOf(p(line('cheese', 'small', 1.5)))).toBe('bad-quantity');
    expect(reasonOf(p(line('cheese', 'small', 100)))).toBe('bad-quantity');
    expect(reasonOf(p(line('cheese', 'small', 1, ['ham', 'ham'])))).toBe('bad-line');
    const six = ['extra-cheese', 'mushrooms', 'olives', 'onions', 'peppers', 'bacon'];
    expect(reasonOf(p(line('cheese', 'small', 1, six)))).toBe('too-many-modifiers');
    // Removals do not count against the topping limit.
    const fiveAndRemovals = [...six.slice(0, 5).filter((m) => m !== 'onions'), 'ham'];
    expect(
      reasonOf(p(line('veggie', 'small', 1, [...fiveAndRemovals, 'no-onions', 'no-peppers']))),
    ).toBeUndefined();
  });

  it('refuses an unavailable item', () => {
    const off = {
      ...view,
      items: view.items.map((i) => (i.id === 'wings' ? { ...i, available: false } : i)),
    };
    expect(reasonOf(() => priceCart([line('wings', 'six')], off, settings))).toBe(
      'item-unavailable',
    );
  });
});

describe('money for screens and speech', () => {
  it('formats', () => {
    expect(formatMoney(1250, 'USD')).toBe('$12.50');
    expect(formatMoney(1250, 'EUR')).toBe('€12.50');
    expect(formatMoney(1250, 'JPY')).toBe('¥1,250');
  });
  it('speaks', () => {
    expect(spokenMoney(1250, 'USD')).toBe('12 dollars 50');
    expect(spokenMoney(1200, 'USD')).toBe('12 dollars');
    expect(spokenMoney(100, 'USD')).toBe('1 dollar');
    expect(spokenMoney(1, 'USD')).toBe('1 cent');
    expect(spokenMoney(99, 'USD')).toBe('99 cents');
    expect(spokenMoney(1205, 'USD')).toBe('12 dollars and 5 cents');
    expect(spokenMoney(0, 'USD')).toBe('0 dollars');
    expect(spokenMoney(250, 'GBP')).toBe('2 pounds 50');
    expect(spokenMoney(1250, 'CHF')).toBe('12.50 CHF');
  });
});

describe('the demo menu', () => {
  it('is a valid catalog with settings', () => {
    const c = parseCatalog(fromStored(DEMO_CATALOG));
    expect(c.items.filter((i) => i.categoryId === 'pizza').length).toBeGreaterThanOrEqual(7);
    expect(c.items.some((i) => i.isNew)).toBe(true);
    expect(c.items.some((i) => i.popular)).toBe(true);
    expect(c.items.every((i) => i.available)).toBe(true);
    expect(c.modifiers.some((m) => m.kind === 'remove')).toBe(true);
    expect(DEMO_TENANT.ordering).toMatchObject({ currency: 'USD', deliveryEnabled: true });
  });

  it('names each removal after the topping of the same ingredient ("no" + its name)', () => {
    const toppings = new Map(
      DEMO_CATALOG.modifiers.filter((m) => m.kind === 'add').map((m) => [m.id, m.name]),
    );
    for (const r of DEMO_CATALOG.modifiers.filter((m) => m.kind === 'remove')) {
      const topping = toppings.get(r.id.replace(/^no-/, ''));
      expect(r.name).toBe(`no ${topping ?? r.name.slice(3)}`);
      expect(r.priceMinor).toBe(0);
    }
  });
});
