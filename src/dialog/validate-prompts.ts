import { promptPlaceholders, type PromptCatalogs } from '../prompts/index.js';
import { sayItems, type FlowDefinition, type Say, type VocabRef } from './flow-schema.js';
import type { Problem } from './problems.js';

/**
 * Prompt checks for every locale a flow lists: each key exists, and each `{placeholder}` can be
 * filled: from a declared var or slot, the item's own vars, or (in confirmations) the engine's
 * `choice` / `digits`. A placeholder naming an optional var needs a `when: varPresent` guard.
 */

export interface PromptRef {
  path: string;
  prompt: string;
  /** Names the say item supplies itself. */
  own: string[];
  when?: VocabRef;
  /** Said as a confirmation, where the engine adds `choice` and `digits`. */
  confirm: boolean;
}

function refsOf(say: Say | undefined, path: string, confirm = false): PromptRef[] {
  return sayItems(say).map((item, i) => {
    const at = Array.isArray(say) ? `${path}[${i}]` : path;
    if (typeof item === 'string') return { path: at, prompt: item, own: [], confirm };
    return {
      path: at,
      prompt: item.prompt,
      own: Object.keys(item.vars ?? {}),
      confirm,
      ...(item.when ? { when: item.when } : {}),
    };
  });
}

/** Every prompt a flow can say, with the JSON path that names it. */
export function promptRefs(flow: FlowDefinition): PromptRef[] {
  const out: PromptRef[] = [
    ...refsOf(flow.defaults.reprompt?.noInput, 'defaults.reprompt.noInput'),
    ...refsOf(flow.defaults.reprompt?.noMatch, 'defaults.reprompt.noMatch'),
  ];
  for (const [id, g] of Object.entries(flow.globals))
    out.push(...refsOf(g.say, `globals.${id}.say`));
  for (const [name, s] of Object.entries(flow.states)) {
    const at = `states.${name}`;
    out.push(...refsOf(s.say, `${at}.say`));
    out.push(...refsOf(s.reprompt?.noInput, `${at}.reprompt.noInput`));
    out.push(...refsOf(s.reprompt?.noMatch, `${at}.reprompt.noMatch`));
    out.push(...refsOf(s.confirm?.rejected, `${at}.confirm.rejected`));
    for (const [id, say] of Object.entries(s.confirm?.prompts ?? {})) {
      out.push(...refsOf(say, `${at}.confirm.prompts.${id}`, true));
    }
  }
  return out;
}

function guardedBy(ref: PromptRef, varName: string): boolean {
  return ref.when?.type === 'varPresent' && ref.when.params?.name === varName;
}

function checkPlaceholders(
  flow: FlowDefinition,
  ref: PromptRef,
  text: string,
  locale: string,
): Problem[] {
  const out: Problem[] = [];
  for (const name of promptPlaceholders(text)) {
    if (ref.own.includes(name) || name in flow.slots) continue;
    if (ref.confirm && (name === 'choice' || name === 'digits')) continue;
    const v = flow.vars[name];
    if (!v) {
      out.push({
        path: ref.path,
        code: 'prompt-var',
        message: `${locale} "${ref.prompt}" uses {${name}}, which nothing supplies`,
      });
    } else if (!v.required && !guardedBy(ref, name)) {
      out.push({
        path: ref.path,
        code: 'prompt-optional-var',
        message: `${locale} "${ref.prompt}" uses optional {${name}}; add when: varPresent ${name}`,
      });
    }
  }
  return out;
}

export function checkPrompts(flow: FlowDefinition, catalogs: PromptCatalogs): Problem[] {
  const out: Problem[] = [];
  const refs = promptRefs(flow);
  flow.locales.forEach((locale, i) => {
    const catalog = catalogs.get(locale);
    if (!catalog) {
      out.push({
        path: `locales[${i}]`,
        code: 'locale-missing',
        message: `no prompts for ${locale}`,
      });
      return;
    }
    for (const ref of refs) {
      const text = catalog.texts.get(ref.prompt);
      if (text === undefined) {
        out.push({
          path: ref.path,
          code: 'prompt-missing',
          message: `${locale} has no prompt "${ref.prompt}"`,
        });
      } else out.push(...checkPlaceholders(flow, ref, text, locale));
    }
  });
  return out;
}
