import { createActor, type Actor } from 'xstate';
import { AppError, errorSummary } from '../errors.js';
import type { Logger } from '../logger.js';
import { slotDefaults, type CompiledFlow, type DialogMachine } from './compiler.js';
import type { CommandEmitted, DebugEmitted, DialogContext } from './context.js';
import type { DialogCommand, DialogEvent } from './types.js';

export { loadFlows, compileFlows, getFlow } from './load-flows.js';

/**
 * One call's dialog: DialogEvents in, DialogCommands out, in order.
 *
 * Contract with the call session:
 * - register `onCommand` before `start()`; `start()` emits the first prompt synchronously.
 * - every `say` gets exactly one `bot.playbackDone` (interrupted or not), also when synthesis failed.
 * - `send` may be called from inside an `onCommand` callback; the event is processed after the
 *   current batch of commands has been delivered.
 * - once `done` (the flow emitted hangUp/transfer, or `call.hangup` arrived) events are ignored.
 * - every `task` command gets exactly one `task.done` with its id (until the call ends); while a
 *   task runs, caller input is ignored (not buffered); a `task.done` with another id is ignored.
 */
export interface DialogRunner {
  start(): void;
  send(e: DialogEvent): void;
  onCommand(cb: (c: DialogCommand) => void): void;
  /** The active flow state, e.g. "menu", or "collectDate.askDay" inside a sub-flow. */
  readonly state: string;
  readonly done: boolean;
  /** `{flowId, version}` this call is pinned to. */
  readonly pin: { flowId: string; version: number };
  /** A JSON copy of the dialog context (slots, failures, end reason), for logs and records. */
  snapshot(): DialogContext;
  stop(): void;
}

export interface RunnerOptions {
  vars: Record<string, string | number>;
  logger: Logger;
  /**
   * Task names the session can run. Optional engine features depend on it: with `nlu.choose`,
   * a transcript no choice matched is offered to the LLM before it counts as a no match.
   */
  availableTasks?: ReadonlySet<string>;
}

/** Throws BAD_REQUEST listing the required vars (of the flow and its sub-flows) that are missing. */
export function createDialogRunner(flow: CompiledFlow, opts: RunnerOptions): DialogRunner {
  const missing = flow.vars.required.filter(
    (v) => opts.vars[v] === undefined || opts.vars[v] === '',
  );
  if (missing.length > 0) {
    throw new AppError('BAD_REQUEST', 'dialog vars missing', { flow: flow.id, missing });
  }
  return new Runner(flow, opts);
}

class Runner implements DialogRunner {
  readonly pin: { flowId: string; version: number };
  private readonly actor: Actor<DialogMachine>;
  private readonly listeners: ((c: DialogCommand) => void)[] = [];
  private readonly log: Logger;
  private started = false;

  constructor(flow: CompiledFlow, opts: RunnerOptions) {
    this.pin = { flowId: flow.id, version: flow.version };
    this.log = opts.logger;
    this.actor = createActor(flow.machine, {
      input: {
        flow: { id: flow.id, version: flow.version },
        vars: { ...opts.vars },
        slotDefaults: slotDefaults(flow.definition),
        availableTasks: [...(opts.availableTasks ?? [])],
      },
    });
    this.actor.on('dialog.command', (ev) => this.dispatch((ev as CommandEmitted).command));
    this.actor.on('dialog.debug', (ev) => {
      const d = ev as DebugEmitted;
      this.log.debug(d.data, d.msg);
    });
    this.actor.subscribe({
      error: (err) => this.log.error({ err: errorSummary(err) }, 'dialog machine failed'),
    });
  }

  /** Delivers one command to every listener; a throwing listener is logged and skipped. */
  private dispatch(command: DialogCommand): void {
    const prompt =
      command.type === 'say'
        ? { prompt: command.prompt }
        : command.type === 'task'
          ? { task: command.name, id: command.id }
          : {};
    this.log.debug({ command: command.type, ...prompt }, 'dialog command');
    for (const cb of this.listeners) {
      try {
        cb(command);
      } catch (err) {
        this.log.error({ err: errorSummary(err), command: command.type }, 'command handler failed');
      }
    }
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.actor.start();
  }

  send(e: DialogEvent): void {
    if (!this.started || this.done) return;
    this.actor.send(e);
    this.log.debug({ event: e.type, state: this.state }, 'dialog event');
  }

  onCommand(cb: (c: DialogCommand) => void): void {
    this.listeners.push(cb);
  }

  get state(): string {
    return stateName(this.actor.getSnapshot().value);
  }

  get done(): boolean {
    const s = this.actor.getSnapshot();
    return s.context.ended !== null || s.status !== 'active';
  }

  snapshot(): DialogContext {
    return structuredClone(this.actor.getSnapshot().context);
  }

  stop(): void {
    this.actor.stop();
  }
}

/** The flow-level path of an XState state value: engine phases (`_…`) dropped. */
export function stateName(value: unknown): string {
  const parts: string[] = [];
  let v = value;
  while (v !== undefined) {
    if (typeof v === 'string') {
      parts.push(v);
      break;
    }
    const entry = Object.entries(v as Record<string, unknown>)[0];
    if (!entry) break;
    parts.push(entry[0]);
    v = entry[1];
  }
  return parts.filter((p) => !p.startsWith('_')).join('.');
}
