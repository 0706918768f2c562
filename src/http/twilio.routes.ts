import express, { Router, type Request, type Response } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import type { Config } from '../config.js';
import { errorSummary } from '../errors.js';
import type { Logger } from '../logger.js';
import { mediaStreamUrl, requireTwilioSignature } from './twilio-signature.js';
import type { Admission, IncomingCall } from '../call/call-admission.js';

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
  /**
   * Decides who a call is for (the tenant of the dialled number). Absent: every call is streamed
   * untagged (tools and tests without a database). A throw counts as `unavailable`.
   */
  admit?(call: IncomingCall): Promise<Admission>;
  /** What a refused caller hears before the hang-up (defaults: REJECT_SPEECH). */
  rejectSpeech?: Partial<Record<RejectReason, string>>;
}

type RejectReason = Extract<Admission, { kind: 'reject' }>['reason'];

export const REJECT_SPEECH: Readonly<Record<RejectReason, string>> = {
  'not-in-service': 'Sorry, this number is not in service. Goodbye.',
  unavailable: 'Sorry, we cannot take your call right now. Please try again later. Goodbye.',
};

/**
 * `POST /twilio/voice`: with `admit`, first resolves the tenant of the dialled number; a call no
 * tenant takes hears `<Say>` + `<Hangup/>`. Otherwise answers with `<Connect><Stream>` to our
 * media WebSocket, passing flowId (the `flow` query param, else the dialled number's flow, else
 * DEFAULT_FLOW), from, to, callSid, direction and tenantId (when admitted) as `<Parameter>`s,
 * then `<Hangup/>`, which Twilio runs when we close the stream.
 * `POST /twilio/status`: call status callbacks → `onStatus`, idempotent, 204.
 * Both are form-encoded and signature-checked when TWILIO_AUTH_TOKEN is set (403 otherwise).
 */
export function twilioRouter(deps: TwilioRoutesDeps): Router {
  const r = Router();
  r.use('/twilio', express.urlencoded({ extended: false, limit: '64kb' }));
  r.use('/twilio', requireTwilioSignature(deps.config, deps.logger));
  r.post('/twilio/voice', async (req, res) => voice(deps, req, res));
  const seen = new RecentKeys(deps.statusMemory ?? 10_000);
  r.post('/twilio/status', async (req, res) => status(deps, seen, req, res));
  return r;
}

async function voice(deps: TwilioRoutesDeps, req: Request, res: Response): Promise<void> {
  const p = VoiceParams.safeParse(req.body ?? {});
  const flowQ = req.query.flow;
  const queryFlow = flowQ === undefined ? undefined : FlowId.safeParse(flowQ).data;
  if (!p.success || (flowQ !== undefined && queryFlow === undefined)) {
    const problems = p.success ? ['flow: must be a flow id'] : issuesOf(p.error);
    res.status(400).json({ code: 'BAD_REQUEST', message: problems.join('; '), problems });
    return;
  }
  const call = {
    callSid: p.data.CallSid,
    from: p.data.From,
    to: p.data.To,
    direction: p.data.Direction,
  };
  const admission = await admit(deps, call);
  if (admission?.kind === 'reject') {
    deps.logger.info({ callSid: call.callSid, reason: admission.reason }, 'call refused');
    const text = deps.rejectSpeech?.[admission.reason] ?? REJECT_SPEECH[admission.reason];
    res.type('text/xml').send(sayAndHangUpTwiml(text));
    return;
  }
  const tenant: Record<string, string> = admission ? { tenantId: admission.tenantId } : {};
  const flowId = queryFlow ?? admission?.flowId ?? deps.config.dialog.defaultFlow;
  const ctx = { callSid: call.callSid, flowId, direction: call.direction, ...tenant };
  deps.logger.info({ ...ctx, pii: { from: call.from, to: call.to } }, 'incoming call');
  const xml = streamTwiml(mediaStreamUrl(deps.config, req), { flowId, ...call, ...tenant });
  res.type('text/xml').send(xml);
}

async function admit(deps: TwilioRoutesDeps, call: IncomingCall): Promise<Admission | undefined> {
  if (!deps.admit) return undefined;
  try {
    return await deps.admit(call);
  } catch (err) {
    deps.logger.error({ err: errorSummary(err), callSid: call.callSid }, 'call admission failed');
    return { kind: 'reject', reason: 'unavailable' };
  }
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

/** TwiML: `<Say>text</Say><Hangup/>`. */
export function sayAndHangUpTwiml(text: string): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say(text);
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
