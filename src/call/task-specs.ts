import type { TaskSpec } from '../dialog/index.js';
import { ORDER_TASK_SPECS } from '../domain/ordering/tasks.js';
import { LLM_TASK_SPECS } from '../nlu/llm/tasks.js';

/**
 * Every task a flow may name, collected from the modules that implement them. Flows are
 * validated against this list at boot (`loadFlows(dir, prompts, {taskSpecs: ALL_TASK_SPECS})`)
 * and by `npm run flows:validate`; handlers are registered separately at the composition root.
 */
export const ALL_TASK_SPECS: readonly TaskSpec[] = [...LLM_TASK_SPECS, ...ORDER_TASK_SPECS];
