/** What the current dialog state is waiting for. Produced by the flow, consumed by NLU and STT. */
export interface ExpectChoice {
  /** Stable id the flow branches on, e.g. "order". */
  id: string;
  /** Spoken forms; also the offline grammar and the cloud keyterms. */
  phrases: string[];
  /** Keypad alternative, e.g. "1". */
  dtmf?: string;
}

export interface ExpectSpec {
  choices: ExpectChoice[];
  /** Free digit entry (e.g. a PIN); absent when only choices are accepted. */
  digits?: { min: number; max: number; terminator?: string };
  /** Silence after the prompt ends before `user.noInput`. */
  noInputMs: number;
  /** Endpointing policy hint for the recognizer. */
  endpointing: 'short' | 'normal' | 'long';
  /**
   * A dynamic vocabulary (registered by name, e.g. `menu` from the tenant's catalog) whose
   * phrases and grammar the session adds to the recognizer's expectations.
   */
  vocabulary?: string;
  /** Task that interprets a transcript no choice matched (e.g. `order.take`). */
  interpret?: string;
}

export type DialogEvent =
  | { type: 'user.transcript'; text: string; confidence: number }
  | { type: 'user.dtmf'; digit: string }
  | { type: 'user.speechStarted' }
  | { type: 'user.noInput' }
  | { type: 'bot.playbackDone'; id: string; interrupted: boolean }
  | { type: 'bot.error'; code: string }
  /** The answer to a `task` command (exactly one per task id, unless the call ended). */
  | { type: 'task.done'; id: string; outcome: string; slots?: Record<string, TaskValue> }
  | { type: 'call.hangup' };

/** JSON values a task receives and returns (slots are a subset of these). */
export type TaskValue = string | number | boolean | string[];

export type DialogCommand =
  | {
      type: 'say';
      id: string;
      prompt: string;
      vars: Record<string, string | number>;
      bargeIn: boolean;
    }
  | { type: 'listen'; expect: ExpectSpec }
  | { type: 'stopSpeaking' }
  /**
   * Run a named task (src/dialog/task-types.ts) outside the machine: a domain operation (add to
   * cart, place an order) or an understanding step (LLM). The session answers with `task.done`.
   */
  | { type: 'task'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'transfer'; to: string }
  | { type: 'hangUp'; reason: string };
