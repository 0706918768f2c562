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
import type { CallContext, CallContexts } from './call-contexts.js';
import type { CallRecord } from './call-record.js';
import type { CallRegistry } from './call-registry.js';
import type { CallStore } from './call-store.js';
import { CallSession, type SessionMetrics } from './call-session.js';
import { TurnLog } from './turn-log.js';
import { CallTasks, EMPTY_TASKS, type TaskCatalog } from './task-runner.js';

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
  /** Values every flow may use, e.g. businessName (a call's tenant overrides businessName). */
  vars: Record<string, string | number>;
  /** What the voice webhook learned about each call (tenant, caller); see CallContexts. */
  contexts?: CallContexts;
  /** Task handlers and dynamic vocabularies flows may use (none: tasks answer `unavailable`). */
  tasks?: TaskCatalog;
  /** Told once per call, after its final record was handed to the store. Must not throw. */
  onCallEnded?: (record: CallRecord) => void;
  logger: Logger;
}

/**
 * Turns every live leg into a running CallSession: picks the flow named by the stream's `flowId`
 * parameter (falling back to the default flow), takes the webhook's context of the call (tenant,
 * caller name) — the stream's `tenantId` parameter when there is none — opens the call record,
 * and tracks the session until it ends. Never throws into the media server.
 */
export function createCallHandler(d: CallHandlerDeps): (leg: CallLeg) => void {
  return (leg) => {
    const p = leg.info.params;
    const ctx = d.contexts?.take(leg.info.callSid);
    const tenantId = ctx?.tenantId ?? p.tenantId;
    const requested = p.flowId ?? d.defaultFlow;
    const flow = d.flows.get(requested) ?? d.flows.get(d.defaultFlow);
    const log = callLogger(d.logger, {
      callSid: leg.info.callSid,
      flow: flow?.id ?? requested,
      ...(tenantId ? { tenant: tenantId } : {}),
    });
    if (!flow) {
      log.error({ requested }, 'no flow to run; ending stream');
      void leg.hangUp('no-flow');
      return;
    }
    if (flow.id !== requested) log.warn({ requested }, 'unknown flow requested; using the default');
    const record = openRecord(leg, flow, tenantId);
    d.store.upsert(record);
    runSession(d, { leg, flow, record, ctx, log });
  };
}

function openRecord(leg: CallLeg, flow: CompiledFlow, tenantId: string | undefined): CallRecord {
  const p = leg.info.params;
  return {
    callSid: leg.info.callSid,
    streamSid: leg.info.streamSid,
    ...(tenantId ? { tenantId } : {}),
    direction: p.direction ?? 'inbound',
    ...(p.from ? { from: p.from } : {}),
    ...(p.to ? { to: p.to } : {}),
    flow: { id: flow.id, version: flow.version },
    startedAtMs: nowMs(),
    turns: [],
    statusEvents: [],
    counters: { framesIn: 0, framesOut: 0, malformed: 0, bargeIns: 0 },
  };
}

/** The dialog's vars: the service's, then the tenant's name and the known caller's name. */
function callVars(
  d: CallHandlerDeps,
  ctx: CallContext | undefined,
): Record<string, string | number> {
  return {
    ...d.vars,
    ...(ctx ? { businessName: ctx.tenantName } : {}),
    ...(ctx?.callerName ? { callerName: ctx.callerName } : {}),
  };
}

interface CallParts {
  leg: CallLeg;
  flow: CompiledFlow;
  record: CallRecord;
  ctx: CallContext | undefined;
  log: Logger;
}

function newSession(d: CallHandlerDeps, c: CallParts, signal: AbortSignal): CallSession {
  const from = c.leg.info.params.from;
  const tasks = new CallTasks(
    d.tasks ?? EMPTY_TASKS,
    {
      callSid: c.leg.info.callSid,
      ...(c.record.tenantId ? { tenantId: c.record.tenantId } : {}),
      ...(from ? { caller: from } : {}),
      logger: c.log,
    },
    signal,
    c.log,
  );
  const dialog = createDialogRunner(c.flow, {
    vars: callVars(d, c.ctx),
    availableTasks: tasks.available,
    logger: c.log,
  });
  return new CallSession({
    tasks,
    leg: c.leg,
    stt: d.stt,
    tts: d.tts,
    dialog,
    render: (key, vars, variant) => {
      const special = variant ? `${key}.${variant}` : undefined;
      return renderPrompt(d.prompts, special && d.prompts.texts.has(special) ? special : key, vars);
    },
    apologyAudio: d.apologyAudio(),
    turns: new TurnLog(c.record, (r) => d.store.changed(r)),
    metrics: d.metrics,
    voice: c.ctx?.voice ? { ...d.voice, voice: c.ctx.voice } : d.voice,
    logger: c.log,
  });
}

function runSession(d: CallHandlerDeps, c: CallParts): void {
  const { leg, record, log } = c;
  const p = leg.info.params;
  const tasksCtrl = new AbortController();
  try {
    const session = newSession(d, c, tasksCtrl.signal);
    const known = c.ctx?.callerName !== undefined;
    log.info({ callerKnown: known, pii: { from: p.from, to: p.to } }, 'call started');
    const ended = session
      .run()
      .catch((err: unknown) => {
        log.error({ err: errorSummary(err) }, 'call session failed');
        record.outcome ??= 'error:session';
        record.endedAtMs ??= nowMs();
        apologizeAndHangUp(leg, d.apologyAudio());
      })
      .then(() => {
        tasksCtrl.abort();
        endRecord(d, record, log);
      });
    d.registry.track(leg.info.callSid, ended);
  } catch (err) {
    log.error({ err: errorSummary(err) }, 'call setup failed');
    record.outcome = 'error:setup';
    record.endedAtMs = nowMs();
    endRecord(d, record, log);
    apologizeAndHangUp(leg, d.apologyAudio());
  }
}

function endRecord(d: CallHandlerDeps, record: CallRecord, log: Logger): void {
  d.store.upsert(record);
  try {
    d.onCallEnded?.(record);
  } catch (err) {
    log.error({ err: errorSummary(err) }, 'call end hook failed');
  }
  log.info({ outcome: record.outcome, turns: record.turns.length }, 'call ended');
}

/** Last resort when no dialog can run: the caller hears an apology, then the call ends. */
function apologizeAndHangUp(leg: CallLeg, audio: readonly Buffer[]): void {
  for (const f of audio) leg.playAudio(f);
  const t = setTimeout(() => void leg.hangUp('error'), audio.length * 20 + 300);
  t.unref();
}
