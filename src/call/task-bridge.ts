import type { DialogCommand, DialogEvent } from '../dialog/types.js';
import type { CallTasks } from './task-runner.js';

type TaskCommand = Extract<DialogCommand, { type: 'task' }>;

/** What to speak: a prompt key with vars, or text a task produced. */
export type Utterance =
  { prompt: string; vars?: Record<string, string | number> } | { text: string };

/** The parts of the call the bridge uses. */
export interface TaskBridgeCall {
  tasks: CallTasks;
  dialog: { send(e: DialogEvent): void };
  turns: { stages(stages: Record<string, number>): void };
  metrics: { stages?(stages: Record<string, number>): void };
}

export interface TaskBridgeHooks {
  /** Speak an utterance the dialog did not ask for (task speech, fillers); interruptible. */
  speak(id: string, what: Utterance): void;
  speaking(): boolean;
  ended(): boolean;
}

const FILLER_PROMPT = 'system.one-moment';

/**
 * Carries the dialog's `task` commands to the call's task runner and answers with `task.done`.
 * Utterances it starts (streamed answer sentences, the "one moment" filler) are its own: the
 * session reports their end through `played`, and the dialog never hears of them.
 */
export class TaskBridge {
  private readonly waiters = new Map<string, (interrupted: boolean) => void>();
  private running = 0;

  constructor(
    private readonly call: TaskBridgeCall,
    private readonly d: TaskBridgeHooks,
  ) {}

  /** A task is in flight (the session holds its no-input timer meanwhile). */
  get busy(): boolean {
    return this.running > 0;
  }

  run(c: TaskCommand): void {
    this.running++;
    void this.call.tasks
      .run(c.name, c.input, {
        speak: (sentence, n) => this.speakAndWait(`${c.id}:s${n}`, sentence),
        slow: () => {
          if (!this.d.speaking() && !this.d.ended()) {
            this.d.speak(`${c.id}:filler`, { prompt: FILLER_PROMPT });
          }
        },
        stages: (s) => {
          this.call.turns.stages(s);
          this.call.metrics.stages?.(s);
        },
      })
      .then((r) => {
        this.running--;
        if (!this.d.ended()) this.call.dialog.send({ type: 'task.done', id: c.id, ...r });
      });
  }

  /** True when utterance `id` was the bridge's (its waiter, if any, is released). */
  played(id: string, interrupted: boolean): boolean {
    const w = this.waiters.get(id);
    if (w) {
      this.waiters.delete(id);
      w(interrupted);
      return true;
    }
    return id.endsWith(':filler');
  }

  /** The call ended: release every waiting task. */
  close(): void {
    for (const w of this.waiters.values()) w(true);
    this.waiters.clear();
  }

  /** Resolves `true` when the sentence was cut off (the caller barged in): speak no more. */
  private speakAndWait(id: string, text: string): Promise<boolean> {
    if (this.d.ended()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      this.waiters.set(id, resolve);
      this.d.speak(id, { text });
    });
  }
}
