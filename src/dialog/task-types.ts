import type { Logger } from '../logger.js';
import type { SpeechGrammar } from '../speech-grammar.js';
import type { TaskValue } from './types.js';

/**
 * Tasks are the dialog's only way to reach the world: a flow names a task (from the declared
 * specs), the machine emits a `task` command, the call session runs the registered handler and
 * answers with `task.done {outcome, slots}`. Handlers live outside dialog/ (domain/, nlu/) and are
 * registered at the composition root; the machine itself never does I/O.
 */

/** Declared by a flow-facing module so the validator can check names and `on` outcomes. */
export interface TaskSpec {
  name: string;
  description: string;
  /** Every outcome the handler may return, besides the runner's own `error` and `unavailable`. */
  outcomes: readonly string[];
  /** Input keys (for docs and validation); values come from slots, vars or literals. */
  input?: Readonly<Record<string, string>>;
  /** Slots the handler may set (a flow receiving them must declare them). */
  slots?: Readonly<Record<string, string>>;
  /** The runner answers `error` after this long (default 3000). */
  timeoutMs?: number;
}

/** Outcomes every task may end with, whatever its spec says. */
export const RUNNER_OUTCOMES = ['error', 'unavailable'] as const;

export interface TaskContext {
  callSid: string;
  tenantId?: string;
  /** The caller's number (E.164) when known. PII: log only under `pii`. */
  caller?: string;
  logger: Logger;
}

export interface TaskResult {
  outcome: string;
  /** Merged into the current flow's slots before the outcome's transition runs. */
  slots?: Record<string, TaskValue>;
  /**
   * Sentences to speak, in order, as they become available (e.g. a streamed LLM answer). The
   * session speaks each as soon as it arrives and delivers `task.done` after the last one played.
   */
  speech?: AsyncIterable<string>;
  /**
   * Latency of stages inside the task, in ms, for the turn waterfall and /metrics, e.g.
   * `{ llm_first_token: 310 }`. May be filled while `speech` streams (read after it ends).
   */
  stages?: Record<string, number>;
}

/**
 * Runs one task. Must honour `signal` (the call ended or the runner timed out). Throwing an
 * error gives outcome `error`; never throws for an expected domain result (use an outcome).
 */
export type TaskHandler = (
  input: Readonly<Record<string, unknown>>,
  ctx: TaskContext,
  signal: AbortSignal,
) => Promise<TaskResult>;

/** Handlers by task name, assembled at the composition root. */
export type TaskHandlers = ReadonlyMap<string, TaskHandler>;

/** What a dynamic vocabulary adds to a listen: cloud keyterms / offline phrases, and a grammar. */
export interface VocabularyResult {
  phrases: string[];
  grammar?: SpeechGrammar;
}

/** Resolves a named vocabulary for one call (cache per tenant; called once per listen). */
export type VocabularyProvider = (
  ctx: TaskContext,
  signal: AbortSignal,
) => Promise<VocabularyResult>;

export type VocabularyProviders = ReadonlyMap<string, VocabularyProvider>;
