/** Stable error codes. Tests assert codes, never message text. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'TWILIO_SIGNATURE_INVALID'
  | 'TWILIO_MESSAGE_INVALID'
  | 'STREAM_DUPLICATE'
  | 'STREAM_TIMEOUT'
  | 'FLOW_INVALID'
  | 'FLOW_NOT_FOUND'
  | 'PROMPT_MISSING'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_FAILED'
  | 'PROVIDER_ABORTED'
  /** The speech recognizer refused our credentials (401/403); not retryable. */
  | 'STT_AUTH'
  /** The speech synthesizer refused our credentials (401/403); not retryable. */
  | 'TTS_AUTH'
  /** The language model refused our credentials (401/403); not retryable. */
  | 'LLM_AUTH'
  /** The language model did not answer within its timeout (OPENAI_TIMEOUT_MS). */
  | 'LLM_TIMEOUT'
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  /** No database could be reached or started (see store/database.ts for the order tried). */
  | 'DB_UNAVAILABLE'
  /** The embedded database server did not start or stop as its contract says. */
  | 'DB_SERVER_FAILED'
  /** A read of stored records failed or timed out at run time (the API answers 503). */
  | 'STORE_UNAVAILABLE'
  /** A stored write was refused by the database for good (not retried). */
  | 'STORE_WRITE_FAILED'
  /** Published content conflicts with what is stored (e.g. same flow version, other content). */
  | 'SEED_CONFLICT';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** A failure of a speech/language vendor. `retryable` drives retry and fallback decorators. */
export class ProviderError extends AppError {
  constructor(
    readonly provider: string,
    readonly retryable: boolean,
    message: string,
    options?: { cause?: unknown; code?: ErrorCode },
  ) {
    super(options?.code ?? 'PROVIDER_FAILED', message, { provider, retryable }, options);
    this.name = 'ProviderError';
  }
}

export function isAbortError(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === 'AbortError' || (err instanceof AppError && err.code === 'PROVIDER_ABORTED'))
  );
}

/** Serialisable summary for logs: code and message, never payloads. */
export function errorSummary(err: unknown): { code: string; message: string } {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: err.name, message: err.message };
  return { code: 'UNKNOWN', message: String(err) };
}
