import type { PlaybackOptions, Utterance } from './twilio-playback.js';

export interface StreamIdentity {
  accountSid: string;
  callSid: string;
  streamSid: string;
  /** `<Parameter>`s from the TwiML, sent in `start.customParameters`. */
  customParameters: Readonly<Record<string, string>>;
}

export interface StreamClientOptions extends PlaybackOptions {
  /**
   * Like real Twilio, send a µ-law silence frame every 20 ms whenever no caller audio is queued,
   * for the whole call (default true). Turn off to test idle timeouts.
   */
  silenceWhenIdle?: boolean;
}

/** Counted from the fake Twilio's side: "sent" = to the server, "received" = from it. */
export interface ClientCounts {
  mediaSent: number;
  dtmfSent: number;
  rawSent: number;
  mediaReceived: number;
  bytesReceived: number;
  marksReceived: number;
  marksEchoed: number;
  clearsReceived: number;
  /** Messages from the server that Twilio would reject (bad JSON/schema, binary, wrong streamSid). */
  invalidReceived: number;
}

export interface ClientStats extends ClientCounts {
  underruns: number;
  underrunMs: number;
  /** Most audio ever queued at the fake Twilio, in ms of audio. */
  maxBufferedMs: number;
  utterances: number;
}

export interface CloseInfo {
  code: number;
  reason: string;
  /** Who started the close: the server, or this client (`stop()`, `closeSocket()`, `drop()`). */
  initiatedBy: 'server' | 'client';
}

export type ClientEvents = {
  /** An outbound media message arrived (decoded µ-law). */
  media: [audio: Buffer];
  markReceived: [name: string];
  /** Playback reached (or `clear` dropped) a mark; it was echoed to the server. */
  markEchoed: [name: string];
  clear: [];
  /** The bot finished speaking: buffer empty and no audio for `quietMs`. */
  utterance: [u: Utterance];
  close: [info: CloseInfo];
};
