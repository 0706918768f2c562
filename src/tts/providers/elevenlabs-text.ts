import { splitSentences } from './espeak.js';

/**
 * How an ElevenLabs request is cut up and addressed. Pure functions (no SDK, no I/O).
 */

/** One HTTP request's text, with its neighbours for prosody continuity across requests. */
export interface Segment {
  text: string;
  /** Text spoken before this segment (tail only), sent as `previous_text`. */
  previousText?: string;
  /** Text spoken after this segment (head only), sent as `next_text`. */
  nextText?: string;
}

/** Later sentences are grouped into requests of at most this many characters (one sentence may exceed it). */
export const MAX_SEGMENT_CHARS = 400;
const CONTEXT_CHARS = 200;

/**
 * Splits text into request segments: the first sentence alone (so first audio does not wait for
 * the rest of the text), then the remaining sentences greedily grouped up to MAX_SEGMENT_CHARS.
 * Text without words yields no segments. Order is speaking order.
 */
export function segmentText(text: string): Segment[] {
  const sentences = splitSentences(text);
  const groups: string[] = [];
  for (const s of sentences) {
    const last = groups.length > 1 ? groups[groups.length - 1] : undefined;
    if (last !== undefined && last.length + 1 + s.length <= MAX_SEGMENT_CHARS) {
      groups[groups.length - 1] = `${last} ${s}`;
    } else {
      groups.push(s);
    }
  }
  return groups.map((g, i) => {
    const before = groups.slice(0, i).join(' ');
    const after = groups.slice(i + 1).join(' ');
    return {
      text: g,
      ...(before ? { previousText: before.slice(-CONTEXT_CHARS) } : {}),
      ...(after ? { nextText: after.slice(0, CONTEXT_CHARS) } : {}),
    };
  });
}

/** ElevenLabs voice ids are 20 ASCII letters/digits (e.g. "21m00Tcm4TlvDq8ikWAM"). */
const VOICE_ID_RE = /^[A-Za-z0-9]{20}$/;

/**
 * The voice to request: `requested` when it has the shape of an ElevenLabs voice id, else the
 * configured voice. TTS_VOICE defaults to the espeak-ng name "en-us", which is never a voice id,
 * so a deployment switching providers keeps working with ELEVENLABS_VOICE_ID alone.
 */
export function resolveVoiceId(requested: string, configured: string): string {
  const v = requested.trim();
  return VOICE_ID_RE.test(v) ? v : configured;
}

/**
 * `language_code` (ISO 639-1, from a BCP 47 tag like "en-US") is sent only to the v2.5 models:
 * the API documents an error for other models when it is present.
 */
export function languageCodeFor(modelId: string, language: string): string | undefined {
  if (!/_v2_5$/.test(modelId)) return undefined;
  const primary = language.trim().split(/[-_]/)[0]?.toLowerCase() ?? '';
  return /^[a-z]{2}$/.test(primary) ? primary : undefined;
}
