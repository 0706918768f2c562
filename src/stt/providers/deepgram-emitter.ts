import type { Logger } from '../../logger.js';
import type { SttEvent } from '../types.js';

/** Events kept until the first listener subscribes. */
const BACKLOG_LIMIT = 100;

/**
 * Delivers a stream's events in order to its listeners. Events emitted before the first
 * listener subscribes are kept (up to BACKLOG_LIMIT) and delivered on subscription; a listener
 * that throws is logged and does not stop delivery. After stop() nothing is delivered.
 */
export class SttEventEmitter {
  private readonly listeners: Array<(e: SttEvent) => void> = [];
  private backlog: SttEvent[] = [];
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  subscribe(listener: (e: SttEvent) => void): void {
    if (this.stopped) return;
    this.listeners.push(listener);
    const backlog = this.backlog;
    this.backlog = [];
    for (const e of backlog) this.deliver(listener, e);
  }

  emit(e: SttEvent): void {
    if (this.stopped) return;
    if (this.listeners.length === 0) {
      if (this.backlog.length < BACKLOG_LIMIT) this.backlog.push(e);
      return;
    }
    for (const l of this.listeners) this.deliver(l, e);
  }

  stop(): void {
    this.stopped = true;
    this.listeners.length = 0;
    this.backlog = [];
  }

  private deliver(listener: (e: SttEvent) => void, e: SttEvent): void {
    try {
      listener(e);
    } catch (err) {
      this.logger.error({ err }, 'stt.listener_threw');
    }
  }
}
