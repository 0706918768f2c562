import type { LlmToolCall } from './types.js';

/** One streamed tool-call fragment (Chat Completions `delta.tool_calls[]`). */
export interface ToolCallFragment {
  index: number;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

interface Pending {
  name: string;
  args: string;
}

/**
 * Reassembles the FIRST tool call of a streamed completion from its fragments: the first
 * fragment of a call carries its name (and an empty `arguments`), later ones carry pieces of the
 * JSON arguments, split anywhere (mid-string, mid-escape). Fragments of other calls (other
 * `index`) may interleave and are ignored, except that their appearance ends the first call.
 *
 * `push` reports the call as soon as it is known complete: its arguments parse as a JSON object
 * (a strict prefix of an object never does), or another call started. `finish` is for the end
 * of the stream. Both give null for a call whose arguments are not a JSON object.
 */
export class ToolCallAssembler {
  private firstIndex: number | undefined;
  private readonly first: Pending = { name: '', args: '' };

  /** Feed the fragments of one chunk; returns the result once the first call is complete. */
  push(fragments: readonly ToolCallFragment[]): LlmToolCall | null | undefined {
    for (const f of fragments) {
      this.firstIndex ??= f.index;
      if (f.index !== this.firstIndex) return this.finish();
      this.first.name += f.function?.name ?? '';
      this.first.args += f.function?.arguments ?? '';
    }
    if (this.firstIndex === undefined || !this.first.args.trimEnd().endsWith('}')) return undefined;
    const call = this.finish();
    return call ?? undefined;
  }

  /** The first call as received so far; null when there is none or its arguments are invalid. */
  finish(): LlmToolCall | null {
    if (this.firstIndex === undefined || this.first.name === '') return null;
    const args = parseObject(this.first.args);
    return args ? { name: this.first.name, args } : null;
  }
}

/** A JSON object, or undefined for anything else (invalid JSON, array, scalar). Empty = {}. */
function parseObject(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
