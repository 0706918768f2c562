import type { DebugEmitted, DialogContext, InternalEvent } from './context.js';
import type { DialogCommand } from './types.js';

/**
 * The result of one engine step, applied by the machine in this order: context changes, then
 * commands emitted (in order), then internal events raised (handled before the next external
 * event). Engine functions return Effects instead of touching XState, so they stay pure.
 */
export interface Effect {
  assign?: Partial<DialogContext>;
  commands?: DialogCommand[];
  raise?: InternalEvent[];
  /** Diagnostics for the runner's debug log (emitted before the commands). */
  debug?: Omit<DebugEmitted, 'type'>[];
}
