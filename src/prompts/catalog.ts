import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';

/** The wording for one locale: prompt key → text with `{name}` placeholders. Immutable. */
export interface PromptCatalog {
  readonly locale: string;
  readonly texts: ReadonlyMap<string, string>;
}

/** Catalogs by locale ("en-US"). */
export type PromptCatalogs = ReadonlyMap<string, PromptCatalog>;

/** Prompt keys: dotted, lowercase words, e.g. "main-menu.ask". */
export const PROMPT_KEY = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/;

/** Builds a catalog from key → text entries (tests and tools). */
export function createPromptCatalog(
  locale: string,
  entries: Record<string, string>,
): PromptCatalog {
  return { locale, texts: new Map(Object.entries(entries)) };
}

/** All keys of a catalog, sorted. */
export function promptKeys(catalog: PromptCatalog): string[] {
  return [...catalog.texts.keys()].sort();
}

/**
 * Loads `<dir>/<locale>/*.json`. Each file is a flat JSON object of prompt key → text; a key may
 * appear in only one file per locale. Throws one CONFIG_INVALID error listing every problem
 * (unreadable or invalid JSON, non-string values, bad or duplicate keys).
 */
export async function loadPromptCatalogs(dir: string): Promise<PromptCatalogs> {
  const problems: string[] = [];
  const catalogs = new Map<string, PromptCatalog>();
  const locales = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => {
    throw new AppError('CONFIG_INVALID', 'prompts directory unreadable', { dir }, { cause: err });
  });
  for (const entry of locales.filter((e) => e.isDirectory()).sort(byName)) {
    const texts = new Map<string, string>();
    await loadLocale(path.join(dir, entry.name), texts, problems);
    catalogs.set(entry.name, { locale: entry.name, texts });
  }
  if (problems.length > 0) {
    throw new AppError('CONFIG_INVALID', `invalid prompts:\n  ${problems.join('\n  ')}`, {
      problems,
    });
  }
  return catalogs;
}

async function loadLocale(dir: string, texts: Map<string, string>, problems: string[]) {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    const where = path.join(dir, file);
    try {
      addEntries(where, JSON.parse(await readFile(where, 'utf8')), texts, problems);
    } catch (err) {
      problems.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function addEntries(where: string, json: unknown, texts: Map<string, string>, problems: string[]) {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    problems.push(`${where}: must be an object of prompt key → text`);
    return;
  }
  for (const [key, text] of Object.entries(json)) {
    if (!PROMPT_KEY.test(key)) problems.push(`${where}: ${key}: not a valid prompt key`);
    else if (typeof text !== 'string') problems.push(`${where}: ${key}: text must be a string`);
    else if (texts.has(key)) problems.push(`${where}: ${key}: defined in another file too`);
    else texts.set(key, text);
  }
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name);
}
