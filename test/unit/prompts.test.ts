import { describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError } from '../../src/errors.js';
import {
  createPromptCatalog,
  loadPromptCatalogs,
  promptKeys,
  promptPlaceholders,
  renderPrompt,
} from '../../src/prompts/index.js';

const catalog = createPromptCatalog('en-US', {
  'a.greet': 'Hi {name}, welcome to {businessName}.',
  'a.count': 'You have {count} items.',
  'a.plain': 'Hello.',
});

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
  }
  throw new Error('expected an AppError');
}

describe('renderPrompt', () => {
  it('fills placeholders and ignores extra vars', () => {
    expect(renderPrompt(catalog, 'a.greet', { name: 'Sam', businessName: 'Acme', x: 1 })).toBe(
      'Hi Sam, welcome to Acme.',
    );
    expect(renderPrompt(catalog, 'a.count', { count: 3 })).toBe('You have 3 items.');
    expect(renderPrompt(catalog, 'a.plain', {})).toBe('Hello.');
  });

  it('a missing key is PROMPT_MISSING naming the key', () => {
    const e = caught(() => renderPrompt(catalog, 'a.nope', {}));
    expect(e.code).toBe('PROMPT_MISSING');
    expect(e.details).toMatchObject({ key: 'a.nope', locale: 'en-US' });
  });

  it('a missing var is PROMPT_MISSING naming the key and the variable', () => {
    const e = caught(() => renderPrompt(catalog, 'a.greet', { name: 'Sam' }));
    expect(e.code).toBe('PROMPT_MISSING');
    expect(e.details).toMatchObject({ key: 'a.greet', variable: 'businessName' });
  });

  it('does not read inherited properties as vars', () => {
    const c = createPromptCatalog('en-US', { k: 'x {constructor}' });
    expect(caught(() => renderPrompt(c, 'k', {})).code).toBe('PROMPT_MISSING');
  });
});

describe('promptPlaceholders / promptKeys', () => {
  it('lists placeholders once, in order', () => {
    expect(promptPlaceholders('{a} and {b} and {a}; {not valid}')).toEqual(['a', 'b']);
    expect(promptKeys(catalog)).toEqual(['a.count', 'a.greet', 'a.plain']);
  });
});

describe('loadPromptCatalogs', () => {
  async function dirWith(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'prompts-'));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
    return dir;
  }

  it('loads every locale directory, merging its files', async () => {
    const dir = await dirWith({
      'en-US/a.json': JSON.stringify({ 'a.one': 'One' }),
      'en-US/b.json': JSON.stringify({ 'b.two': 'Two' }),
      'es-MX/a.json': JSON.stringify({ 'a.one': 'Uno' }),
    });
    const cats = await loadPromptCatalogs(dir);
    expect([...cats.keys()]).toEqual(['en-US', 'es-MX']);
    expect(promptKeys(cats.get('en-US')!)).toEqual(['a.one', 'b.two']);
  });

  it('reports every bad file at once as CONFIG_INVALID', async () => {
    const dir = await dirWith({
      'en-US/a.json': JSON.stringify({ 'a.one': 'One', 'Bad Key': 'x', 'a.num': 3 }),
      'en-US/b.json': JSON.stringify({ 'a.one': 'Again' }),
      'en-US/c.json': '{',
    });
    const err = await loadPromptCatalogs(dir).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(((err as AppError).details?.problems as string[]).length).toBe(4);
  });

  it('the shipped en-US catalog has the main-menu prompts', async () => {
    const cats = await loadPromptCatalogs('prompts');
    expect(promptKeys(cats.get('en-US')!)).toContain('main-menu.ask');
  });
});
