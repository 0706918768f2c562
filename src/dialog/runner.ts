import { createActor, type Actor } from 'xstate';
import { AppError, errorSummary } from '../errors.js';
import type { Logger } from '../logger.js';
import { slotDefaults, type CompiledFlow, type DialogMachine } from './compiler.js';
import type { CommandEmitted, DialogContext } from './context.js';
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
}

/** Throws BAD_REQUEST listing the required vars (of the flow and its sub-flows) that are missing. */
export function createDialogRunner(flow: CompiledFlow, opts: RunnerOptions): DialogRunner {
  const missing = flow.vars.required.filter(
    (v) => opts.vars[v] === undefined || opts.vars[v] === '',
  );
  if (missing.length > 0) {
    throw new AppError('BAD_REQUEST', 'dialog vars missing', { flow: flow.id, missing });
  }
  const actor: Actor<DialogMachine> = createActor(flow.machine, {
    input: {
      flow: { id: flow.id, version: flow.version },
      vars: { ...opts.vars },
      slotDefaults: slotDefaults(flow.definition),
    },
  });
  const listeners: ((c: DialogCommand) => void)[] = [];
  const log = opts.logger;
  actor.on('dialog.command', (ev) => {
    const { command } = ev as CommandEmitted;
    log.debug(
      { command: command.type, ...(command.type === 'say' ? { prompt: command.prompt } : {}) },
      'dialog command',
    );
    for (const cb of listeners) {
      try {
        cb(command);
      } catch (err) {
        log.error(
          { err: errorSummary(err), command: command.type },
          'dialog command handler failed',
        );
      }
    }
  });
  actor.subscribe({
    error: (err) => log.error({ err: errorSummary(err) }, 'dialog machine failed'),
  });
  let started = false;
  return {
    start() {
      if (started) return;
      started = true;
      actor.start();
    },
    send(e) {
      if (!started || actor.getSnapshot().context.ended || actor.getSnapshot().status !== 'active')
        return;
      actor.send(e);
      log.debug({ event: e.type, state: stateName(actor.getSnapshot().value) }, 'dialog event');
    },
    onCommand(cb) {
      listeners.push(cb);
    },
    get state() {
      return stateName(actor.getSnapshot().value);
    },
    get done() {
      const s = actor.getSnapshot();
      return s.context.ended !== null || s.status !== 'active';
    },
    pin: { flowId: flow.id, version: flow.version },
    snapshot: () => structuredClone(actor.getSnapshot().context),
    stop() {
      actor.stop();
    },
  };
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
