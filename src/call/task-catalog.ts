import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { AppError, ProviderError } from '../errors.js';
import type { TaskHandler, VocabularyProvider } from '../dialog/task-types.js';
import type { LlmClient } from '../nlu/llm/types.js';
import { createLlmTasks, extractStructured } from '../nlu/llm/tasks.js';
import { orderInstructions } from '../nlu/llm/instructions.js';
import { OrderLlmArgs, OrderLlmTool } from '../nlu/order/index.js';
import { createOpenAiLlmClient } from '../nlu/providers/openai.js';
import type { Ordering } from '../domain/ordering/index.js';
import {
  createOrderTasks,
  createOrderVocabularies,
  type AddressLookup,
  type OrderLlmExtractor,
} from '../domain/ordering/tasks.js';
import type { ProviderHealth } from '../providers/health.js';
import type { Metrics } from '../metrics/metrics.js';
import { ALL_TASK_SPECS } from './task-specs.js';
import type { TaskCatalog } from './task-runner.js';

export interface TaskCatalogDeps {
  config: Config;
  ordering: Ordering;
  /** The caller's delivery address on file, if any (offered for delivery orders). */
  addressOf?: AddressLookup;
  health: ProviderHealth;
  metrics?: Metrics;
  /** Told about every LLM failure (metrics). */
  onLlmError?: (code: string) => void;
  logger: Logger;
}

/**
 * Every task handler and vocabulary flows may use: the ordering domain's always, the LLM's only
 * when OPENAI_API_KEY is set (without them `nlu.choose` is simply not offered to the dialog, and
 * `support.answer` answers `unavailable`).
 */
export function buildTaskCatalog(d: TaskCatalogDeps): TaskCatalog {
  const llm = d.config.openai
    ? withHealth(createOpenAiLlmClient(d.config.openai), d.health, d.onLlmError)
    : undefined;
  const handlers = new Map<string, TaskHandler>(
    createOrderTasks(d.ordering, {
      logger: d.logger,
      ...(d.addressOf ? { addressOf: d.addressOf } : {}),
      ...(llm ? { extractOrder: orderExtractor(llm) } : {}),
    }),
  );
  if (llm) {
    const llmTasks = createLlmTasks(llm, {
      businessName: d.config.dialog.businessName,
      onAnswerTiming: (t) => {
        if (t.firstTokenMs !== undefined)
          d.metrics?.observeStage('llm_first_token', t.firstTokenMs);
      },
    });
    for (const [name, h] of llmTasks) {
      const stage = name === 'support.answer' ? 'llm_first_sentence' : 'llm_tool_call';
      handlers.set(name, timed(h as TaskHandler, stage));
    }
  }
  const vocabularies: Map<string, VocabularyProvider> = createOrderVocabularies(d.ordering);
  return { handlers, specs: new Map(ALL_TASK_SPECS.map((s) => [s.name, s])), vocabularies };
}

/**
 * An LLM behind the provider health breaker: while it is down, calls fail at once (the flow
 * re-prompts) instead of every turn of every call waiting for a timeout.
 */
function withHealth(
  inner: LlmClient,
  health: ProviderHealth,
  onError?: (code: string) => void,
): LlmClient {
  const id = inner.id;
  health.track(id);
  const refuse = () =>
    new ProviderError(id, true, `${id} is cooling down after failures`, {
      code: 'PROVIDER_UNAVAILABLE',
    });
  const report = (err: unknown) => {
    health.failure(id, err);
    if (err instanceof AppError) onError?.(err.code);
  };
  return {
    id,
    async extract(req) {
      if (!health.tryAcquire(id)) throw refuse();
      try {
        const r = await inner.extract(req);
        health.success(id);
        return r;
      } catch (err) {
        report(err);
        throw err;
      }
    },
    answer(req) {
      return {
        async *[Symbol.asyncIterator]() {
          if (!health.tryAcquire(id)) throw refuse();
          try {
            yield* inner.answer(req);
            health.success(id);
          } catch (err) {
            report(err);
            throw err;
          }
        },
      };
    },
  };
}

/** The LLM step of `order.take`: the `order_items` tool, its output schema-checked. */
function orderExtractor(llm: LlmClient): OrderLlmExtractor {
  const tool = {
    name: OrderLlmTool.name,
    description: OrderLlmTool.description,
    schema: OrderLlmArgs,
    parameters: OrderLlmTool.parameters as unknown as Record<string, unknown>,
    strict: true,
  };
  return (utterance, menuNames, signal) =>
    extractStructured(llm, { instructions: orderInstructions(menuNames), utterance, tool }, signal);
}

/** Reports how long the handler took to resolve as `stage` of the turn. */
function timed(h: TaskHandler, stage: string): TaskHandler {
  return async (input, ctx, signal) => {
    const t0 = performance.now();
    const r = await h(input, ctx, signal);
    return { ...r, stages: { ...r.stages, [stage]: Math.round(performance.now() - t0) } };
  };
}
