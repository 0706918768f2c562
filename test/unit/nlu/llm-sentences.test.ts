import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SentenceSplitter, speakable, splitSentences } from '../../../src/nlu/llm/sentences.js';

/** Feeds `pieces` one by one; returns every sentence with the piece index that released it. */
function stream(pieces: string[]): Array<[string, number]> {
  const s = new SentenceSplitter();
  const out: Array<[string, number]> = [];
  pieces.forEach((p, i) => out.push(...s.push(p).map((x): [string, number] => [x, i])));
  const rest = s.flush();
  if (rest) out.push([rest, pieces.length]);
  return out;
}

describe('sentence splitter', () => {
  it('splits at terminators followed by whitespace and keeps the unterminated tail', () => {
    expect(splitSentences('Hello there. How are you? Great! And then')).toEqual([
      'Hello there.',
      'How are you?',
      'Great!',
      'And then',
    ]);
  });

  it('does not split titles, initials, e.g., decimals and prices', () => {
    const text =
      'Mr. Smith and Dr. Jones open the store, e.g. on Main St. at noon. ' +
      'A large pizza is $3.50 today. J. R. Tolkien was 3.5 times luckier. Bye.';
    expect(splitSentences(text)).toEqual([
      'Mr. Smith and Dr. Jones open the store, e.g. on Main St. at noon.',
      'A large pizza is $3.50 today.',
      'J. R. Tolkien was 3.5 times luckier.',
      'Bye.',
    ]);
  });

  it('ends at etc. / a.m. only before a capitalised word', () => {
    expect(
      splitSentences('We open at 9 a.m. Come early. Bring cups, plates etc. and chairs.'),
    ).toEqual(['We open at 9 a.m.', 'Come early.', 'Bring cups, plates etc. and chairs.']);
  });

  it('releases a sentence as soon as the next token shows its end', () => {
    const pieces = ['Sure', '.', ' We', ' close', ' at', ' 9', '.', '30', ' tonight', '.', ' Bye'];
    expect(stream(pieces)).toEqual([
      ['Sure.', 2],
      ['We close at 9.30 tonight.', 10],
      ['Bye', 11],
    ]);
  });

  it('waits when an abbreviation at the buffer end could go either way', () => {
    const s = new SentenceSplitter();
    expect(s.push('Open until 5 p.m.')).toEqual([]);
    expect(s.push(' ')).toEqual([]);
    expect(s.push('Thanks')).toEqual(['Open until 5 p.m.']);
  });

  it('splits at line breaks and strips markdown marks', () => {
    expect(splitSentences('**Yes**, we deliver\n- Monday to Friday\n\n1. Call us')).toEqual([
      'Yes, we deliver',
      'Monday to Friday',
      'Call us',
    ]);
    expect(speakable('  `code`  and # heading ')).toBe('code and heading');
  });

  it('gives the same sentences however the text is chunked (property)', () => {
    const text =
      'Hi Mr. Lee. Pizza costs $12.50, e.g. a large one! Is that ok? We open at 9 a.m. Daily. Bye';
    const whole = splitSentences(text);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: text.length - 1 })), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces = [0, ...points].map((p, i) => text.slice(p, points[i] ?? text.length));
        expect(stream(pieces).map(([s]) => s)).toEqual(whole);
      }),
    );
  });
});
