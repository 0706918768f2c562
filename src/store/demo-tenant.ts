import type { CatalogDoc, CatalogItem, CatalogVariant } from './models/catalog.model.js';
import type { OrderingSettings, TenantDoc } from './models/tenant.model.js';
import type { TenantNumberDoc } from './models/tenant-number.model.js';

/** New York sales tax 8.75 %, $2.99 delivery, pickup in 20 minutes, delivery in 45. */
function DEMO_ORDERING(): OrderingSettings {
  return {
    currency: 'USD',
    taxRateBps: 875,
    deliveryFeeMinor: 299,
    pickupMinutes: 20,
    deliveryMinutes: 45,
    deliveryEnabled: true,
  };
}

/**
 * The demo business `npm run seed` creates: a pizzeria reached at +15550002222, the phone
 * simulator's default `--to`. Open 11:00–22:00 New York time (23:00 on Friday and Saturday).
 * Takes phone orders from DEMO_CATALOG.
 */
export const DEMO_TENANT: Omit<TenantDoc, 'createdAtMs'> = {
  _id: 'demo-pizzeria',
  name: "Tony's Pizzeria",
  timeZone: 'America/New_York',
  locale: 'en-US',
  defaultFlowId: 'main-menu',
  ordering: DEMO_ORDERING(),
  businessHours: [0, 1, 2, 3, 4, 5, 6].map((day) => ({
    day,
    open: '11:00',
    close: day === 5 || day === 6 ? '23:00' : '22:00',
  })),
};

export const DEMO_NUMBERS: Omit<TenantNumberDoc, 'createdAtMs'>[] = [
  { _id: '+15550002222', tenantId: DEMO_TENANT._id, flowId: 'main-menu' },
];

type Prices = readonly [small: number, medium: number, large: number];

const PIZZA_SIZES = (p: Prices): CatalogVariant[] => [
  { id: 'small', name: 'small', aliases: ['ten inch', 'personal'], priceMinor: p[0] },
  { id: 'medium', name: 'medium', aliases: ['twelve inch', 'regular'], priceMinor: p[1] },
  {
    id: 'large',
    name: 'large',
    aliases: ['fourteen inch', 'big', 'family size'],
    priceMinor: p[2],
  },
];

const TOPPINGS = [
  ...['extra-cheese', 'mushrooms', 'olives', 'onions', 'peppers', 'sausage', 'bacon'],
  ...['pepperoni', 'ham', 'pineapple', 'jalapenos', 'spinach', 'chicken'],
];

function pizza(
  id: string,
  name: string,
  aliases: string[],
  prices: Prices,
  removals: string[] = [],
  flags: Partial<Pick<CatalogItem, 'newItem' | 'popular'>> = {},
): CatalogItem {
  return {
    id,
    categoryId: 'pizza',
    name,
    aliases,
    available: true,
    newItem: flags.newItem ?? false,
    popular: flags.popular ?? false,
    variants: PIZZA_SIZES(prices),
    modifierIds: [...TOPPINGS, ...removals.map((r) => `no-${r}`)],
    maxModifiers: 5,
  };
}

function single(
  id: string,
  categoryId: string,
  name: string,
  aliases: string[],
  variants: CatalogVariant[],
  flags: Partial<Pick<CatalogItem, 'newItem' | 'popular' | 'defaultVariantId'>> = {},
): CatalogItem {
  return {
    id,
    categoryId,
    name,
    aliases,
    available: true,
    newItem: flags.newItem ?? false,
    popular: flags.popular ?? false,
    variants,
    defaultVariantId: flags.defaultVariantId ?? variants[0]!.id,
    modifierIds: [],
  };
}

const REGULAR = (priceMinor: number): CatalogVariant[] => [
  { id: 'regular', name: 'regular', aliases: [], priceMinor },
];

const SODA_SIZES: CatalogVariant[] = [
  { id: 'can', name: 'can', aliases: ['small', 'a can'], priceMinor: 199 },
  {
    id: 'two-liter',
    name: 'two liter',
    aliases: ['2 liter', 'large', 'big', 'bottle'],
    priceMinor: 349,
  },
];

/** A topping (kind add) with its price in cents. */
function topping(id: string, name: string, aliases: string[], priceMinor: number) {
  return { id, name, aliases, kind: 'add' as const, priceMinor };
}

/**
 * The removal of a default ingredient: id `no-<ingredient>`, named "no <name>" where <name> is
 * the topping's own name when the ingredient is also a topping (understanding hears "no onions"
 * as the topping "onions" taken off and picks the removal whose name contains it). `bare`: the
 * ingredient is no topping, so its plain name ("basil") is an alias of the removal itself.
 */
function removal(ingredient: string, name: string, more: string[] = [], bare = false) {
  return {
    id: `no-${ingredient}`,
    name: `no ${name}`,
    aliases: [...[`without ${name}`, `hold the ${name}`, ...more], ...(bare ? [name] : [])],
    kind: 'remove' as const,
    priceMinor: 0,
  };
}

/**
 * The demo pizzeria's menu (stored form, prices in US cents). Pizzas come in small, medium and
 * large with no default size (the caller is asked); up to 5 toppings; removable ingredients are
 * `remove` modifiers priced 0 ("no onions"). Names and aliases use words of the pocketsphinx
 * dictionary where the dish name is not in it (margherita → "margarita").
 */
