/**
 * Incremental sentence splitting of a streamed answer, so speech can start at the first
 * complete sentence. A sentence ends at `.`, `!`, `?` or `…` (plus closing quotes/brackets)
 * followed by whitespace, or at a line break. Because the character after a terminator decides,
 * a sentence is released when the next chunk arrives (or at `flush()`).
 *
 * Not a boundary: titles ("Mr. Smith", "Dr.", "St."), "e.g." / "i.e." / "vs.", single initials
 * ("J. Smith"), decimals ("$3.50": no whitespace after the dot). "etc.", "a.m.", "p.m.", "Inc."
 * end a sentence only when the next word is capitalised. Doubt means merging two sentences,
 * never cutting one: a longer first sentence costs a little latency, a cut one sounds wrong.
 */

/** Abbreviations that never end a sentence (lowercase, without the final dot). */
const NEVER_END = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'st',
  'mt',
  'ave',
  'blvd',
  'rd',
  'vs',
  'e.g',
  'i.e',
  'approx',
  'dept',
  'ft',
  'oz',
  'lb',
  'lbs',
  'no',
  'nos',
  'tel',
  'ext',
]);

/** Abbreviations that end a sentence only before a capitalised word. */
const MAYBE_END = new Set([
  'etc',
  'a.m',
  'p.m',
  'am',
  'pm',
  'inc',
  'ltd',
  'co',
  'corp',
  'jr',
  'sr',
]);

const CANDIDATE = /[.!?…]+["'”’)\]]*(?=\s)|\n/g;

type Verdict = 'end' | 'continue' | 'wait';

export class SentenceSplitter {
  private buf = '';

  /** Append streamed text; returns the sentences it completed, in order (speakable, trimmed). */
  push(text: string): string[] {
    this.buf += text;
    const out: string[] = [];
    for (;;) {
      const end = findSentenceEnd(this.buf);
      if (end === undefined) return out;
      const sentence = speakable(this.buf.slice(0, end));
      this.buf = this.buf.slice(end);
      if (sentence) out.push(sentence);
    }
  }

  /** The text left when the stream ended (an unterminated final sentence), if any. */
  flush(): string | undefined {
    const rest = speakable(this.buf);
    this.buf = '';
    return rest || undefined;
  }
}

/** Split a complete text into sentences (same rules as the streaming splitter). */
export function splitSentences(text: string): string[] {
  const s = new SentenceSplitter();
  const out = s.push(text);
  const rest = s.flush();
  return rest ? [...out, rest] : out;
}

/** Index just past the first complete sentence in `buf`, or undefined (none yet). */
export function findSentenceEnd(buf: string): number | undefined {
  for (const m of buf.matchAll(CANDIDATE)) {
    const end = m.index + m[0].length;
    const verdict = m[0] === '\n' ? 'end' : judge(buf, m.index, m[0], end);
    if (verdict === 'end') return end;
    if (verdict === 'wait') return undefined;
  }
  return undefined;
}

function judge(buf: string, at: number, terminator: string, end: number): Verdict {
  if (terminator[0] !== '.' || terminator.startsWith('..')) return 'end';
  const line = buf.slice(buf.lastIndexOf('\n', at) + 1, at);
  if (/^\s*\d+$/.test(line)) return 'continue'; // a list number ("1. ")
  const word = /([A-Za-z][A-Za-z.]*)$/.exec(buf.slice(0, at))?.[1];
  if (word === undefined) return 'end';
  const lower = word.toLowerCase();
  if (NEVER_END.has(lower)) return 'continue';
  if (word.length === 1 && word === word.toUpperCase()) return 'continue';
  if (!MAYBE_END.has(lower)) return 'end';
  const next = buf.slice(end).trimStart();
  if (next === '') return 'wait';
  return /^[A-Z]/.test(next) ? 'end' : 'continue';
}

/** Collapse whitespace and drop markdown marks a voice should not read out. */
export function speakable(text: string): string {
  return text
    .replace(/^\s*(?:[-*•]|#+|\d+[.)])\s+/gm, '')
    .replace(/[*`#]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
