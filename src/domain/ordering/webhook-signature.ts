import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed business notifications: how a business checks that a POST came from us.
 *
 * Every notification is `POST <settings.ordering.webhook.url>` with `Content-Type:
 * application/json` and these headers:
 *   X-Ivr-Event-Id:   unique per event (`evt_…`); the same on every retry of it. Delivery is at
 *                     least once: store the ids you processed and ignore repeats.
 *   X-Ivr-Timestamp:  unix seconds when this attempt was signed.
 *   X-Ivr-Signature:  `v1=` + hex HMAC-SHA256 over `<X-Ivr-Timestamp>.<raw body>`, keyed with the
 *                     tenant's webhook secret (UTF-8).
 *
 * To verify: take the raw request body bytes (before any JSON parsing), compute
 * HMAC-SHA256(secret, timestamp + "." + body), compare it in constant time with the hex after
 * `v1=`, and reject timestamps more than 5 minutes from your clock (replays). Answer any 2xx
 * once the event is stored; anything else (or no answer within 10 s) is retried with backoff.
 * `verifyWebhookSignature` below is that check, usable by receivers written in TypeScript.
 *
 * Body: `{ "id", "type": "order.placed" | "order.status" | "order.cancelled", "createdAt"
 * (ISO 8601), "tenantId", "order": { id, number, status, lines, totals in minor units, … } }`.
 */
export const HEADER_EVENT_ID = 'X-Ivr-Event-Id';
export const HEADER_TIMESTAMP = 'X-Ivr-Timestamp';
export const HEADER_SIGNATURE = 'X-Ivr-Signature';

/** Receivers should refuse timestamps further than this from their clock. */
export const SIGNATURE_TOLERANCE_SEC = 300;

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. */
export function signWebhook(secret: string, timestampSec: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex');
  return `v1=${mac}`;
}

/** True when `signature` is ours for (timestamp, body) and the timestamp is recent. */
export function verifyWebhookSignature(
  secret: string,
  timestampHeader: string | undefined,
  signature: string | undefined,
  rawBody: string,
  nowSec: number = Math.floor(Date.now() / 1000),
): boolean {
  if (!timestampHeader || !signature || !/^\d{1,12}$/.test(timestampHeader)) return false;
  const ts = Number(timestampHeader);
  if (Math.abs(nowSec - ts) > SIGNATURE_TOLERANCE_SEC) return false;
  const expected = Buffer.from(signWebhook(secret, ts, rawBody));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
