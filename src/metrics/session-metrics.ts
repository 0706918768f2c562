import type { SessionMetrics } from '../call/session-deps.js';
import type { RuntimeStats } from '../http/stats.js';
import { TURN_STAGES, type Metrics, type TurnStage } from './metrics.js';

/** The call sessions' latency samples (ms), fed both to /api/stats and to the Prometheus histogram. */
export function sessionMetrics(stats: RuntimeStats, metrics: Metrics): SessionMetrics {
  return {
    replyOverheadMs: (ms) => {
      stats.replyOverhead.add(ms);
      metrics.observeStage('reply_overhead', ms);
    },
    bargeInMs: (ms) => {
      stats.bargeIn.add(ms);
      metrics.observeStage('barge_in', ms);
    },
    stages: (stages) => {
      for (const [stage, ms] of Object.entries(stages)) {
        if ((TURN_STAGES as readonly string[]).includes(stage)) {
          metrics.observeStage(stage as TurnStage, ms);
        }
      }
    },
  };
}
