import type { Logger } from '../../logger.js';
import type { CatalogView } from '../../nlu/order/catalog-view.js';
import { orderGrammar, orderPhrases, spokenWords } from '../../nlu/order/index.js';
import type {
  TaskHandler,
  TaskSpec,
  VocabularyProvider,
  VocabularyResult,
} from '../../dialog/task-types.js';
import type { Ordering } from './index.js';
import { ORDER_TASK_SPECS } from './tasks-specs.js';
import {
  clearTask,
  deliveryTask,
  placeTask,
  quoteTask,
  startTask,
  type AddressLookup,
} from './tasks-checkout.js';
import { createTaskEnv, tenantOf, type OrderLlmExtractor } from './tasks-env.js';
import { cancelTask, lookupTask } from './tasks-status.js';
import { addPendingTask, sizeTask, takeTask } from './tasks-take.js';

/**
 * The phone-ordering tasks the ordering and order-status flows name (flows/ordering.flow.json,
 * flows/order-status.flow.json), and the `menu` vocabulary their listens use. Registered at the
 * composition root: `createOrderTasks(persistence.ordering, {logger, addressOf})`.
 */

export { ORDER_TASK_SPECS };
export type { AddressLookup, OrderLlmExtractor };

/** Name of the dynamic vocabulary built from the tenant's catalog (`listen.vocabulary`). */
export const MENU_VOCABULARY = 'menu';
/** Name of the vocabulary of the catalog's size words, for "what size?" (`listen.vocabulary`). */
export const SIZE_VOCABULARY = 'menuSizes';

export interface OrderTaskOptions {
  logger: Logger;
  /** The caller's delivery address on file; without it delivery is offered only as a transfer. */
  addressOf?: AddressLookup;
  /** LLM fallback of `order.take` for words the rules could not parse (OPENAI_API_KEY set). */
  extractOrder?: OrderLlmExtractor;
}

/** Handlers by task name; every name in ORDER_TASK_SPECS has one. */
export function createOrderTasks(
  ordering: Ordering,
  o: OrderTaskOptions,
): Map<string, TaskHandler> {
  const env = createTaskEnv(ordering, o.logger.child({ component: 'order-tasks' }), o.extractOrder);
  const handlers: [string, TaskHandler][] = [
    ['order.start', startTask(env)],
    ['order.take', takeTask(env)],
    ['order.addPending', addPendingTask(env)],
    ['order.size', sizeTask(env)],
    ['order.clear', clearTask(env)],
    ['order.quote', quoteTask(env)],
    ['order.delivery', deliveryTask(env, o.addressOf)],
    ['order.place', placeTask(env)],
    ['orderStatus.lookup', lookupTask(env)],
    ['orderStatus.cancel', cancelTask(env)],
  ];
  return new Map(handlers);
}

/** Specs by name, for the validator and the task runner. */
export function orderTaskSpecs(): Map<string, TaskSpec> {
  return new Map(ORDER_TASK_SPECS.map((s) => [s.name, s]));
}

/** Every vocabulary the ordering flows name, by name. */
export function createOrderVocabularies(ordering: Ordering): Map<string, VocabularyProvider> {
  return new Map([
    [MENU_VOCABULARY, createMenuVocabulary(ordering)],
    [SIZE_VOCABULARY, createSizeVocabulary(ordering)],
  ]);
}

/**
 * The `menuSizes` vocabulary: every size name and alias of the catalog ("large", "family size"),
 * optionally after "a" / "the" / "make it" and before "one" / "please". A one-word answer is
 * recognised far better against these few phrases than against the whole menu.
 */
export function createSizeVocabulary(ordering: Ordering): VocabularyProvider {
  const built = new WeakMap<CatalogView, VocabularyResult>();
  return async (ctx) => {
    const view = await ordering.catalog.view(tenantOf(ctx));
    if (!view) return { phrases: [] };
    let v = built.get(view);
    if (!v) {
      const phrases = [
        ...new Set(
          view.items
            .flatMap((i) =>
              i.variants.length > 1 ? i.variants.flatMap((x) => [x.name, ...x.aliases]) : [],
            )
            .map(spokenWords),
        ),
      ].filter((p) => /^[a-z' -]+$/.test(p));
      const grammar = {
        root: 'sizeAnswer',
        rules: {
          size: phrases.map((p) => `( ${p} )`).join(' | ') || 'large',
          fillerLead: 'a | the | make it',
          fillerTail: 'one | please',
          sizeAnswer: '[ <fillerLead> ] <size> [ <fillerTail> ]',
        },
      };
      built.set(view, (v = { phrases, grammar }));
    }
    return v;
  };
}

/**
 * The `menu` vocabulary: the tenant's item, size and modifier phrases for cloud recognizers and
 * an order grammar for the offline one. Built once per catalog view (views are cached by the
 * catalog service and replaced when the catalog changes).
 */
export function createMenuVocabulary(ordering: Ordering): VocabularyProvider {
  const built = new WeakMap<CatalogView, VocabularyResult>();
  return async (ctx) => {
    const view = await ordering.catalog.view(tenantOf(ctx));
    if (!view) return { phrases: [] };
    let v = built.get(view);
    if (!v) built.set(view, (v = { phrases: orderPhrases(view), grammar: orderGrammar(view) }));
    return v;
  };
}
