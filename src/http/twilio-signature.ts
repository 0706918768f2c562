import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import twilio from 'twilio';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/**
 * X-Twilio-Signature checks shared by the webhooks and the media WebSocket upgrade, and the one
 * place that decides which public URL Twilio used (the signature covers that exact URL).
 *
 * URL rule: with PUBLIC_BASE_URL set, the public URL is PUBLIC_BASE_URL + the request path (a
 * proxy in front may strip a path prefix; the base keeps it). Without it, the URL is rebuilt from
 * the Host header and X-Forwarded-Proto (else the socket's own TLS state). WebSocket URLs use the
 * ws form of the same scheme: https → wss (what Twilio uses), http → ws (local tools only).
 */

export const SIGNATURE_HEADER = 'x-twilio-signature';
export const MEDIA_PATH = '/media';

export type SignatureCheck =
  | { ok: true; checked: boolean }
  | { ok: false; code: 'TWILIO_SIGNATURE_INVALID'; reason: 'missing' | 'invalid' };

/**
 * Without an auth token validation is off (local development) and every request passes with
 * `checked: false`. With one, the header must match HMAC-SHA1 over `url` + sorted POST params.
 */
export function checkTwilioSignature(
  authToken: string | undefined,
  header: string | string[] | undefined,
  url: string,
  params: Readonly<Record<string, unknown>>,
): SignatureCheck {
  if (!authToken) return { ok: true, checked: false };
  const signature = Array.isArray(header) ? header[0] : header;
  if (!signature) return { ok: false, code: 'TWILIO_SIGNATURE_INVALID', reason: 'missing' };
  return twilio.validateRequest(authToken, signature, url, params)
    ? { ok: true, checked: true }
    : { ok: false, code: 'TWILIO_SIGNATURE_INVALID', reason: 'invalid' };
}

/** The scheme the client used: X-Forwarded-Proto (first hop) if present, else the socket's TLS. */
export function requestScheme(req: IncomingMessage): 'https' | 'http' {
  const fwd = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim().toLowerCase();
  if (first === 'https' || first === 'wss') return 'https';
  if (first === 'http' || first === 'ws') return 'http';
  return 'encrypted' in req.socket && req.socket.encrypted === true ? 'https' : 'http';
}

/** Public http(s) origin (plus any base path) Twilio reaches us at, without a trailing slash. */
export function publicBase(config: Pick<Config, 'publicBaseUrl'>, req: IncomingMessage): string {
  if (config.publicBaseUrl) return config.publicBaseUrl.replace(/\/+$/, '');
  return `${requestScheme(req)}://${req.headers.host ?? 'localhost'}`;
}

/** `https://x` → `wss://x`, `http://x` → `ws://x`. */
export function toWebSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`);
}

/** The URL Twilio requested for a webhook: public base + the path and query as received. */
export function webhookUrl(
  config: Pick<Config, 'publicBaseUrl'>,
  req: IncomingMessage,
  originalUrl: string,
): string {
  return publicBase(config, req) + originalUrl;
}

/** The `<Stream url>` to put in TwiML: the ws form of the public base + `/media`. */
export function mediaStreamUrl(
  config: Pick<Config, 'publicBaseUrl'>,
  req: IncomingMessage,
): string {
  return toWebSocketUrl(publicBase(config, req)) + MEDIA_PATH;
}

/** The URL Twilio signed for a media upgrade: the `<Stream url>` as written, no POST params. */
export function mediaUpgradeUrl(
  config: Pick<Config, 'publicBaseUrl'>,
  req: IncomingMessage,
): string {
  return toWebSocketUrl(publicBase(config, req)) + (req.url ?? MEDIA_PATH);
}

/** Check a media WebSocket upgrade request (GET, so the params are `{}`). */
export function checkMediaUpgrade(
  config: Pick<Config, 'publicBaseUrl' | 'twilio'>,
  req: IncomingMessage,
): SignatureCheck {
  return checkTwilioSignature(
    config.twilio.authToken,
    req.headers[SIGNATURE_HEADER],
    mediaUpgradeUrl(config, req),
    {},
  );
}

/**
 * Express middleware for form-encoded Twilio webhooks (mount after `express.urlencoded`).
 * Rejects with 403 `{code: 'TWILIO_SIGNATURE_INVALID'}` when a token is configured and the
 * signature is missing or wrong.
 */
export function requireTwilioSignature(
  config: Pick<Config, 'publicBaseUrl' | 'twilio'>,
  logger: Logger,
): RequestHandler {
  return (req, res, next) => {
    const url = webhookUrl(config, req, req.originalUrl);
    const body: unknown = req.body;
    const params =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const r = checkTwilioSignature(
      config.twilio.authToken,
      req.headers[SIGNATURE_HEADER],
      url,
      params,
    );
    if (r.ok) return next();
    logger.warn({ code: r.code, reason: r.reason, url }, 'twilio webhook signature rejected');
    res.status(403).json({ code: r.code, message: `X-Twilio-Signature ${r.reason}` });
  };
}
