import express, { Router, type Request, type Response } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import type { Config } from '../config.js';
import { errorSummary } from '../errors.js';
import type { Logger } from '../logger.js';
import { mediaStreamUrl, requireTwilioSignature } from './twilio-signature.js';

const CallSidSchema = z.string().regex(/^CA[0-9a-fA-F]{32}$/, 'must be CA + 32 hex');
const digits = z.string().regex(/^\d+$/);
const FlowId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a flow id');

export const CALL_STATUSES = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

const VoiceParams = z.object({
  CallSid: CallSidSchema,
  From: z.string().default(''),
  To: z.string().default(''),
  Direction: z.string().default('inbound'),
});

const StatusParams = z.object({
  CallSid: CallSidSchema,
  AccountSid: z.string().optional(),
  CallStatus: z.enum(CALL_STATUSES),
  SequenceNumber: digits.optional(),
  Timestamp: z.string().optional(),
  CallDuration: digits.optional(),
  SipResponseCode: digits.optional(),
  AnsweredBy: z.string().optional(),
  Direction: z.string().optional(),
  From: z.string().optional(),
  To: z.string().optional(),
});

/** One call status callback, as Twilio sent it. Phone numbers only under `pii`. */
export interface CallStatusEvent {
  callSid: string;
  accountSid?: string;
  status: CallStatus;
  /** Order Twilio fired the callbacks in (from 0); arrival order is not guaranteed. */
  sequenceNumber?: number;
  /** RFC 2822, as sent. */
  timestamp?: string;
  /** Terminal statuses only. */
  callDurationSec?: number;
  sipResponseCode?: number;
  answeredBy?: string;
  direction?: string;
  pii: { from?: string; to?: string };
}

export interface TwilioRoutesDeps {
  config: Pick<Config, 'publicBaseUrl' | 'twilio' | 'dialog'>;
  logger: Logger;
  /** Each distinct status callback once (duplicates/retries are dropped). A throw → 500. */
  onStatus(event: CallStatusEvent): void | Promise<void>;
  /** How many recent callbacks are remembered for de-duplication (default 10 000). */
  statusMemory?: number;
}

/**
 * `POST /twilio/voice`: answers a call with `<Connect><Stream>` to our media WebSocket, passing
 * flowId (the `flow` query param or DEFAULT_FLOW), from, to, callSid and direction as
 * `<Parameter>`s, then `<Hangup/>`, which Twilio runs when we close the stream.
 * `POST /twilio/status`: call status callbacks → `onStatus`, idempotent, 204.
 * Both are form-encoded and signature-checked when TWILIO_AUTH_TOKEN is set (403 otherwise).
 */
export function twilioRouter(deps: TwilioRoutesDeps): Router {
  const r = Router();
  r.use('/twilio', express.urlencoded({ extended: false, limit: '64kb' }));
  r.use('/twilio', requireTwilioSignature(deps.config, deps.logger));
  r.post('/twilio/voice', (req, res) => voice(deps, req, res));
  const seen = new RecentKeys(deps.statusMemory ?? 10_000);
  r.post('/twilio/status', async (req, res) => status(deps, seen, req, res));
  return r;
}

function voice(deps: TwilioRoutesDeps, req: Request, res: Response): void {
  const p = VoiceParams.safeParse(req.body ?? {});
  const flowQ = req.query.flow;
  const flow = flowQ === undefined ? deps.config.dialog.defaultFlow : FlowId.safeParse(flowQ).data;
  if (!p.success || flow === undefined) {
    const problems = p.success ? ['flow: must be a flow id'] : issuesOf(p.error);
    res.status(400).json({ code: 'BAD_REQUEST', message: problems.join('; '), problems });
    return;
  }
  const { CallSid: callSid, From: from, To: to, Direction: direction } = p.data;
  deps.logger.info({ callSid, flowId: flow, direction, pii: { from, to } }, 'incoming call');
  const xml = streamTwiml(mediaStreamUrl(deps.config, req), {
    flowId: flow,
    from,
    to,
    callSid,
    direction,
  });
  res.type('text/xml').send(xml);
}

async function status(
  deps: TwilioRoutesDeps,
  seen: RecentKeys,
  req: Request,
  res: Response,
): Promise<void> {
  const p = StatusParams.safeParse(req.body ?? {});
  if (!p.success) {
    const problems = issuesOf(p.error);
    res.status(400).json({ code: 'BAD_REQUEST', message: problems.join('; '), problems });
    return;
  }
  const b = p.data;
  // Twilio retries and may repeat a callback; (CallSid, SequenceNumber, CallStatus) identifies one.
  const key = `${b.CallSid}|${b.SequenceNumber ?? ''}|${b.CallStatus}`;
  if (!seen.add(key)) {
    res.status(204).end();
    return;
  }
  try {
    await deps.onStatus(toStatusEvent(b));
    res.status(204).end();
  } catch (err) {
    seen.delete(key); // let Twilio's retry through
    deps.logger.error(
      { err: errorSummary(err), callSid: b.CallSid },
      'status callback handler failed',
    );
    res.status(500).end();
  }
}

/** TwiML: `<Connect><Stream url><Parameter …/>…</Stream></Connect><Hangup/>`. */
export function streamTwiml(streamUrl: string, params: Readonly<Record<string, string>>): string {
  const response = new twilio.twiml.VoiceResponse();
  const stream = response.connect().stream({ url: streamUrl });
  for (const [name, value] of Object.entries(params)) stream.parameter({ name, value });
  response.hangup();
  return response.toString();
}

function toStatusEvent(b: z.infer<typeof StatusParams>): CallStatusEvent {
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const e: CallStatusEvent = { callSid: b.CallSid, status: b.CallStatus, pii: {} };
  if (b.AccountSid !== undefined) e.accountSid = b.AccountSid;
  if (b.SequenceNumber !== undefined) e.sequenceNumber = num(b.SequenceNumber)!;
  if (b.Timestamp !== undefined) e.timestamp = b.Timestamp;
  if (b.CallDuration !== undefined) e.callDurationSec = num(b.CallDuration)!;
  if (b.SipResponseCode !== undefined) e.sipResponseCode = num(b.SipResponseCode)!;
  if (b.AnsweredBy !== undefined) e.answeredBy = b.AnsweredBy;
  if (b.Direction !== undefined) e.direction = b.Direction;
  if (b.From !== undefined) e.pii.from = b.From;
  if (b.To !== undefined) e.pii.to = b.To;
  return e;
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
}

/** Insertion-ordered set of the last `max` keys. */
class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly max: number) {}

  /** False when the key was already present. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value!);
    return true;
  }

  delete(key: string): void {
    this.keys.delete(key);
  }
}
