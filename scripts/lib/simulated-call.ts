import { createEspeakProvider } from '../../src/tts/providers/espeak.js';
import { silentLogger } from '../../src/logger.js';
import type { CallRecord } from '../../src/call/call-record.js';
import { placeCall, type TwilioStreamClient } from './twilio-client.js';

export type SimStep =
  | { kind: 'say'; text: string }
  | { kind: 'dtmf'; digits: string }
  | { kind: 'silence'; ms: number };

export interface SimTurn {
  role: 'bot' | 'caller';
  text: string;
  /** Caller turns: what the service recognised (words, or the digits it received). */
  heard?: string;
}

export interface SimResult {
  callSid: string;
  turns: SimTurn[];
  outcome: string;
  durationMs: number;
  /** Protocol violations seen from the server (empty when the call was clean). */
  problems: string[];
  record?: CallRecord;
  client: TwilioStreamClient;
}

export interface SimOptions {
  server: string;
  from: string;
  to: string;
  steps: readonly SimStep[];
  voice?: string;
  /** Caller speaking rate, words per minute (default 130: a caller speaking clearly to an IVR). */
  rate?: number;
  authToken?: string;
  publicUrl?: string;
  adminToken?: string;
  espeakBin?: string;
  /** Reuse a callSid (e.g. to replay a call's stream); default a fresh one. */
  callSid?: string;
  /** How long to wait for the bot to finish a prompt (default 30 s). */
  turnTimeoutMs?: number;
  /** Silence after the bot's audio before it counts as finished (default 600 ms). */
  quietMs?: number;
}

const DIGIT_GAP_MS = 150;
/**
 * espeak-ng at its default 165 wpm blurs "support" into "order" in the 8 kHz band about half the
 * time (docs/benchmarks.md); 130 wpm is how callers talk to a menu and is recognised reliably.
 */
export const DEFAULT_CALLER_RATE = 130;
/** A timer that never keeps the process alive on its own (used as a race guard). */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/** Places one call, plays the caller's steps, and returns the transcript from the call record. */
export async function runSimulatedCall(o: SimOptions): Promise<SimResult> {
  const tts = createEspeakProvider({
    bin: o.espeakBin ?? 'espeak-ng',
    logger: silentLogger(),
    rate: o.rate ?? DEFAULT_CALLER_RATE,
  });
  const started = performance.now();
  const { client, callSid } = await placeCall({
    server: o.server,
    from: o.from,
    to: o.to,
    quietMs: o.quietMs ?? 600,
    ...(o.callSid ? { callSid: o.callSid } : {}),
    ...(o.authToken ? { authToken: o.authToken } : {}),
    ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
  });
  let closedByServer = false;
  void client.closed.then((c) => (closedByServer = c.initiatedBy === 'server'));
  const timeout = o.turnTimeoutMs ?? 30_000;
  const waitQuiet = async () => {
    await Promise.race([client.waitForBotFinished({ timeoutMs: timeout }), client.closed]);
  };

  for (const step of o.steps) {
    await waitQuiet();
    if (!client.open) break;
    if (step.kind === 'say') {
      const frames: Buffer[] = [];
      const req = { text: step.text, voice: o.voice ?? 'en-us', language: 'en-US' };
      for await (const f of tts.synthesize(req, new AbortController().signal)) frames.push(f);
      await client.streamFrames(frames);
    } else if (step.kind === 'dtmf') {
      for (const d of step.digits) {
        client.sendDtmf(d);
        await sleep(DIGIT_GAP_MS);
      }
    } else {
      await Promise.race([sleep(step.ms), client.closed]);
      continue;
    }
    // Wait for the reply to this step to begin (or the call to end) before the next step.
    await Promise.race([
      client.waitForBotSpeaking(timeout).catch(() => undefined),
      client.closed,
      sleep(timeout),
    ]);
  }
  // Steps done: let the last reply play out, give the bot a moment to hang up, then stop.
  if (client.open) await waitQuiet().catch(() => undefined);
  if (client.open) await Promise.race([client.closed, sleep(1500)]);
  if (client.open) await client.stop();
  const durationMs = Math.round(performance.now() - started);

  const record = await fetchRecord(o, callSid);
  const problems: string[] = [];
  if (client.counts.invalidReceived > 0) {
    problems.push(`${client.counts.invalidReceived} invalid message(s) from the server`);
  }
  return {
    callSid,
    turns: record ? transcript(record, o.steps) : [],
    outcome: record?.outcome ?? (closedByServer ? 'bot-hangup' : 'caller-hangup'),
    durationMs,
    problems,
    ...(record ? { record } : {}),
    client,
  };
}

async function fetchRecord(o: SimOptions, callSid: string): Promise<CallRecord | undefined> {
  const headers: Record<string, string> = o.adminToken
    ? { authorization: `Bearer ${o.adminToken}` }
    : {};
  // The record is written as the call ends; allow the server a moment to finish it.
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${o.server}/api/calls/${callSid}`, { headers });
    if (res.status === 200) {
      const rec = (await res.json()) as CallRecord;
      if (rec.endedAtMs !== undefined) return rec;
    } else if (res.status !== 404) {
      return undefined;
    }
    await sleep(100);
  }
  return undefined;
}

/** Bot turns as spoken; caller turns as said (from the steps) and as heard (from the record). */
function transcript(rec: CallRecord, steps: readonly SimStep[]): SimTurn[] {
  const said = steps.filter((s) => s.kind !== 'silence');
  const turns: SimTurn[] = [];
  let step = 0;
  let digitsLeft = 0;
  for (const t of rec.turns) {
    if (t.role === 'bot') {
      turns.push({ role: 'bot', text: t.text ?? '' });
      continue;
    }
    if (t.digits !== undefined) {
      const last = turns[turns.length - 1];
      if (digitsLeft > 0 && last?.role === 'caller') {
        last.heard = `${last.heard ?? ''}${t.digits}`;
        digitsLeft--;
        continue;
      }
      const s = said[step++];
      const text = s?.kind === 'dtmf' ? `[keys ${s.digits}]` : `[key ${t.digits}]`;
      digitsLeft = s?.kind === 'dtmf' ? s.digits.length - 1 : 0;
      turns.push({ role: 'caller', text, heard: t.digits });
      continue;
    }
    if (t.noInput) {
      turns.push({ role: 'caller', text: '[no input]', heard: '' });
      continue;
    }
    const s = said[step++];
    turns.push({ role: 'caller', text: s?.kind === 'say' ? s.text : '', heard: t.text });
  }
  return turns;
}
