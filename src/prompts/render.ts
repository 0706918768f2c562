import { AppError } from '../errors.js';
import type { PromptCatalog } from './catalog.js';

/** `{name}` placeholders; names are identifiers. No escaping: prompt text never needs braces. */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Placeholder names used by a prompt text, in order of first use, without duplicates. */
export function promptPlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/**
 * The text for `key` with every `{name}` replaced by `vars[name]`. Throws PROMPT_MISSING with
 * `{key, locale}` when the key is absent, and with `{key, locale, variable}` when a placeholder has
 * no value. Extra vars are ignored. Pure.
 */
export function renderPrompt(
  catalog: PromptCatalog,
  key: string,
  vars: Readonly<Record<string, string | number>>,
): string {
  const text = catalog.texts.get(key);
  if (text === undefined) {
    throw new AppError('PROMPT_MISSING', 'prompt key not in catalog', {
      key,
      locale: catalog.locale,
    });
  }
  return text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    if (value === undefined) {
      throw new AppError('PROMPT_MISSING', 'prompt variable has no value', {
        key,
        locale: catalog.locale,
        variable: name,
      });
    }
    return String(value);
  });
}
