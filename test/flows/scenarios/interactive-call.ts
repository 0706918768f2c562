import { placeCall } from '../../../scripts/lib/twilio-client.js';
import { DEFAULT_CALLER_RATE, type SimStep } from '../../../scripts/lib/simulated-call.js';
import type { CallRecord } from '../../../src/call/call-record.js';
import { silentLogger } from '../../../src/logger.js';
import { createEspeakProvider } from '../../../src/tts/providers/espeak.js';

/**
 * A simulated caller who listens before confirming: like scripts/lib/simulated-call.ts (real
 * signed webhook, Media Stream, espeak-ng speech, DTMF), plus a `confirm` step that reads what
 * the bot just said (the live call record) and answers yes only when it contains `ifHeard`;
 * otherwise it answers no, then `onNo` (e.g. "cancel"), and stops following the script. A scripted
 * caller that confirmed blindly would accept whatever the recognizer misheard.
 */

export type CallerStep =
  SimStep | { kind: 'confirm'; ifHeard: string; by: 'say' | 'dtmf'; onNo?: SimStep[] };

export interface CallerRun {
  callSid: string;
  outcome: string;
  durationMs: number;
  record?: CallRecord;
  /** True when a `confirm` step did not hear what it expected. */
  refused: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

export async function runInteractiveCall(o: {
  server: string;
  from: string;
  to: string;
  steps: readonly CallerStep[];
  turnTimeoutMs?: number;
}): Promise<CallerRun> {
  const tts = createEspeakProvider({
    bin: 'espeak-ng',
    logger: silentLogger(),
    rate: DEFAULT_CALLER_RATE,
  });
  const started = performance.now();
  const { client, callSid } = await placeCall({
    server: o.server,
    from: o.from,
    to: o.to,
    quietMs: 600,
  });
  const timeout = o.turnTimeoutMs ?? 30_000;
  const waitQuiet = () =>
    Promise.race([client.waitForBotFinished({ timeoutMs: timeout }), client.closed]);
  const play = async (step: SimStep) => {
    if (step.kind === 'say') {
      const frames: Buffer[] = [];
      const req = { text: step.text, voice: 'en-us', language: 'en-US' };
      for await (const f of tts.synthesize(req, new AbortController().signal)) frames.push(f);
      await client.streamFrames(frames);
    } else if (step.kind === 'dtmf') {
      for (const d of step.digits) {
        client.sendDtmf(d);
        await sleep(150);
      }
    } else {
      await Promise.race([sleep(step.ms), client.closed]);
      return;
    }
    await Promise.race([
      client.waitForBotSpeaking(timeout).catch(() => undefined),
      client.closed,
      sleep(timeout),
    ]);
  };
  let refused = false;
  const queue: CallerStep[] = [...o.steps];
  for (let step = queue.shift(); step; step = queue.shift()) {
    await waitQuiet();
    if (!client.open) break;
    if (step.kind !== 'confirm') {
      await play(step);
      continue;
    }
    const said = lastBotText(await fetchRecord(o.server, callSid));
    const yes = said.toLowerCase().includes(step.ifHeard.toLowerCase());
    await play(
      step.by === 'say'
        ? { kind: 'say', text: yes ? 'yes' : 'no' }
        : { kind: 'dtmf', digits: yes ? '1' : '2' },
    );
    if (!yes) {
      refused = true;
      queue.splice(0, queue.length, ...(step.onNo ?? []));
    }
  }
  if (client.open) await waitQuiet().catch(() => undefined);
  if (client.open) await Promise.race([client.closed, sleep(1500)]);
  if (client.open) await client.stop();
  const durationMs = Math.round(performance.now() - started);
  let record: CallRecord | undefined;
  for (let i = 0; i < 20 && record?.endedAtMs === undefined; i++) {
    record = await fetchRecord(o.server, callSid);
    if (record?.endedAtMs === undefined) await sleep(100);
  }
  return {
    callSid,
    outcome: record?.outcome ?? 'unknown',
    durationMs,
    refused,
    ...(record ? { record } : {}),
  };
}

async function fetchRecord(server: string, callSid: string): Promise<CallRecord | undefined> {
  const res = await fetch(`${server}/api/calls/${callSid}`);
  return res.status === 200 ? ((await res.json()) as CallRecord) : undefined;
}

function lastBotText(rec: CallRecord | undefined): string {
  return rec?.turns.filter((t) => t.role === 'bot').at(-1)?.text ?? '';
}
