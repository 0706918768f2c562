import type { SttEvent } from '../stt/types.js';
import type { CallSessionDeps } from './session-deps.js';

type Transcript = Extract<SttEvent, { type: 'transcript' }>;
type Recorder = Pick<CallSessionDeps, 'turns' | 'metrics' | 'logger'>;

/** Records a caller's final transcript: the turn, its `stt_final` latency, a PII-safe log line. */
export function noteTranscript(d: Recorder, e: Transcript): void {
  const { text, confidence, speechEndMs, finalAtMs } = e;
  d.turns.caller({ text, confidence, speechEndMs, finalAtMs });
  d.metrics.stages?.({ stt_final: Math.max(0, finalAtMs - speechEndMs) });
  d.logger.info({ pii: { text }, confidence }, 'caller said');
}

/** Records one key press as a caller turn. */
export function noteDigit(d: Recorder, digit: string): void {
  d.turns.caller({ digits: digit, confidence: 1 });
  d.logger.info({ pii: { digit } }, 'caller pressed');
}

/** The no-input timer of the current listen: at most one armed; `clear` is idempotent. */
export class NoInputTimer {
  private timer: NodeJS.Timeout | undefined;

  arm(ms: number, fire: () => void): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      fire();
    }, ms);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
