/**
 * Order understanding: rules-based parsing of caller utterances against a tenant catalog, and
 * the speech expectations (keyterms, grammar) the catalog produces. Pure; build the index and
 * grammar once per CatalogView.version.
 */
export type * from './catalog-view.js';
export type * from './types.js';
export { buildOrderIndex, type OrderIndex } from './order-index.js';
export { parseOrderUtterance } from './parse-order.js';
export { suggestAlternatives } from './suggest.js';
export { orderGrammar, orderPhrases, spokenWords, MAX_ORDER_PHRASES } from './order-grammar.js';
export {
  OrderLlmTool,
  OrderLlmArgs,
  resolveLlmItems,
  type OrderLlmArgsInput,
  type LlmResolution,
} from './llm-tool.js';
