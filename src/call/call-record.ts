/**
 * The record of one call as the service saw it: who, which flow, every turn with its latency
 * waterfall, the status timeline and the outcome. Plain JSON (it is what the API returns and
 * what the store persists).
 */
export interface TurnTimings {
  /** Caller: when the recognizer detected the end of speech (or the digit arrived). */
  speechEndMs?: number;
  /** Caller: when the final transcript arrived. */
  sttFinalMs?: number;
  /** Bot: when the dialog decided what to say. */
  decidedMs?: number;
  /** Bot: first synthesized audio. */
  ttsFirstAudioMs?: number;
  /** Bot: first frame written to the socket. */
  firstFrameSentMs?: number;
  /** Bot: playback reached the end (mark echoed) or was cut off. */
  playbackDoneMs?: number;
}

export interface CallTurn {
  role: 'bot' | 'caller';
  /** Bot: the prompt key. */
  prompt?: string;
  text?: string;
  digits?: string;
  confidence?: number;
  /** Caller: nothing was said before the no-input timeout. */
  noInput?: boolean;
  /** Bot: cut off by the caller (barge-in). */
  interrupted?: boolean;
  atMs: number;
  timings: TurnTimings;
  /**
   * Caller: durations (ms) of work this input caused, by stage: `stt_final` (speech end → final
   * transcript), `llm_first_token`, `llm_first_sentence`… Absent when none was measured.
   */
  stages?: Record<string, number>;
}

/** One Twilio status callback. Identified by (status, sequence): a replayed callback is the same event. */
export interface CallStatusEvent {
  status: string;
  atMs: number;
  sequence?: number;
  /** Terminal statuses: the call's duration as Twilio billed it, in seconds. */
  durationSec?: number;
}

export interface CallRecord {
  callSid: string;
  /** The business that was dialled (resolved from the number at webhook time). */
  tenantId?: string;
  streamSid?: string;
  from?: string;
  to?: string;
  direction: string;
  flow?: { id: string; version: number };
  startedAtMs: number;
  endedAtMs?: number;
  outcome?: string;
  turns: CallTurn[];
  statusEvents: CallStatusEvent[];
  counters: { framesIn: number; framesOut: number; malformed: number; bargeIns: number };
}
