import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * PII lives only under `pii.*` (transcripts, digits, phone numbers). Those keys are censored unless
 * `logPii` is set, which is meant for local development only.
 */
export function createLogger(opts: { level: string; logPii: boolean; pretty?: boolean }): Logger {
  return pino({
    level: opts.level,
    redact: opts.logPii ? [] : { paths: ['pii', '*.pii', 'pii.*'], censor: '[redacted]' },
    base: undefined,
    ...(opts.pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, singleLine: true } } }
      : {}),
  });
}

/** Child logger bound to one call: `{callSid, tenant, flow}`. */
export function callLogger(
  root: Logger,
  ids: { callSid: string; tenant?: string; flow?: string },
): Logger {
  return root.child(ids);
}

/** For tests and tools: a logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
