import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProviderHealthSnapshot } from '../providers/health.js';

/** Stages of one caller turn (see docs/operations): each observed in milliseconds. */
export type TurnStage =
  /** Caller speech end → the recognizer's final transcript. */
  | 'stt_final'
  /** Request to the LLM → its first token. */
  | 'llm_first_token'
  /** Request to the LLM → a complete tool call (understanding step). */
  | 'llm_tool_call'
  /** Request to the LLM → its first complete sentence (speech can start). */
  | 'llm_first_sentence'
  /** Synthesis request → first audio frame. */
  | 'tts_first_audio'
  /** Caller's final transcript/digit → first reply audio sent (our own processing). */
  | 'reply_overhead'
  /** Caller speech start → bot audio stopped. */
  | 'barge_in';

export const TURN_STAGES: readonly TurnStage[] = [
  'stt_final',
  'llm_first_token',
  'llm_tool_call',
  'llm_first_sentence',
  'tts_first_audio',
  'reply_overhead',
  'barge_in',
];

export type FallbackKind = 'stt' | 'tts' | 'llm';

export interface MetricsOptions {
  /** Live calls right now (read at each scrape). */
  liveCalls?: () => number;
  /** Provider health (read at each scrape) for `ivr_provider_up`. */
  providerHealth?: () => readonly ProviderHealthSnapshot[];
  /** Register Node process metrics (CPU, memory, event loop, GC). Default true. */
  processMetrics?: boolean;
}

/** Seconds; covers a fast local turn (25 ms) to a stuck vendor (10 s). */
const STAGE_BUCKETS_S = [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];

/**
 * The Prometheus metrics of one server, on a Registry of its own (never prom-client's global
 * one), so two servers in one process (tests) do not share or clash. Scrape with `render()`.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly stage: Histogram<'stage'>;
  private readonly errors: Counter<'provider' | 'code'>;
  private readonly fallbacks: Counter<'kind' | 'from' | 'to'>;
  private liveCalls: () => number;
  private providerHealth: () => readonly ProviderHealthSnapshot[];

  constructor(opts: MetricsOptions = {}) {
    this.liveCalls = opts.liveCalls ?? (() => 0);
    this.providerHealth = opts.providerHealth ?? (() => []);
    const registers = [this.registry];
    this.stage = new Histogram({
      name: 'ivr_turn_stage_seconds',
      help: 'Latency of each stage of a caller turn, in seconds',
      labelNames: ['stage'],
      buckets: STAGE_BUCKETS_S,
      registers,
    });
    this.errors = new Counter({
      name: 'ivr_provider_errors_total',
      help: 'Failures of speech/language providers, by provider and error code',
      labelNames: ['provider', 'code'],
      registers,
    });
    this.fallbacks = new Counter({
      name: 'ivr_provider_fallbacks_total',
      help: 'Switches from a failed provider to its fallback',
      labelNames: ['kind', 'from', 'to'],
      registers,
    });
    this.gauges(registers);
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Replaces the live-calls source (the call registry may be built after the metrics). */
  setLiveCalls(source: () => number): void {
    this.liveCalls = source;
  }

  /** Replaces the provider-health source. */
  setProviderHealth(source: () => readonly ProviderHealthSnapshot[]): void {
    this.providerHealth = source;
  }

  /** `ms` in milliseconds (exported in seconds); negative or non-finite values are dropped. */
  observeStage(stage: TurnStage, ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.stage.observe({ stage }, ms / 1000);
  }

  providerError(provider: string, code: string): void {
    this.errors.inc({ provider, code });
  }

  fallback(kind: FallbackKind, from: string, to: string): void {
    this.fallbacks.inc({ kind, from, to });
  }

  /** The exposition text and its Content-Type (text/plain; version=0.0.4). */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private gauges(registers: Registry[]): void {
    const liveCalls = (): number => this.liveCalls();
    const health = (): readonly ProviderHealthSnapshot[] => this.providerHealth();
    new Gauge({
      name: 'ivr_live_calls',
      help: 'Calls in progress in this process',
      registers,
      collect() {
        this.set(liveCalls());
      },
    });
    new Gauge({
      name: 'ivr_provider_up',
      help: '1 when the provider takes calls, 0 while its circuit is open (down or probing)',
      labelNames: ['provider'],
      registers,
      collect() {
        this.reset();
        for (const p of health()) this.set({ provider: p.provider }, p.state === 'up' ? 1 : 0);
      },
    });
  }
}
