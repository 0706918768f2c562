import { errorSummary, isAbortError } from '../errors.js';
import type { Logger } from '../logger.js';
import type {
  TaskContext,
  TaskHandlers,
  TaskSpec,
  VocabularyProviders,
  VocabularyResult,
} from '../dialog/task-types.js';
import type { TaskValue } from '../dialog/types.js';

/** Handlers, specs and vocabularies of the whole service (assembled at the composition root). */
export interface TaskCatalog {
  handlers: TaskHandlers;
  specs: ReadonlyMap<string, TaskSpec>;
  vocabularies: VocabularyProviders;
}

export const EMPTY_TASKS: TaskCatalog = {
  handlers: new Map(),
  specs: new Map(),
  vocabularies: new Map(),
};

const DEFAULT_TIMEOUT_MS = 3000;
/** A task still running after this long, in silence, gets a filler ("one moment"). */
export const FILLER_AFTER_MS = 900;

export interface TaskOutcome {
  outcome: string;
  slots?: Record<string, TaskValue>;
}

export interface TaskRunHooks {
  /** Speak one sentence of a streamed answer; resolves when it ended, `true` if cut off. */
  speak(sentence: string, n: number): Promise<boolean>;
  /** The task is slow and nothing is playing: the session may say a filler. */
  slow(): void;
  /** Stage latencies reported by the task (ms). */
  stages(stages: Record<string, number>): void;
}

/**
 * Runs the dialog's `task` commands for one call: the registered handler with a timeout, the
 * call's abort signal, and streamed speech spoken sentence by sentence before the outcome is
 * delivered. Never rejects: an unknown task is `unavailable`, a failure or timeout is `error`.
 */
export class CallTasks {
  private readonly vocabCache = new Map<string, Promise<VocabularyResult | undefined>>();

  constructor(
    private readonly catalog: TaskCatalog,
    private readonly ctx: TaskContext,
    private readonly signal: AbortSignal,
    private readonly logger: Logger,
  ) {}

  has(name: string): boolean {
    return this.catalog.handlers.has(name);
  }

  get available(): ReadonlySet<string> {
    return new Set(this.catalog.handlers.keys());
  }

  async run(
    name: string,
    input: Record<string, unknown>,
    hooks: TaskRunHooks,
  ): Promise<TaskOutcome> {
    const handler = this.catalog.handlers.get(name);
    if (!handler) return { outcome: 'unavailable' };
    const timeoutMs = this.catalog.specs.get(name)?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const ctrl = new AbortController();
    const onAbort = () => ctrl.abort(this.signal.reason);
    this.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => ctrl.abort(new Error('task timeout')), timeoutMs);
    const filler = setTimeout(() => hooks.slow(), FILLER_AFTER_MS);
    try {
      const result = await raceAbort(handler(input, this.ctx, ctrl.signal), ctrl.signal);
      clearTimeout(filler);
      clearTimeout(timer); // streamed speech is bounded by the handler's own timeouts
      let n = 0;
      if (result.speech) {
        for await (const sentence of result.speech) {
          if (this.signal.aborted) break;
          if (sentence.trim() && (await hooks.speak(sentence.trim(), n++))) break;
        }
      }
      if (result.stages) hooks.stages(result.stages);
      return { outcome: result.outcome, ...(result.slots ? { slots: result.slots } : {}) };
    } catch (err) {
      const timedOut = ctrl.signal.aborted && !this.signal.aborted;
      if (!isAbortError(err) || timedOut) {
        this.logger.warn({ err: errorSummary(err), task: name, timedOut }, 'task failed');
      }
      return { outcome: 'error' };
    } finally {
      clearTimeout(timer);
      clearTimeout(filler);
      this.signal.removeEventListener('abort', onAbort);
    }
  }

  /** A named dynamic vocabulary for this call (resolved once per call); undefined on failure. */
  vocabulary(name: string): Promise<VocabularyResult | undefined> {
    let hit = this.vocabCache.get(name);
    if (!hit) {
      const provider = this.catalog.vocabularies.get(name);
      hit = provider
        ? provider(this.ctx, this.signal).catch((err: unknown) => {
            this.logger.warn({ err: errorSummary(err), vocabulary: name }, 'vocabulary failed');
            return undefined;
          })
        : Promise.resolve(undefined);
      this.vocabCache.set(name, hit);
    }
    return hit;
  }
}

/** Rejects as soon as `signal` aborts, even if `p` ignores it. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function abortError(signal: AbortSignal): Error {
  const e = new Error('aborted', { cause: signal.reason });
  e.name = 'AbortError';
  return e;
}
