/** What the rest of the service knows about one live phone call, whatever carries it. */
export interface CallInfo {
  callSid: string;
  streamSid: string;
  accountSid: string;
  /** `<Parameter>`s from the TwiML, e.g. flowId, from, to. */
  params: Readonly<Record<string, string>>;
}

export type LegEvent =
  | { type: 'call.started'; info: CallInfo }
  /** µ-law 8 kHz mono, normally one 20 ms frame (160 bytes). */
  | { type: 'audio'; frame: Buffer; receivedAtMs: number }
  | { type: 'dtmf'; digit: string; receivedAtMs: number }
  /** Twilio reached (or, after `clear`, dropped) a mark we sent. */
  | { type: 'mark'; name: string }
  | { type: 'call.stopped'; reason: 'stop' | 'closed' | 'timeout' | 'replaced' | 'hangup' };

export interface CallLeg {
  readonly info: CallInfo;
  /** One listener; events arrive in protocol order. */
  onEvent(listener: (e: LegEvent) => void): void;
  /**
   * Queue µ-law 8 kHz audio for playback. Audio is split into 20 ms frames and sent paced in
   * real time (a small lead only), never seconds ahead, in the order queued.
   */
  playAudio(ulaw: Buffer): void;
  /** Queued behind earlier audio; echoed as a `mark` event when the caller has heard it all. */
  sendMark(name: string): void;
  /** Barge-in: drop audio queued locally and at Twilio. Pending marks are echoed by Twilio. */
  clearAudio(): void;
  /** Ends the media stream (Twilio continues with the next TwiML verb, which hangs up). */
  hangUp(reason: string): Promise<void>;
}