export const DEMO_CATALOG: Pick<CatalogDoc, 'categories' | 'items' | 'modifiers'> = {
  categories: [
    { id: 'pizza', name: 'pizza', aliases: ['pizzas', 'pie', 'pies'] },
    { id: 'sides', name: 'side', aliases: ['sides', 'appetizer', 'appetizers'] },
    { id: 'drinks', name: 'drink', aliases: ['drinks', 'soda', 'sodas', 'beverage'] },
    { id: 'desserts', name: 'dessert', aliases: ['desserts', 'something sweet'] },
  ],
  modifiers: [
    topping('extra-cheese', 'extra cheese', ['more cheese', 'double cheese'], 150),
    topping('mushrooms', 'mushrooms', ['mushroom'], 125),
    topping('olives', 'olives', ['olive', 'black olives'], 125),
    topping('onions', 'onions', ['onion'], 100),
    topping('peppers', 'green peppers', ['peppers', 'pepper', 'green pepper'], 125),
    topping('sausage', 'sausage', ['sausages', 'italian sausage'], 175),
    topping('bacon', 'bacon', [], 175),
    topping('pepperoni', 'pepperoni', ['pepperonis'], 175),
    topping('ham', 'ham', [], 175),
    topping('pineapple', 'pineapple', [], 125),
    topping('jalapenos', 'jalapenos', ['jalapeno', 'hot peppers'], 125),
    topping('spinach', 'spinach', [], 125),
    topping('chicken', 'chicken', ['grilled chicken'], 200),
    removal('onions', 'onions'),
    removal('peppers', 'green peppers', ['no peppers', 'without peppers']),
    removal('olives', 'olives'),
    removal('mushrooms', 'mushrooms'),
    removal('pineapple', 'pineapple'),
    removal('ham', 'ham'),
    removal('sausage', 'sausage'),
    removal('bacon', 'bacon'),
    removal('basil', 'basil', [], true),
  ],
  items: [
    pizza(
      'cheese',
      'cheese pizza',
      ['cheese', 'plain pizza', 'plain cheese'],
      [1099, 1399, 1699],
      [],
      { popular: true },
    ),
    pizza('pepperoni', 'pepperoni pizza', ['pepperoni', 'pepperonis'], [1299, 1599, 1899], [], {
      popular: true,
    }),
    pizza(
      'margherita',
      'margarita pizza',
      ['margarita', 'margaritas'],
      [1199, 1499, 1799],
      ['basil'],
    ),
    pizza(
      'hawaiian',
      'hawaiian pizza',
      ['hawaiian', 'ham and pineapple'],
      [1399, 1699, 1999],
      ['ham', 'pineapple'],
    ),
    pizza(
      'veggie',
      'veggie pizza',
      ['veggie', 'vegetarian pizza', 'vegetable pizza', 'vegetarian'],
      [1399, 1699, 1999],
      ['onions', 'peppers', 'olives', 'mushrooms'],
    ),
    pizza(
      'meat-lovers',
      'meat lovers pizza',
      ['meat lovers', 'meat lover', 'meat pizza'],
      [1599, 1899, 2199],
      ['sausage', 'bacon', 'ham'],
    ),
    pizza(
      'bbq-chicken',
      'barbecue chicken pizza',
      ['barbecue chicken', 'chicken pizza'],
      [1499, 1799, 2099],
      ['onions'],
      { newItem: true },
    ),
    single(
      'garlic-bread',
      'sides',
      'garlic bread',
      ['garlic breads', 'garlic knots'],
      REGULAR(599),
      { popular: true },
    ),
    single(
      'wings',
      'sides',
      'chicken wings',
      ['wings', 'wing', 'buffalo wings'],
      [
        {
          id: 'six',
          name: 'six piece',
          aliases: ['six', '6', 'half dozen', 'small'],
          priceMinor: 899,
        },
        {
          id: 'twelve',
          name: 'twelve piece',
          aliases: ['twelve', '12', 'dozen', 'large'],
          priceMinor: 1599,
        },
      ],
      { defaultVariantId: 'six' },
    ),
    single('fries', 'sides', 'french fries', ['fries', 'fry'], REGULAR(399)),
    single(
      'mozzarella-sticks',
      'sides',
      'mozzarella sticks',
      ['cheese sticks', 'mozzarella stick'],
      REGULAR(699),
      { newItem: true },
    ),
    single('coke', 'drinks', 'coke', ['coca cola', 'cokes', 'coca colas'], SODA_SIZES, {
      popular: true,
    }),
    single('diet-coke', 'drinks', 'diet coke', ['diet cokes', 'diet coca cola'], SODA_SIZES),
    single('sprite', 'drinks', 'sprite', ['sprites', 'lemon lime soda'], SODA_SIZES),
    single(
      'water',
      'drinks',
      'bottled water',
      ['water', 'waters', 'bottle of water'],
      REGULAR(149),
    ),
    single('cannoli', 'desserts', 'cannoli', ['cannolis'], REGULAR(499)),
    single(
      'cookie',
      'desserts',
      'chocolate chip cookie',
      ['cookie', 'cookies', 'chocolate chip cookies'],
      REGULAR(249),
    ),
  ],
};
