import type { Endpointing } from '../types.js';

/**
 * Turn-end timing per endpointing policy, in ms. `endpointingMs` = silence after speech that
 * makes Deepgram mark a final `speech_final` (fast path); `utteranceEndMs` = gap after the last
 * finalized word that yields `UtteranceEnd` (the path that still works on a noisy line; Deepgram
 * gives no benefit below 1000 because interim results arrive about a second apart).
 * - short (yes/no, menu choice): answers are one or two words; end the turn fast.
 * - normal: a sentence ("two large pepperoni pizzas").
 * - long (address, card number read in groups): callers pause between parts; allow it.
 */
export const ENDPOINTING_MS: Record<
  Endpointing,
  { endpointingMs: number; utteranceEndMs: number }
> = {
  short: { endpointingMs: 300, utteranceEndMs: 1000 },
  normal: { endpointingMs: 500, utteranceEndMs: 1200 },
  long: { endpointingMs: 1200, utteranceEndMs: 2000 },
};

/** Hints beyond this many are not sent (the URL and the keyterm token budget are limited). */
export const MAX_HINTS = 50;
/** Phrases longer than this (characters) are skipped: keyterms are for names and short terms. */
export const MAX_HINT_CHARS = 50;

/** Connect-time expectations of one socket; equal keys = no reconnect needed. */
export interface ListenExpectation {
  endpointing: Endpointing;
  hints: readonly string[];
}

/** Trimmed, whitespace-collapsed, case-insensitively deduplicated, short, capped hint phrases. */
export function cleanHints(hints: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of hints) {
    const h = raw.replace(/\s+/g, ' ').trim();
    const key = h.toLowerCase();
    if (!h || h.length > MAX_HINT_CHARS || seen.has(key)) continue;
    seen.add(key);
    out.push(h);
    if (out.length >= MAX_HINTS) break;
  }
  return out;
}

/** Nova-3 (and Flux) take `keyterm`; older models take `keywords` and reject `keyterm`. */
export function usesKeyterm(model: string): boolean {
  return model === 'nova-3' || model.startsWith('nova-3-') || model.startsWith('flux');
}

/** Single words for `keywords` (older models boost words, not phrases). */
function keywordsOf(phrases: readonly string[]): string[] {
  const words = new Set<string>();
  for (const p of phrases) {
    for (const w of p.toLowerCase().split(' ')) {
      const word = w.replace(/[^\p{L}\p{N}'-]/gu, '');
      if (word.length >= 2) words.add(word);
    }
  }
  return [...words].slice(0, MAX_HINTS);
}

export function expectationKey(e: ListenExpectation): string {
  return JSON.stringify([e.endpointing, cleanHints(e.hints)]);
}

/** Listen v1 query parameters for Twilio audio (µ-law 8 kHz mono, forwarded as-is). */
export function listenQuery(
  model: string,
  language: string,
  e: ListenExpectation,
): Record<string, string | number | string[]> {
  const timing = ENDPOINTING_MS[e.endpointing];
  const hints = cleanHints(e.hints);
  const boostKey = usesKeyterm(model) ? 'keyterm' : 'keywords';
  const boost = boostKey === 'keyterm' ? hints : keywordsOf(hints);
  return {
    model,
    language,
    encoding: 'mulaw',
    sample_rate: 8000,
    channels: 1,
    interim_results: 'true',
    vad_events: 'true',
    smart_format: 'true',
    punctuate: 'true',
    endpointing: timing.endpointingMs,
    utterance_end_ms: timing.utteranceEndMs,
    ...(boost.length ? { [boostKey]: boost } : {}),
  };
}
