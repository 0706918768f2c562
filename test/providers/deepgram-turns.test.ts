/** Turn assembly and query building of the Deepgram provider: pure, message by message. */
import { describe, expect, it } from '@jest/globals';
import { cleanHints, listenQuery, MAX_HINTS } from '../../src/stt/providers/deepgram-params.js';
import { parseListenMessage, TurnAssembler } from '../../src/stt/providers/deepgram-turns.js';

const results = (transcript: string, flags: Record<string, boolean> = {}) =>
  parseListenMessage({
    type: 'Results',
    start: 1,
    duration: 1,
    is_final: true,
    channel: {
      alternatives: [
        {
          transcript,
          confidence: 0.9,
          words: transcript ? [{ word: 'x', start: 1, end: 1.8 }] : [],
        },
      ],
    },
    ...flags,
  }) as Extract<ReturnType<typeof parseListenMessage>, { type: 'Results' }>;

describe('TurnAssembler', () => {
  it('joins is_final segments and ends at speech_final; a later UtteranceEnd adds nothing', () => {
    const t = new TurnAssembler();
    expect(t.onResults(results('two large', { is_final: false }), 0, 10)).toEqual({
      type: 'partial',
      text: 'two large',
    });
    expect(t.onResults(results('two large'), 5, 10)).toBeUndefined();
    expect(t.inProgress).toBe(true);
    expect(t.onResults(results('pizzas', { speech_final: true }), 8, 12)).toMatchObject({
      type: 'transcript',
      text: 'two large pizzas',
      speechEndMs: 8,
      finalAtMs: 12,
    });
    expect(t.onUtteranceEnd(20)).toBeUndefined();
    expect(t.onResults(results('', { speech_final: true }), 0, 21)).toBeUndefined();
  });

  it('UtteranceEnd ends a turn that never got speech_final', () => {
    const t = new TurnAssembler();
    t.onResults(results('main street'), 5, 10);
    expect(t.onUtteranceEnd(30)).toMatchObject({ text: 'main street', finalAtMs: 30 });
  });

  it('each finalize() gets one transcript: words if any, else empty', () => {
    const t = new TurnAssembler();
    t.requestFinalize();
    t.requestFinalize();
    t.onResults(results('yes'), 5, 10);
    expect(t.onResults(results('', { from_finalize: true }), 0, 11)).toMatchObject({ text: 'yes' });
    expect(t.onResults(results('', { from_finalize: true }), 0, 12)).toMatchObject({
      text: '',
      confidence: 0,
    });
    expect(t.finalizePending).toBe(false);
    expect(t.onResults(results('', { from_finalize: true }), 0, 13)).toBeUndefined();
  });

  it('a speech_final answers a pending finalize (no extra empty transcript)', () => {
    const t = new TurnAssembler();
    t.requestFinalize();
    expect(t.onResults(results('no', { speech_final: true }), 5, 10)).toMatchObject({ text: 'no' });
    expect(t.onResults(results('', { from_finalize: true }), 0, 11)).toBeUndefined();
  });

  it('forceEnd answers pending finalizes once', () => {
    const t = new TurnAssembler();
    t.requestFinalize();
    expect(t.forceEnd(50)).toMatchObject({ text: '', finalAtMs: 50 });
    expect(t.forceEnd(60)).toBeUndefined();
  });

  it('ignores unknown messages', () => {
    expect(parseListenMessage({ type: 'Error' })).toBeUndefined();
    expect(parseListenMessage('text')).toBeUndefined();
  });
});

describe('listen query', () => {
  it('dedupes, skips long phrases and caps the hint count', () => {
    const many = Array.from({ length: MAX_HINTS + 20 }, (_, i) => `item ${i}`);
    expect(cleanHints(['Yes', 'yes ', '  two   words ', 'x'.repeat(80)])).toEqual([
      'Yes',
      'two words',
    ]);
    const q = listenQuery('nova-3', 'en-US', { hints: many, endpointing: 'normal' });
    expect(q.keyterm).toHaveLength(MAX_HINTS);
    expect(listenQuery('nova-3', 'en', { hints: [], endpointing: 'short' })).not.toHaveProperty(
      'keyterm',
    );
  });
});
