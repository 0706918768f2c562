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
}

export type DialogEvent =
  | { type: 'user.transcript'; text: string; confidence: number }
  | { type: 'user.dtmf'; digit: string }
  | { type: 'user.speechStarted' }
  | { type: 'user.noInput' }
  | { type: 'bot.playbackDone'; id: string; interrupted: boolean }
  | { type: 'bot.error'; code: string }
  | { type: 'call.hangup' };

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
  | { type: 'transfer'; to: string }
  | { type: 'hangUp'; reason: string };
