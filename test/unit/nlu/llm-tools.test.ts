import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { z } from 'zod';
import { toolParameters } from '../../../src/nlu/llm/structured.js';
import { validChoice } from '../../../src/nlu/llm/tasks.js';
import { ToolCallAssembler, type ToolCallFragment } from '../../../src/nlu/llm/tool-calls.js';

const head = (index: number, name: string): ToolCallFragment => ({
  index,
  id: `call_${index}`,
  function: { name, arguments: '' },
});
const piece = (index: number, args: string): ToolCallFragment => ({
  index,
  function: { arguments: args },
});

describe('ToolCallAssembler', () => {
  const args = { text: 'say "hi" \\ \u00e9 }{', n: 2, list: ['a', { b: null }] };
  const raw = JSON.stringify(args);

  it('reassembles arguments cut anywhere (mid-string, mid-escape) and reports completion at once', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: raw.length - 1 })), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces = [0, ...points].map((p, i) => raw.slice(p, points[i] ?? raw.length));
        const a = new ToolCallAssembler();
        expect(a.push([head(0, 'extract')])).toBeUndefined();
        pieces.forEach((p, i) => {
          const r = a.push([piece(0, p)]);
          if (i < pieces.length - 1) expect(r).toBeUndefined();
          else expect(r).toEqual({ name: 'extract', args });
        });
      }),
    );
  });

  it('ends the first call when another index starts; ignores the others', () => {
    const a = new ToolCallAssembler();
    a.push([head(0, 'first'), piece(0, '{"x":')]);
    expect(a.push([piece(0, ' 1')])).toBeUndefined();
    expect(a.push([head(1, 'second')])).toBeNull(); // `{"x": 1` never completed
    const b = new ToolCallAssembler();
    b.push([head(0, 'first'), piece(0, '{"x":1')]);
    expect(b.push([head(1, 'second'), piece(1, '{}')])).toBeNull();
  });

  it('gives null for invalid JSON or non-object arguments, {} for empty ones', () => {
    const bad = new ToolCallAssembler();
    bad.push([head(0, 'f'), piece(0, '{"a": tru}')]);
    expect(bad.finish()).toBeNull();
    const arr = new ToolCallAssembler();
    arr.push([head(0, 'f'), piece(0, '[1]')]);
    expect(arr.finish()).toBeNull();
    const empty = new ToolCallAssembler();
    empty.push([head(0, 'f')]);
    expect(empty.finish()).toEqual({ name: 'f', args: {} });
    expect(new ToolCallAssembler().finish()).toBeNull();
  });
});

describe('validChoice', () => {
  const ids = ['order', 'support'];
  it('accepts only listed ids and clamps the confidence', () => {
    const call = (choice: unknown, confidence?: unknown) => ({
      name: 'choose',
      args: { choice, confidence },
    });
    expect(validChoice(call('order', 0.8), ids)).toEqual({ id: 'order', confidence: 0.8 });
    expect(validChoice(call('support', 7), ids)).toEqual({ id: 'support', confidence: 1 });
    expect(validChoice(call('support'), ids)).toEqual({ id: 'support', confidence: 0.5 });
    expect(validChoice(call('refund', 1), ids)).toBeUndefined();
    expect(validChoice(call('none', 1), ids)).toBeUndefined();
    expect(validChoice(call(1, 1), ids)).toBeUndefined();
    expect(validChoice({ name: 'other', args: { choice: 'order' } }, ids)).toBeUndefined();
    expect(validChoice(null, ids)).toBeUndefined();
  });
});

describe('toolParameters', () => {
  it('derives an object JSON schema from zod, without $schema', () => {
    const p = toolParameters(z.object({ item: z.string(), qty: z.number().int().default(1) }));
    expect(p.$schema).toBeUndefined();
    expect(p).toMatchObject({ type: 'object', properties: { item: { type: 'string' } } });
  });
});
