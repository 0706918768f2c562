import type { Logger } from '../logger.js';
import { callLogger } from '../logger.js';
import { errorSummary } from '../errors.js';
import { nowMs } from '../clock.js';
import type { CallLeg } from '../telephony/types.js';
import type { SttProvider } from '../stt/types.js';
import type { TtsProvider } from '../tts/types.js';
import { createDialogRunner } from '../dialog/runner.js';
import type { CompiledFlow } from '../dialog/compiler.js';
import { renderPrompt, type PromptCatalog } from '../prompts/index.js';
import type { CallRecord } from './call-record.js';
import type { CallRegistry } from './call-registry.js';
import type { CallStore } from './call-store.js';
import { CallSession, type SessionMetrics } from './call-session.js';
import { TurnLog } from './turn-log.js';

export interface CallHandlerDeps {
  flows: ReadonlyMap<string, CompiledFlow>;
  defaultFlow: string;
  prompts: PromptCatalog;
  stt: SttProvider;
  tts: TtsProvider;
  store: CallStore;
  registry: CallRegistry;
  metrics: SessionMetrics;
  apologyAudio: () => readonly Buffer[];
  voice: { voice: string; language: string };
  /** Values every flow may use, e.g. businessName. */
  vars: Record<string, string | number>;
  logger: Logger;
}

/**
 * Turns every live leg into a running CallSession: picks the flow named by the stream's `flowId`
 * parameter (falling back to the default flow), opens the call record, and tracks the session
 * until it ends. Never throws into the media server.
 */
export function createCallHandler(d: CallHandlerDeps): (leg: CallLeg) => void {
  return (leg) => {
    const p = leg.info.params;
    const requested = p.flowId ?? d.defaultFlow;
    const flow = d.flows.get(requested) ?? d.flows.get(d.defaultFlow);
    const log = callLogger(d.logger, { callSid: leg.info.callSid, flow: flow?.id ?? requested });
    if (!flow) {
      log.error({ requested }, 'no flow to run; ending stream');
      void leg.hangUp('no-flow');
      return;
    }
    if (flow.id !== requested) log.warn({ requested }, 'unknown flow requested; using the default');
    const record: CallRecord = {
      callSid: leg.info.callSid,
      streamSid: leg.info.streamSid,
      direction: p.direction ?? 'inbound',
      ...(p.from ? { from: p.from } : {}),
      ...(p.to ? { to: p.to } : {}),
      flow: { id: flow.id, version: flow.version },
      startedAtMs: nowMs(),
      turns: [],
      statusEvents: [],
      counters: { framesIn: 0, framesOut: 0, malformed: 0, bargeIns: 0 },
    };
    d.store.upsert(record);
    try {
      const dialog = createDialogRunner(flow, { vars: { ...d.vars }, logger: log });
      const session = new CallSession({
        leg,
        stt: d.stt,
        tts: d.tts,
        dialog,
        render: (key, vars) => renderPrompt(d.prompts, key, vars),
        apologyAudio: d.apologyAudio(),
        turns: new TurnLog(record, (r) => d.store.changed(r)),
        metrics: d.metrics,
        voice: d.voice,
        logger: log,
      });
      log.info({ pii: { from: p.from, to: p.to } }, 'call started');
      const ended = session
        .run()
        .catch((err: unknown) => {
          log.error({ err: errorSummary(err) }, 'call session failed');
          record.outcome ??= 'error:session';
          record.endedAtMs ??= nowMs();
          apologizeAndHangUp(leg, d.apologyAudio());
        })
        .then(() => {
          d.store.upsert(record);
          log.info({ outcome: record.outcome, turns: record.turns.length }, 'call ended');
        });
      d.registry.track(leg.info.callSid, ended);
    } catch (err) {
      log.error({ err: errorSummary(err) }, 'call setup failed');
      record.outcome = 'error:setup';
      record.endedAtMs = nowMs();
      apologizeAndHangUp(leg, d.apologyAudio());
    }
  };
}

/** Last resort when no dialog can run: the caller hears an apology, then the call ends. */
function apologizeAndHangUp(leg: CallLeg, audio: readonly Buffer[]): void {
  for (const f of audio) leg.playAudio(f);
  const t = setTimeout(() => void leg.hangUp('error'), audio.length * 20 + 300);
  t.unref();
}
