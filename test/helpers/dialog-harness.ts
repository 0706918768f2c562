import {
  createDialogRunner,
  type CompiledFlow,
  type DialogCommand,
  type DialogEvent,
  type DialogRunner,
} from '../../src/dialog/index.js';
import { silentLogger } from '../../src/logger.js';

/** A command as a short string: "say:main-menu.ask", "listen", "stopSpeaking", "hangUp:route:support". */
export function brief(c: DialogCommand): string {
  switch (c.type) {
    case 'say':
      return `say:${c.prompt}`;
    case 'listen':
      return 'listen';
    case 'stopSpeaking':
      return 'stopSpeaking';
    case 'transfer':
      return `transfer:${c.to}`;
    case 'hangUp':
      return `hangUp:${c.reason}`;
    case 'task':
      return `task:${c.name}`;
  }
}

/**
 * Drives a real DialogRunner the way the call session does: records commands, tracks which says
 * are still playing, and acknowledges them with `bot.playbackDone`.
 */
export class DialogHarness {
  readonly runner: DialogRunner;
  readonly all: DialogCommand[] = [];
  private fresh: DialogCommand[] = [];
  private playing: string[] = [];

  constructor(flow: CompiledFlow, vars: Record<string, string | number> = {}) {
    this.runner = createDialogRunner(flow, { vars, logger: silentLogger() });
    this.runner.onCommand((c) => {
      this.all.push(c);
      this.fresh.push(c);
      if (c.type === 'say') this.playing.push(c.id);
    });
  }

  start(): string[] {
    this.runner.start();
    return this.take();
  }

  /** Commands since the previous take(), briefly. */
  take(): string[] {
    const out = this.fresh.map(brief);
    this.fresh = [];
    return out;
  }

  /** The last listen command's expectation. */
  lastListen(): Extract<DialogCommand, { type: 'listen' }> | undefined {
    return this.all.filter((c) => c.type === 'listen').at(-1) as
      Extract<DialogCommand, { type: 'listen' }> | undefined;
  }

  lastSay(): Extract<DialogCommand, { type: 'say' }> | undefined {
    return this.all.filter((c) => c.type === 'say').at(-1) as
      Extract<DialogCommand, { type: 'say' }> | undefined;
  }

  send(e: DialogEvent): string[] {
    this.runner.send(e);
    return this.take();
  }

  /** Every say still playing finishes (or is cut off), oldest first. */
  finishPlayback(interrupted = false): string[] {
    const ids = this.playing;
    this.playing = [];
    for (const id of ids) this.runner.send({ type: 'bot.playbackDone', id, interrupted });
    return this.take();
  }

  /** Playback finished, then the caller spoke. */
  say(text: string, confidence = 0.95): string[] {
    this.finishPlayback();
    return this.send({ type: 'user.transcript', text, confidence });
  }

  press(digit: string): string[] {
    this.finishPlayback();
    return this.send({ type: 'user.dtmf', digit });
  }

  /** Playback finished, then the no-input timer fired. */
  silence(): string[] {
    this.finishPlayback();
    return this.send({ type: 'user.noInput' });
  }
}
