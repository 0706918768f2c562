import { z } from 'zod';
import type { CatalogDoc } from '../../store/models/catalog.model.js';
import { OrderingError } from './types.js';

/**
 * The catalog as an operator writes it (PUT /api/tenants/:tenantId/catalog) and reads it back.
 * Ids are slugs, unique in their list (variant ids within their item). Prices are integer minor
 * units. A modifier of kind `remove` is a removable default ingredient, priced 0, named as it is
 * spoken ("no onions"). Items list the modifiers they accept in `modifierIds`.
 */
const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a slug (a-z, 0-9, -)');
const Name = z.string().trim().min(1).max(100);
const Aliases = z.array(z.string().trim().min(1).max(100)).max(50).default([]);
const Minor = z.number().int('must be an integer amount of minor units').min(0).max(10_000_000);

const Category = z.object({ id: Id, name: Name, aliases: Aliases }).strict();
const Variant = z.object({ id: Id, name: Name, aliases: Aliases, priceMinor: Minor }).strict();
const Modifier = z
  .object({
    id: Id,
    name: Name,
    aliases: Aliases,
    kind: z.enum(['add', 'remove']).default('add'),
    priceMinor: Minor,
  })
  .strict();
const Item = z
  .object({
    id: Id,
    categoryId: Id,
    name: Name,
    aliases: Aliases,
    description: z.string().max(500).optional(),
    available: z.boolean().default(true),
    isNew: z.boolean().default(false),
    popular: z.boolean().default(false),
    variants: z.array(Variant).min(1).max(20),
    defaultVariantId: Id.optional(),
    modifierIds: z.array(Id).max(100).default([]),
    maxModifiers: z.number().int().min(0).max(100).optional(),
  })
  .strict();

const CatalogShape = z
  .object({
    categories: z.array(Category).max(100),
    modifiers: z.array(Modifier).max(500).default([]),
    items: z.array(Item).max(1000),
  })
  .strict();

/** The catalog schema: shapes, then unique ids and valid references (see referenceProblems). */
export const CatalogInputSchema = CatalogShape.superRefine((c, ctx) => {
  for (const p of referenceProblems(c))
    ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
});

/** A catalog as written by operators; the output of the schema (defaults filled in). */
export type CatalogInput = z.output<typeof CatalogInputSchema>;
/** What may be sent (defaults omitted). */
export type CatalogInputDraft = z.input<typeof CatalogInputSchema>;

interface Problem {
  path: (string | number)[];
  message: string;
}

type Loose = Record<string, unknown>;
const list = (x: unknown): Loose[] =>
  Array.isArray(x) ? x.map((v) => (v && typeof v === 'object' ? (v as Loose) : {})) : [];
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

function duplicates(ids: readonly (string | undefined)[]): number[] {
  const seen = new Set<string>();
  const dup: number[] = [];
  ids.forEach((id, i) => {
    if (id === undefined) return;
    if (seen.has(id)) dup.push(i);
    else seen.add(id);
  });
  return dup;
}

/**
 * Unique ids and valid references, read leniently so they are reported even when other parts
 * of the catalog are malformed (entries too broken to read are skipped).
 */
export function referenceProblems(input: unknown): Problem[] {
  const c = (input && typeof input === 'object' ? input : {}) as Loose;
  const out: Problem[] = [];
  const dupIds = (entries: Loose[], at: (string | number)[]) => {
    for (const i of duplicates(entries.map((e) => str(e.id)))) {
      out.push({ path: [...at, i, 'id'], message: 'duplicate id' });
    }
  };
  const [categories, modifiers, items] = [list(c.categories), list(c.modifiers), list(c.items)];
  dupIds(categories, ['categories']);
  dupIds(modifiers, ['modifiers']);
  dupIds(items, ['items']);
  modifiers.forEach((m, i) => {
    if (m.kind === 'remove' && m.priceMinor !== 0) {
      const message = 'a removal (kind remove) must be priced 0';
      out.push({ path: ['modifiers', i, 'priceMinor'], message });
    }
  });
  const known = {
    categories: new Set(categories.map((x) => str(x.id))),
    modifiers: new Set(modifiers.map((x) => str(x.id))),
  };
  items.forEach((item, i) => out.push(...itemProblems(item, ['items', i], known, dupIds)));
  return out;
}

