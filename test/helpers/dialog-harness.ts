import {
  compileFlows,
  createDialogRunner,
  type CompiledFlow,
  type DialogCommand,
  type DialogEvent,
  type DialogRunner,
  type TaskSpec,
  type TaskValue,
} from '../../src/dialog/index.js';
import { testCatalogs } from './flow-fixtures.js';
import { silentLogger } from '../../src/logger.js';

/** A command as a short string: "say:main-menu.ask", "listen", "stopSpeaking", "hangUp:route:support". */
export function brief(c: DialogCommand): string {
  switch (c.type) {
    case 'say':
      return `say:${c.prompt}`;
    case 'listen':
      return 'listen';
    case 'stopSpeaking':
      return 'stopSpeaking';
    case 'transfer':
      return `transfer:${c.to}`;
    case 'hangUp':
      return `hangUp:${c.reason}`;
    case 'task':
      return `task:${c.name}`;
  }
}

export type TaskCommand = Extract<DialogCommand, { type: 'task' }>;

/** A task's answer as the session would deliver it in `task.done`. */
export interface TaskAnswer {
  outcome: string;
  slots?: Record<string, TaskValue>;
}

/** Answers a task command synchronously (as if its handler were instant). */
export type TaskResponder = (input: Readonly<Record<string, unknown>>) => TaskAnswer;

export interface HarnessOptions {
  /** Task names the session offers (RunnerOptions.availableTasks); default: those in `tasks`. */
  availableTasks?: Iterable<string>;
  /** Auto-answered tasks by name; other tasks wait for `answer()`. */
  tasks?: Record<string, TaskResponder>;
}

/**
 * Drives a real DialogRunner the way the call session does: records commands, tracks which says
 * are still playing, and acknowledges them with `bot.playbackDone`. Tasks are answered by the
 * `tasks` responders at once, or by the test with `answer()`.
 */
export class DialogHarness {
  readonly runner: DialogRunner;
  readonly all: DialogCommand[] = [];
  private fresh: DialogCommand[] = [];
  private playing: string[] = [];
  private readonly responders: Record<string, TaskResponder>;

  constructor(
    flow: CompiledFlow,
    vars: Record<string, string | number> = {},
    opts: HarnessOptions = {},
  ) {
    this.responders = { ...opts.tasks };
    const availableTasks = new Set(opts.availableTasks ?? Object.keys(this.responders));
    this.runner = createDialogRunner(flow, { vars, logger: silentLogger(), availableTasks });
    this.runner.onCommand((c) => {
      this.all.push(c);
      this.fresh.push(c);
      if (c.type === 'say') this.playing.push(c.id);
      const respond = c.type === 'task' ? this.responders[c.name] : undefined;
      if (c.type === 'task' && respond)
        this.runner.send({ type: 'task.done', id: c.id, ...respond(c.input) });
    });
  }

  /** The last task command (answered or not). */
  lastTask(): TaskCommand | undefined {
    return this.all.filter((c) => c.type === 'task').at(-1) as TaskCommand | undefined;
  }

  /** Answers the last task (or the task with `id`) with `task.done`. */
  answer(outcome: string, slots?: Record<string, TaskValue>, id?: string): string[] {
    const taskId = id ?? this.lastTask()?.id;
    if (taskId === undefined) throw new Error('no task to answer');
    return this.send({ type: 'task.done', id: taskId, outcome, ...(slots ? { slots } : {}) });
  }

  start(): string[] {
    this.runner.start();
    return this.take();
  }

  /** Commands since the previous take(), briefly. */
  take(): string[] {
    const out = this.fresh.map(brief);
    this.fresh = [];
    return out;
  }

  /** The last listen command's expectation. */
  lastListen(): Extract<DialogCommand, { type: 'listen' }> | undefined {
    return this.all.filter((c) => c.type === 'listen').at(-1) as
      Extract<DialogCommand, { type: 'listen' }> | undefined;
  }

  lastSay(): Extract<DialogCommand, { type: 'say' }> | undefined {
    return this.all.filter((c) => c.type === 'say').at(-1) as
      Extract<DialogCommand, { type: 'say' }> | undefined;
  }

  send(e: DialogEvent): string[] {
    this.runner.send(e);
    return this.take();
  }

  /** Every say still playing finishes (or is cut off), oldest first. */
  finishPlayback(interrupted = false): string[] {
    const ids = this.playing;
    this.playing = [];
    for (const id of ids) this.runner.send({ type: 'bot.playbackDone', id, interrupted });
    return this.take();
  }

  /** Playback finished, then the caller spoke. */
  say(text: string, confidence = 0.95): string[] {
    this.finishPlayback();
    return this.send({ type: 'user.transcript', text, confidence });
  }

  press(digit: string): string[] {
    this.finishPlayback();
    return this.send({ type: 'user.dtmf', digit });
  }

  /** Playback finished, then the no-input timer fired. */
  silence(): string[] {
    this.finishPlayback();
    return this.send({ type: 'user.noInput' });
  }
}

/** Tasks the task fixtures below name (shapes as in src/nlu/llm and src/domain/ordering). */
export const TEST_TASK_SPECS: TaskSpec[] = [
  {
    name: 'order.place',
    description: 'fixture: places the cart',
    outcomes: ['placed', 'rejected'],
    input: { cart: 'items', note: 'free text' },
    slots: { orderId: 'order id', total: 'total' },
  },
  {
    name: 'order.take',
    description: 'fixture: understands an order utterance',
    outcomes: ['added', 'question', 'done', 'noMatch'],
    input: { cart: 'items so far' },
    slots: { cart: 'items' },
  },
  {
    name: 'nlu.choose',
    description: 'fixture: LLM choice fallback',
    outcomes: ['match', 'noMatch'],
    slots: { llmChoice: 'id', llmConfidence: '0..1' },
  },
];

/** Prompts of the task fixtures, on top of the flow-fixtures' TEST_PROMPTS. */
export const TASK_PROMPTS: Record<string, string> = {
  't.wait': 'One moment.',
  't.placed': 'Order {orderId} placed.',
  't.sorry-error': 'Sorry, something went wrong.',
};

/** Validates (against TEST_TASK_SPECS unless given) and compiles; returns the first flow. */
export function compileWithTasks(
  flows: Record<string, unknown>[],
  taskSpecs: readonly TaskSpec[] = TEST_TASK_SPECS,
): CompiledFlow {
  const compiled = compileFlows(
    flows.map((json, i) => ({ source: `f${i}`, json })),
    testCatalogs(TASK_PROMPTS),
    { taskSpecs },
  );
  const flow = compiled.get(String(flows[0]?.id));
  if (!flow) throw new Error('fixture flow did not compile');
  return flow;
}
