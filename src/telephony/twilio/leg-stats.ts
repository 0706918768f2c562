/** Protocol counters of one media stream (one call leg). Plain numbers: cheap to bump 50×/s. */
export interface LegStats {
  /** Caller audio frames received (inbound track). */
  framesIn: number;
  /** Bot audio frames sent to Twilio. */
  framesOut: number;
  /** Bot frames released after Twilio's buffer had run dry mid-utterance (see PacedStream). */
  lateFrames: number;
  /** Frames that are not valid Media Streams messages (bad JSON, unknown event, schema, binary). */
  malformed: number;
  /** Valid messages out of protocol order: media before `start`, a second `start`, a foreign streamSid, an echo of a mark never sent. */
  unexpected: number;
  /** Inbound `sequenceNumber` not exactly one more than the previous one. */
  sequenceGaps: number;
  dtmf: number;
  marksSent: number;
  /** Marks Twilio echoed (played, or dropped by `clear`). */
  marksEchoed: number;
  clears: number;
}

export function newLegStats(): LegStats {
  return {
    framesIn: 0,
    framesOut: 0,
    lateFrames: 0,
    malformed: 0,
    unexpected: 0,
    sequenceGaps: 0,
    dtmf: 0,
    marksSent: 0,
    marksEchoed: 0,
    clears: 0,
  };
}

/** `into += from`, field by field. */
export function addLegStats(into: LegStats, from: Readonly<LegStats>): LegStats {
  for (const k of Object.keys(into) as (keyof LegStats)[]) into[k] += from[k];
  return into;
}

/** WebSocket close codes this server uses (4000–4999 are application codes). */
export const CloseCode = {
  /** Hang-up, or after Twilio's `stop`. */
  normal: 1000,
  /** Server shutting down. */
  goingAway: 1001,
  /** A newer stream for the same callSid took over. */
  replaced: 4001,
  /** No `start` within STREAM_START_TIMEOUT_MS, or no message within STREAM_IDLE_TIMEOUT_MS. */
  timeout: 4002,
} as const;
