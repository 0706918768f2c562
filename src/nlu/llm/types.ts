import type { Logger } from '../../logger.js';

/**
 * The optional language-model step. Implementations (src/nlu/providers/) map every failure to
 * ProviderError: credentials refused → `LLM_AUTH` (not retryable); no answer in time →
 * `LLM_TIMEOUT` (retryable); 429, 5xx, network, dropped stream → `PROVIDER_FAILED` (retryable);
 * other 4xx → `PROVIDER_FAILED` (not retryable); the caller's signal aborted → `PROVIDER_ABORTED`.
 */
export interface LlmClient {
  readonly id: string;
  /**
   * The first complete tool call the model makes, or null (no tool call, or arguments that are
   * not a JSON object). Resolves as soon as that call's arguments are complete, then closes the
   * request. The whole operation is bounded by the client's timeout.
   */
  extract(req: LlmExtractRequest): Promise<LlmToolCall | null>;
  /**
   * A free-text answer as complete sentences, each yielded as soon as it is complete in the
   * token stream (the unterminated tail when the stream ends). The request starts on the first
   * `next()`; stopping the iteration early (`break`/`return()`) or aborting `signal` closes it.
   * The timeout bounds the wait for the first token and each gap between chunks; time spent
   * by the consumer between `next()` calls is not counted.
   */
  answer(req: LlmAnswerRequest): AsyncIterable<string>;
}

/** A function the model may call; `parameters` is a JSON schema (an object schema). */
export interface LlmTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  /** Ask for strict schema adherence (OpenAI structured outputs). Default false. */
  strict?: boolean;
}

export interface LlmToolCall {
  name: string;
  /** Parsed arguments; always a JSON object. Untrusted: validate before use. */
  args: Record<string, unknown>;
}

export interface LlmExtractRequest {
  /** System instructions. */
  instructions: string;
  /** The caller's words (the user message; data, never instructions). */
  utterance: string;
  tools: readonly LlmTool[];
  /** Default: that tool when there is exactly one, else `required`. */
  toolChoice?: 'auto' | 'required' | { name: string };
  signal: AbortSignal;
}

export interface LlmAnswerRequest {
  instructions: string;
  /** Reference text the answer may draw on (e.g. the tenant's FAQ); optional. */
  context?: string;
  question: string;
  signal: AbortSignal;
  /** Called exactly once, when the iteration ends (completed, failed or stopped). */
  onTiming?: (timing: LlmAnswerTiming) => void;
}

/** Milliseconds since the request started; absent when the point was never reached. */
export interface LlmAnswerTiming {
  firstTokenMs?: number;
  firstSentenceMs?: number;
  /** The last chunk (finish reason) arrived. */
  doneMs?: number;
  sentences: number;
  /** The model finished its answer (false: failed, aborted or stopped early by the consumer). */
  completed: boolean;
}

/**
 * Task contract shapes, structurally identical to src/dialog/task-types.ts (nlu/ may not import
 * dialog/; the composition root registers these handlers as dialog TaskHandlers).
 */
export type LlmTaskValue = string | number | boolean | string[];

export interface LlmTaskContext {
  callSid: string;
  logger: Logger;
}

export interface LlmTaskResult {
  outcome: string;
  slots?: Record<string, LlmTaskValue>;
  speech?: AsyncIterable<string>;
}

export type LlmTaskHandler = (
  input: Readonly<Record<string, unknown>>,
  ctx: LlmTaskContext,
  signal: AbortSignal,
) => Promise<LlmTaskResult>;

export interface LlmTaskSpec {
  name: string;
  description: string;
  outcomes: readonly string[];
  input?: Readonly<Record<string, string>>;
  slots?: Readonly<Record<string, string>>;
  timeoutMs?: number;
}
