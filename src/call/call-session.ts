import { errorSummary } from '../errors.js';
import { nowMs } from '../clock.js';
import type { LegEvent } from '../telephony/types.js';
import type { SttEvent, SttStream } from '../stt/types.js';
import { Speaker, type UtteranceTiming } from '../tts/speaker.js';
import type { DialogCommand, ExpectSpec } from '../dialog/types.js';
import type { CallSessionDeps } from './session-deps.js';
import { applyHints } from './expectation.js';
import { NoInputTimer, noteDigit, noteTranscript } from './session-input.js';
import { TaskBridge, type Utterance } from './task-bridge.js';

export type { CallSessionDeps, SessionMetrics } from './session-deps.js';

/**
 * Wires one call: leg ↔ STT ↔ dialog ↔ TTS, and owns their lifetimes. Every decision about what
 * to say or when to listen is the dialog's; this only moves events and commands between parts.
 * Contract: `run()` resolves when the call has ended and every resource is released.
 */
export class CallSession {
  private readonly ctrl = new AbortController();
  private readonly speaker: Speaker;
  private readonly tasks: TaskBridge;
  private stt: SttStream | undefined;
  private expect: ExpectSpec | undefined;
  private readonly noInput = new NoInputTimer();
  private heldDigits: string[] = [];
  private hangUpReason: string | undefined;
  /** Prompt wording variant (e.g. `keypad` once speech recognition degraded). */
  private promptVariant: string | undefined;
  private hangingUp = false;
  private ended = false;
  private resolveEnded!: () => void;
  private readonly endedPromise = new Promise<void>((r) => (this.resolveEnded = r));

  constructor(private readonly d: CallSessionDeps) {
    this.speaker = new Speaker(
      d.tts,
      d.leg,
      d.voice,
      {
        started: (id, t) => this.onSpeechOut(id, t),
        done: (id, interrupted) => this.onPlaybackDone(id, interrupted),
        failed: (id, err) => this.onTtsFailed(id, err.code),
      },
      d.logger,
    );
    this.tasks = new TaskBridge(d, {
      speak: (id, what) => this.say(id, what, true),
      speaking: () => this.speaker.speaking,
      ended: () => this.ended,
    });
  }

  async run(): Promise<void> {
    this.d.leg.onEvent((e) => this.onLeg(e));
    // The greeting starts at once; the recognizer comes up meanwhile (hints applied when ready).
    const sttReady = this.openStt();
    this.d.dialog.onCommand((c) => this.onCommand(c));
    this.d.dialog.start();
    await sttReady;
    if (this.ended) await this.stt?.close();
    return this.endedPromise;
  }

  private async openStt(): Promise<void> {
    try {
      this.stt = await this.d.stt.openStream(
        { language: this.d.voice.language, hints: [] },
        this.ctrl.signal,
      );
      this.stt.onEvent((e) => this.onStt(e));
      if (this.expect) applyHints(this.stt, this.expect, this.d.tasks, () => this.expect);
    } catch (err) {
      // Keypad still works; the dialog hears about it and can say so.
      this.d.logger.warn({ err: errorSummary(err) }, 'stt unavailable, keypad only');
      this.stt = undefined;
    }
  }

  private onLeg(e: LegEvent): void {
    switch (e.type) {
      case 'audio':
        this.stt?.write(e.frame);
        return;
      case 'dtmf':
        return this.onDigit(e.digit);
      case 'mark':
        return this.speaker.handleMark(e.name);
      case 'call.stopped':
        return this.end(`caller:${e.reason}`);
    } // call.started: nothing to do
  }

  private onStt(e: SttEvent): void {
    if (this.ended) return;
    if (e.type === 'speech.started') {
      this.noInput.clear();
      if (this.speaker.interruptible) this.bargeIn(e.atMs);
      if (!this.speaker.speaking) this.d.dialog.send({ type: 'user.speechStarted' });
    } else if (e.type === 'transcript') {
      // Speech over a prompt that may not be interrupted is not an answer to anything.
      if (this.speaker.speaking || !this.expect) return;
      noteTranscript(this.d, e);
      this.d.dialog.send({ type: 'user.transcript', text: e.text, confidence: e.confidence });
    } else if (e.type === 'provider.changed') {
      this.promptVariant = 'keypad'; // the fallback understands less: prefer keypad wording
    } else if (e.type === 'error') {
      this.d.logger.warn({ err: errorSummary(e.error) }, 'stt stream failed');
      const dead = this.stt;
      this.stt = undefined;
      void dead?.close();
      this.promptVariant = 'keypad';
      this.d.dialog.send({ type: 'bot.error', code: e.error.code });
      if (e.error.retryable) void this.openStt();
    }
  }

  private onDigit(digit: string): void {
    if (this.ended) return;
    this.noInput.clear();
    if (this.speaker.interruptible) this.bargeIn(nowMs());
    if (this.speaker.speaking) {
      this.heldDigits.push(digit); // type-ahead over a prompt that may not be interrupted
      return;
    }
    this.deliverDigit(digit);
  }

