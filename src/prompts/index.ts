/** Prompt wording by key and locale; the texts live in top-level prompts/<locale>/*.json. */
export {
  PROMPT_KEY,
  createPromptCatalog,
  loadPromptCatalogs,
  promptKeys,
  type PromptCatalog,
  type PromptCatalogs,
} from './catalog.js';
export { promptPlaceholders, renderPrompt } from './render.js';
