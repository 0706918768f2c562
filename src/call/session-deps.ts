import type { Logger } from '../logger.js';
import type { CallLeg } from '../telephony/types.js';
import type { SttProvider } from '../stt/types.js';
import type { TtsProvider } from '../tts/types.js';
import type { DialogRunner } from '../dialog/runner.js';
import type { TurnLog } from './turn-log.js';
import type { CallTasks } from './task-runner.js';

export interface SessionMetrics {
  replyOverheadMs(ms: number): void;
  bargeInMs(ms: number): void;
  /** Stage latencies reported by tasks (e.g. `llm_first_token`), ms. */
  stages?(stages: Record<string, number>): void;
}

export interface CallSessionDeps {
  leg: CallLeg;
  stt: SttProvider;
  tts: TtsProvider;
  dialog: DialogRunner;
  /**
   * Renders a prompt key to the words to speak (throws PROMPT_MISSING). With `variant`, the key
   * `<prompt>.<variant>` is used when the catalog has it (e.g. keypad-friendly wording).
   */
  render(prompt: string, vars: Record<string, string | number>, variant?: string): string;
  /** Audio played when synthesis fails, so the caller never hears dead air. */
  apologyAudio: readonly Buffer[];
  turns: TurnLog;
  /** Runs the dialog's tasks and resolves dynamic vocabularies for this call. */
  tasks: CallTasks;
  metrics: SessionMetrics;
  voice: { voice: string; language: string };
  logger: Logger;
}
