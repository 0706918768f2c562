import { z } from 'zod';
import { EXTRACT_GUARD } from './instructions.js';
import type { LlmClient } from './types.js';

/** A function the model fills in, and the zod schema its arguments must pass. */
export interface StructuredTool<T> {
  name: string;
  description: string;
  schema: z.ZodType<T>;
  /** JSON schema sent to the model; default: derived from `schema` (its input side). */
  parameters?: Record<string, unknown>;
  strict?: boolean;
}

export interface StructuredRequest<T> {
  instructions: string;
  /** The caller's words. */
  utterance: string;
  tool: StructuredTool<T>;
}

/**
 * Asks the model to fill in `tool` from the caller's words and returns the arguments only if
 * they pass `tool.schema`; null when the model called nothing, another function, or produced
 * invalid arguments. Never has side effects: the result is data for the flow or the catalog to
 * validate and confirm. Provider failures reject with ProviderError (see LlmClient).
 */
export async function extractStructured<T>(
  client: LlmClient,
  req: StructuredRequest<T>,
  signal: AbortSignal,
): Promise<T | null> {
  const { tool } = req;
  const call = await client.extract({
    instructions: `${req.instructions}\n${EXTRACT_GUARD}`,
    utterance: req.utterance,
    tools: [
      {
        name: tool.name,
        description: tool.description,
        parameters: tool.parameters ?? toolParameters(tool.schema),
        ...(tool.strict ? { strict: true } : {}),
      },
    ],
    signal,
  });
  if (call === null || call.name !== tool.name) return null;
  const parsed = tool.schema.safeParse(call.args);
  return parsed.success ? parsed.data : null;
}

/** JSON schema of what `schema` accepts, without the `$schema` marker vendors reject. */
export function toolParameters(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  return json;
}
