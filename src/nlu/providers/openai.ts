import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import { ProviderError } from '../../errors.js';
import { Deadline } from '../llm/deadline.js';
import { SentenceSplitter } from '../llm/sentences.js';
import { ToolCallAssembler } from '../llm/tool-calls.js';
import type {
  LlmAnswerRequest,
  LlmAnswerTiming,
  LlmClient,
  LlmExtractRequest,
  LlmToolCall,
} from '../llm/types.js';

const PROVIDER = 'openai';

/** `Config['openai']`: any server speaking the Chat Completions API at `baseUrl` (with /v1). */
export interface OpenAiLlmConfig {
  apiKey: string;
  baseUrl: string;
  model: string;
  /** Bounds one extract, and the wait for each chunk of an answer (see LlmClient). */
  timeoutMs: number;
}

/**
 * LlmClient over the `openai` SDK's streaming Chat Completions. No SDK retries: retry and
 * failover belong to decorators around LlmClient.
 */
export function createOpenAiLlmClient(cfg: OpenAiLlmConfig): LlmClient {
  const sdk = new OpenAI({
    apiKey: cfg.apiKey,
    baseURL: cfg.baseUrl,
    maxRetries: 0,
    timeout: Math.max(1, cfg.timeoutMs),
  });
  return {
    id: PROVIDER,
    extract: (req) => extract(sdk, cfg, req),
    answer: (req) => answer(sdk, cfg, req),
  };
}

async function extract(
  sdk: OpenAI,
  cfg: OpenAiLlmConfig,
  req: LlmExtractRequest,
): Promise<LlmToolCall | null> {
  const d = new Deadline(req.signal, cfg.timeoutMs);
  try {
    const body: ChatCompletionCreateParamsStreaming = {
      model: cfg.model,
      stream: true,
      messages: messages(req.instructions, req.utterance),
      tools: req.tools.map((t) => ({
        type: 'function',
        function: {
          name: t.name,
          description: t.description,
          parameters: t.parameters,
          ...(t.strict ? { strict: true } : {}),
        },
      })),
      tool_choice: toolChoice(req),
    };
    const stream = await sdk.chat.completions.create(body, { signal: d.signal });
    return await firstToolCall(stream, d);
  } catch (err) {
    throw toProviderError(err, d);
  } finally {
    d.dispose();
  }
}

/** Reads chunks until the first tool call is complete (leaving the loop closes the request). */
async function firstToolCall(
  stream: AsyncIterable<ChatCompletionChunk>,
  d: Deadline,
): Promise<LlmToolCall | null> {
  const calls = new ToolCallAssembler();
  for await (const chunk of stream) {
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const done = calls.push(choice.delta?.tool_calls ?? []);
    if (done !== undefined) return done;
    if (choice.finish_reason) return calls.finish();
  }
  throw endedEarly(d);
}

function toolChoice(req: LlmExtractRequest): ChatCompletionToolChoiceOption {
  const only = req.tools.length === 1 ? req.tools[0] : undefined;
  const choice = req.toolChoice ?? (only ? { name: only.name } : 'required');
  if (typeof choice === 'string') return choice;
  return { type: 'function', function: { name: choice.name } };
}

function messages(instructions: string, user: string): ChatCompletionMessageParam[] {
  return [
    { role: 'system', content: instructions },
    { role: 'user', content: user },
  ];
}

async function* answer(
  sdk: OpenAI,
  cfg: OpenAiLlmConfig,
  req: LlmAnswerRequest,
): AsyncGenerator<string> {
  const startedMs = performance.now();
  const since = () => Math.round(performance.now() - startedMs);
  const timing: LlmAnswerTiming = { sentences: 0, completed: false };
  const d = new Deadline(req.signal, cfg.timeoutMs);
  const system = req.context
    ? `${req.instructions}\n\nReference information:\n${req.context}`
    : req.instructions;
  try {
    const body: ChatCompletionCreateParamsStreaming = {
      model: cfg.model,
      stream: true,
      messages: messages(system, req.question),
    };
    const stream = await sdk.chat.completions.create(body, { signal: d.signal });
    yield* sentencesOf(stream, d, timing, since);
    timing.completed = true;
  } catch (err) {
    throw toProviderError(err, d);
  } finally {
    d.dispose();
    req.onTiming?.(timing);
  }
}

/**
 * Sentences of a streamed answer as they complete, then the unterminated tail. The idle timeout
 * restarts on every chunk and is paused while a yielded sentence is with the consumer.
 */
async function* sentencesOf(
  stream: AsyncIterable<ChatCompletionChunk>,
  d: Deadline,
  p: LlmAnswerTiming,
  since: () => number,
): AsyncGenerator<string> {
  const splitter = new SentenceSplitter();
  const emit = async function* (sentence: string) {
    p.firstSentenceMs ??= since();
    p.sentences++;
    d.pause();
    yield sentence;
    d.restart();
  };
  let finished = false;
  for await (const chunk of stream) {
    d.restart();
    const choice = chunk.choices?.[0];
    const text = choice?.delta?.content;
    if (text) {
      p.firstTokenMs ??= since();
      for (const sentence of splitter.push(text)) yield* emit(sentence);
    }
    if (choice?.finish_reason) {
      finished = true;
      p.doneMs ??= since();
    }
  }
  if (!finished) throw endedEarly(d);
  const rest = splitter.flush();
  if (rest !== undefined) yield* emit(rest);
}

/** A stream that stopped without a finish reason: our abort, or the server dropped it. */
function endedEarly(d: Deadline): Error {
  if (d.signal.aborted) return new APIUserAbortError();
  return new ProviderError(PROVIDER, true, 'language model stream ended early');
}

/** Maps SDK and network failures to ProviderError codes (see LlmClient). */
export function toProviderError(err: unknown, d: Deadline): ProviderError {
  if (err instanceof ProviderError) return err;
  if (d.timedOut || err instanceof APIConnectionTimeoutError) {
    return new ProviderError(PROVIDER, true, 'language model timed out', {
      code: 'LLM_TIMEOUT',
      cause: err,
    });
  }
  if (d.cancelled || err instanceof APIUserAbortError) {
    return new ProviderError(PROVIDER, false, 'language model request aborted', {
      code: 'PROVIDER_ABORTED',
      cause: err,
    });
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    if (status === 401 || status === 403) {
      return new ProviderError(PROVIDER, false, `language model refused credentials (${status})`, {
        code: 'LLM_AUTH',
        cause: err,
      });
    }
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    return new ProviderError(PROVIDER, retryable, `language model failed (${status})`, {
      cause: err,
    });
  }
  return new ProviderError(PROVIDER, true, 'language model connection failed', { cause: err });
}
