export interface TtsCapabilities {
  /** Audio begins before the whole text is synthesized. */
  streaming: boolean;
  /** Native output is µ-law 8 kHz (no transcoding needed). */
  nativeUlaw8k: boolean;
}

export interface TtsRequest {
  text: string;
  voice: string;
  language: string;
}

export interface TtsProvider {
  readonly id: string;
  readonly capabilities: TtsCapabilities;
  /**
   * µ-law 8 kHz audio in 160-byte (20 ms) frames, in order. Aborting `signal` stops synthesis
   * and ends the iteration promptly (no further frames). Failures throw ProviderError.
   */
  synthesize(req: TtsRequest, signal: AbortSignal): AsyncIterable<Buffer>;
}
