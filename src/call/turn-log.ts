import { nowMs } from '../clock.js';
import type { CallRecord, CallTurn } from './call-record.js';

/**
 * Appends turns to a live CallRecord and fills each turn's latency waterfall. The record object
 * is shared with the store (write-behind), so mutations here are all that recording costs the
 * media path.
 */
export class TurnLog {
  private readonly botTurns = new Map<string, CallTurn>();
  private lastInput: CallTurn | undefined;
  private lastCaller: CallTurn | undefined;

  /** `changed` is told after every mutation (the store persists behind the audio path). */
  constructor(
    readonly record: CallRecord,
    private readonly changed: (r: CallRecord) => void = () => {},
  ) {}

  caller(input: {
    text?: string;
    digits?: string;
    confidence?: number;
    speechEndMs?: number;
    /** When the recognizer delivered the final (default: now). */
    finalAtMs?: number;
    noInput?: boolean;
  }): void {
    const at = input.finalAtMs ?? nowMs();
    const turn: CallTurn = {
      role: 'caller',
      atMs: at,
      ...(input.text !== undefined ? { text: input.text } : {}),
      ...(input.digits !== undefined ? { digits: input.digits } : {}),
      ...(input.confidence !== undefined ? { confidence: input.confidence } : {}),
      ...(input.noInput ? { noInput: true } : {}),
      timings: { speechEndMs: input.speechEndMs ?? at, sttFinalMs: at },
    };
    if (input.speechEndMs !== undefined && input.text !== undefined) {
      turn.stages = { stt_final: Math.max(0, at - input.speechEndMs) };
    }
    this.record.turns.push(turn);
    this.lastInput = turn;
    this.lastCaller = turn;
    this.changed(this.record);
  }

  /** Stage durations (ms) of work caused by the latest caller input (e.g. an LLM call). */
  stages(stages: Record<string, number>): void {
    const t = this.lastCaller;
    if (!t) return;
    t.stages = { ...t.stages, ...stages };
    this.changed(this.record);
  }

  /** The dialog decided to say `prompt` (as utterance `id`). */
  bot(id: string, prompt: string, text: string): void {
    const turn: CallTurn = {
      role: 'bot',
      prompt,
      text,
      atMs: nowMs(),
      timings: { decidedMs: nowMs() },
    };
    this.record.turns.push(turn);
    this.botTurns.set(id, turn);
    this.changed(this.record);
  }

  /**
   * First audio of utterance `id` was written. Returns the server overhead of a reply to caller
   * input: input arrival → first frame written, minus synthesis time (decision → first audio);
   * undefined when this utterance was not the first reply to an input.
   */
  started(id: string, firstAudioAtMs: number | undefined): number | undefined {
    const t = this.botTurns.get(id);
    if (!t) return undefined;
    const sent = nowMs();
    t.timings.ttsFirstAudioMs = firstAudioAtMs;
    t.timings.firstFrameSentMs = sent;
    const input = this.lastInput;
    this.lastInput = undefined;
    const inputMs = input?.timings.sttFinalMs;
    const decided = t.timings.decidedMs;
    if (inputMs === undefined || decided === undefined || firstAudioAtMs === undefined) return;
    if (decided < inputMs) return undefined;
    return sent - inputMs - (firstAudioAtMs - decided);
  }

  done(id: string, interrupted: boolean): void {
    const t = this.botTurns.get(id);
    if (!t) return;
    t.timings.playbackDoneMs = nowMs();
    if (interrupted) {
      t.interrupted = true;
      this.record.counters.bargeIns++;
    }
    this.botTurns.delete(id);
    this.changed(this.record);
  }
}