function itemProblems(
  item: Loose,
  at: (string | number)[],
  known: { categories: Set<string | undefined>; modifiers: Set<string | undefined> },
  dupIds: (entries: Loose[], at: (string | number)[]) => void,
): Problem[] {
  const out: Problem[] = [];
  const categoryId = str(item.categoryId);
  if (categoryId !== undefined && !known.categories.has(categoryId)) {
    out.push({ path: [...at, 'categoryId'], message: 'no such category' });
  }
  const variants = list(item.variants);
  dupIds(variants, [...at, 'variants']);
  const def = str(item.defaultVariantId);
  if (def !== undefined && !variants.some((v) => v.id === def)) {
    out.push({ path: [...at, 'defaultVariantId'], message: 'not one of the item’s variants' });
  }
  const modifierIds = Array.isArray(item.modifierIds) ? item.modifierIds.map(str) : [];
  modifierIds.forEach((id, m) => {
    if (id !== undefined && !known.modifiers.has(id)) {
      out.push({ path: [...at, 'modifierIds', m], message: 'no such modifier' });
    }
  });
  for (const m of duplicates(modifierIds)) {
    out.push({ path: [...at, 'modifierIds', m], message: 'listed twice' });
  }
  return out;
}

const format = (path: PropertyKey[], message: string) =>
  `${path.map(String).join('.') || 'catalog'}: ${message}`;

/** `path: message` for every problem, e.g. `items.3.categoryId: no such category`. */
export function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((i) => format(i.path, i.message));
}

/**
 * Validates an operator's catalog; OrderingError `catalog-invalid` lists every problem: shape
 * problems and reference problems together, each once.
 */
export function parseCatalog(input: unknown): CatalogInput {
  const r = CatalogInputSchema.safeParse(input);
  if (r.success) return r.data;
  const refs = referenceProblems(input).map((p) => format(p.path, p.message));
  const problems = [...new Set([...problemsOf(r.error), ...refs])];
  throw new OrderingError('catalog-invalid', problems.join('; '), { problems });
}

/** The stored form of a validated catalog (without _id, rev, updatedAtMs). */
export function toStored(c: CatalogInput): Pick<CatalogDoc, 'categories' | 'items' | 'modifiers'> {
  return {
    categories: c.categories.map((x) => ({ ...x })),
    modifiers: c.modifiers.map((x) => ({ ...x })),
    items: c.items.map(({ isNew, ...item }) => ({ ...item, newItem: isNew })),
  };
}

/** The operator's form of a stored catalog (what GET returns). */
export function fromStored(
  d: Pick<CatalogDoc, 'categories' | 'items' | 'modifiers'>,
): CatalogInput {
  return {
    categories: d.categories.map(({ id, name, aliases }) => ({ id, name, aliases: [...aliases] })),
    modifiers: d.modifiers.map(({ id, name, aliases, kind, priceMinor }) => ({
      id,
      name,
      aliases: [...aliases],
      kind,
      priceMinor,
    })),
    items: d.items.map((it) => ({
      id: it.id,
      categoryId: it.categoryId,
      name: it.name,
      aliases: [...it.aliases],
      ...(it.description !== undefined ? { description: it.description } : {}),
      available: it.available,
      isNew: it.newItem,
      popular: it.popular,
      variants: it.variants.map(({ id, name, aliases, priceMinor }) => ({
        id,
        name,
        aliases: [...aliases],
        priceMinor,
      })),
      ...(it.defaultVariantId !== undefined ? { defaultVariantId: it.defaultVariantId } : {}),
      modifierIds: [...it.modifierIds],
      ...(it.maxModifiers !== undefined ? { maxModifiers: it.maxModifiers } : {}),
    })),
  };
}
