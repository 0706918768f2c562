/** The dialog engine: flow JSON → XState machine; one runner per call (events in, commands out). */
export type { DialogCommand, DialogEvent, ExpectChoice, ExpectSpec, TaskValue } from './types.js';
export { createDialogRunner, stateName, type DialogRunner, type RunnerOptions } from './runner.js';
export {
  loadFlows,
  compileFlows,
  getFlow,
  readFlowSources,
  FLOW_FILE_SUFFIX,
} from './load-flows.js';
export { compileFlow, type CompiledFlow } from './compiler.js';
export {
  validateFlows,
  validateFlow,
  parseFlow,
  type FlowSource,
  type ValidateOptions,
} from './validator.js';
export {
  RUNNER_OUTCOMES,
  type TaskSpec,
  type TaskHandler,
  type TaskHandlers,
  type TaskResult,
  type TaskContext,
} from './task-types.js';
export { formatProblem, type Problem, type ProblemCode } from './problems.js';
export { FlowSchema, type FlowDefinition } from './flow-schema.js';
export { describeVocabulary } from './vocabulary.js';
