/**
 * Validation findings. Each has a JSON path into the flow file ("states.menu.on.order") and a
 * stable code; tests assert path and code, never the message.
 */
export type ProblemCode =
  | 'json'
  | 'schema'
  | 'duplicate-flow'
  | 'unknown-state'
  | 'unknown-guard'
  | 'unknown-action'
  | 'bad-params'
  | 'unknown-slot'
  | 'unknown-var'
  | 'slot-type'
  | 'reserved-id'
  | 'duplicate-choice'
  | 'duplicate-dtmf'
  | 'unknown-choice'
  | 'choice-unhandled'
  | 'escalation-missing'
  | 'confirm-prompt-missing'
  | 'no-fallback'
  | 'locale-missing'
  | 'prompt-missing'
  | 'prompt-var'
  | 'prompt-optional-var'
  | 'unknown-flow'
  | 'invoke-cycle'
  | 'outcome-unhandled'
  | 'unknown-outcome'
  | 'unknown-task'
  | 'unknown-task-input'
  | 'unreachable'
  | 'dead-end'
  | 'no-exit';

export interface Problem {
  /** Where: the flow file (set by multi-flow validation), then the JSON path inside it. */
  source?: string;
  path: string;
  code: ProblemCode;
  message: string;
}

/** "main-menu.flow.json: states.menu.on.order: unknown state routeX [unknown-state]" */
export function formatProblem(p: Problem): string {
  const at = p.path === '' ? '(root)' : p.path;
  return `${p.source ? `${p.source}: ` : ''}${at}: ${p.message} [${p.code}]`;
}

/** A zod issue path as a JSON path: `states.menu.listen.choices[0].id`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`))
    .join('');
}
