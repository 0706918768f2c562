import type { SttEvent } from '../types.js';

/** Listen v1 server messages, reduced to what turn assembly needs. Times in audio seconds. */
export type ListenMessage =
  | {
      type: 'Results';
      isFinal: boolean;
      speechFinal: boolean;
      fromFinalize: boolean;
      transcript: string;
      confidence: number;
      /** End of the last word (or of the result when it has no words). */
      endSec: number;
    }
  | { type: 'SpeechStarted'; timestampSec: number }
  | { type: 'UtteranceEnd'; lastWordEndSec: number }
  | { type: 'Metadata' };

const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** Parses one JSON message as the SDK hands it over; unknown shapes give undefined. */
export function parseListenMessage(raw: unknown): ListenMessage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'Results': {
      const channel = m.channel as { alternatives?: unknown[] } | undefined;
      const alt = (channel?.alternatives?.[0] ?? {}) as Record<string, unknown>;
      const words = Array.isArray(alt.words) ? (alt.words as Array<{ end?: unknown }>) : [];
      const resultEnd = num(m.start) + num(m.duration);
      return {
        type: 'Results',
        isFinal: m.is_final === true,
        speechFinal: m.speech_final === true,
        fromFinalize: m.from_finalize === true,
        transcript: typeof alt.transcript === 'string' ? alt.transcript.trim() : '',
        confidence: num(alt.confidence),
        endSec: words.length ? num(words[words.length - 1]?.end, resultEnd) : resultEnd,
      };
    }
    case 'SpeechStarted':
      return { type: 'SpeechStarted', timestampSec: num(m.timestamp) };
    case 'UtteranceEnd':
      return { type: 'UtteranceEnd', lastWordEndSec: num(m.last_word_end) };
    case 'Metadata':
      return { type: 'Metadata' };
    default:
      return undefined;
  }
}

type Transcript = Extract<SttEvent, { type: 'transcript' }>;
type Partial = Extract<SttEvent, { type: 'partial' }>;

/**
 * Builds caller turns from Results/UtteranceEnd: `is_final` segments accumulate; the turn ends
 * at the first of `speech_final`, `UtteranceEnd` or a `from_finalize` result, and yields exactly
 * one transcript (a later end marker with nothing new accumulated yields nothing). A turn with
 * no words yields nothing, except that each requested finalize() yields one transcript: the
 * next one emitted for any reason, or an empty one (confidence 0) when nothing was said.
 */
export class TurnAssembler {
  private parts: Array<{ text: string; confidence: number; endWallMs: number }> = [];
  /** finalize() calls not yet answered by a transcript. */
  private finalizesPending = 0;

  /** Words are accumulated and not yet emitted. */
  get inProgress(): boolean {
    return this.parts.length > 0;
  }

  get finalizePending(): boolean {
    return this.finalizesPending > 0;
  }

  requestFinalize(): void {
    this.finalizesPending++;
  }

  /** `endWallMs` = wall-clock time of the result's last word end. */
  onResults(
    m: Extract<ListenMessage, { type: 'Results' }>,
    endWallMs: number,
    nowMs: number,
  ): Transcript | Partial | undefined {
    if (!m.isFinal) {
      if (!m.transcript) return undefined;
      return { type: 'partial', text: [...this.parts.map((p) => p.text), m.transcript].join(' ') };
    }
    if (m.transcript) this.parts.push({ text: m.transcript, confidence: m.confidence, endWallMs });
    if (m.speechFinal) return this.end(nowMs);
    if (m.fromFinalize) return this.end(nowMs, this.finalizesPending > 0);
    return undefined;
  }

  /** UtteranceEnd, or words left without an end marker (a socket lost mid-turn). */
  onUtteranceEnd(nowMs: number): Transcript | undefined {
    return this.end(nowMs);
  }

  /** Ends the turn now and answers every pending finalize() with it (no answer in time). */
  forceEnd(nowMs: number): Transcript | undefined {
    const t = this.end(nowMs, this.finalizesPending > 0);
    this.finalizesPending = 0;
    return t;
  }

  private end(nowMs: number, emitEmpty = false): Transcript | undefined {
    const parts = this.parts;
    this.parts = [];
    if (parts.length === 0 && !emitEmpty) return undefined;
    this.finalizesPending = Math.max(0, this.finalizesPending - 1);
    if (parts.length === 0) {
      return { type: 'transcript', text: '', confidence: 0, speechEndMs: nowMs, finalAtMs: nowMs };
    }
    return {
      type: 'transcript',
      text: parts.map((p) => p.text).join(' '),
      confidence: Math.min(...parts.map((p) => p.confidence)),
      speechEndMs: Math.min(parts[parts.length - 1]!.endWallMs, nowMs),
      finalAtMs: nowMs,
    };
  }
}