  private deliverDigit(digit: string): void {
    noteDigit(this.d, digit);
    this.d.dialog.send({ type: 'user.dtmf', digit });
  }

  private bargeIn(speechAtMs: number): void {
    const cut = this.speaker.interrupt();
    if (cut.length > 0) this.d.metrics.bargeInMs(nowMs() - speechAtMs);
  }

  private onCommand(c: DialogCommand): void {
    if (this.ended) return;
    switch (c.type) {
      case 'say':
        return this.say(c.id, { prompt: c.prompt, vars: c.vars }, c.bargeIn);
      case 'listen':
        this.expect = c.expect;
        applyHints(this.stt, c.expect, this.d.tasks, () => this.expect);
        return this.armNoInput();
      case 'task':
        this.noInput.clear();
        return this.tasks.run(c);
      case 'stopSpeaking':
        this.speaker.interrupt();
        return;
      // No transfer target is wired yet: the flow's goodbye has been said; end the stream.
      case 'transfer':
      case 'hangUp':
        this.hangUpReason = c.type === 'hangUp' ? c.reason : `transfer:${c.to}`;
        return this.hangUpWhenQuiet();
    }
  }

  /** Speaks a prompt (the dialog's, or the task bridge's own) or a task's text. */
  private say(id: string, what: Utterance, bargeIn: boolean): void {
    this.noInput.clear();
    let text: string;
    try {
      text =
        'text' in what
          ? what.text
          : this.d.render(what.prompt, what.vars ?? {}, this.promptVariant);
    } catch (err) {
      this.d.logger.error({ err: errorSummary(err), id }, 'prompt render failed');
      if (!this.tasks.played(id, false)) this.onTtsFailed(id, 'PROMPT_MISSING');
      return;
    }
    this.d.turns.bot(id, 'prompt' in what ? what.prompt : 'task.speech', text);
    this.speaker.speak(id, text, bargeIn);
  }

  private onSpeechOut(id: string, t: UtteranceTiming): void {
    this.stt?.setBotSpeaking?.(true, this.speaker.interruptible);
    if (t.firstAudioAtMs)
      this.d.metrics.stages?.({ tts_first_audio: t.firstAudioAtMs - t.requestedAtMs });
    const overhead = this.d.turns.started(id, t.firstAudioAtMs);
    if (overhead !== undefined) this.d.metrics.replyOverheadMs(overhead);
  }

  private onPlaybackDone(id: string, interrupted: boolean): void {
    this.d.turns.done(id, interrupted);
    if (this.ended) return;
    if (!this.tasks.played(id, interrupted)) {
      this.d.dialog.send({ type: 'bot.playbackDone', id, interrupted });
    }
    if (this.speaker.speaking) return;
    this.stt?.setBotSpeaking?.(false, false);
    if (this.hangUpReason) return this.hangUpWhenQuiet();
    const held = this.heldDigits.splice(0);
    for (const digit of held) this.deliverDigit(digit);
    if (held.length === 0) this.armNoInput();
  }

  /**
   * Synthesis failed: the apology plays at once, as an utterance of its own (so a hang-up waits
   * for it), and the dialog learns of the failure and that its prompt is over.
   */
  private onTtsFailed(id: string, code: string): void {
    if (this.d.apologyAudio.length > 0) {
      this.speaker.playFrames(`${id}:apology`, this.d.apologyAudio, true);
    }
    this.d.turns.done(id, false);
    this.d.dialog.send({ type: 'bot.error', code });
    this.d.dialog.send({ type: 'bot.playbackDone', id, interrupted: false });
  }

  private armNoInput(): void {
    this.noInput.clear();
    if (!this.expect || this.speaker.speaking || this.tasks.busy) return;
    if (this.hangUpReason || this.ended) return;
    this.noInput.arm(this.expect.noInputMs, () => {
      this.d.turns.caller({ noInput: true });
      this.d.dialog.send({ type: 'user.noInput' });
    });
  }

  private hangUpWhenQuiet(): void {
    this.noInput.clear();
    if (this.speaker.speaking || this.hangingUp) return; // resumed from onPlaybackDone
    this.hangingUp = true;
    const reason = this.hangUpReason ?? 'hangup';
    this.d.leg.hangUp(reason).then(
      () => this.end(reason),
      () => this.end(reason),
    );
  }

  /** Idempotent: releases STT, synthesis and timers; the dialog learns the call is over. */
  private end(outcome: string): void {
    if (this.ended) return;
    this.ended = true;
    this.noInput.clear();
    this.speaker.close();
    this.tasks.close();
    this.ctrl.abort();
    const rec = this.d.turns.record;
    rec.outcome ??= this.hangUpReason ?? outcome;
    rec.endedAtMs = nowMs();
    this.d.dialog.send({ type: 'call.hangup' });
    this.d.dialog.stop();
    const stt = this.stt;
    this.stt = undefined;
    (stt ? stt.close() : Promise.resolve()).then(this.resolveEnded, this.resolveEnded);
  }
}
