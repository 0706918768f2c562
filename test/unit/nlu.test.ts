import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  editDistance,
  matchChoice,
  matchDtmf,
  normalizeText,
  parseSpokenDigits,
  type ExpectSpec,
} from '../../src/nlu/index.js';

const menu: ExpectSpec = {
  choices: [
    { id: 'order', phrases: ['order', 'place an order'], dtmf: '1' },
    { id: 'booking', phrases: ['booking', 'book', 'appointment'], dtmf: '2' },
    { id: 'support', phrases: ['support', 'customer support'], dtmf: '3' },
  ],
};
const yesNo: ExpectSpec = {
  choices: [
    { id: 'yes', phrases: ['yes'] },
    { id: 'no', phrases: ['no'] },
  ],
};

describe('normalizeText', () => {
  it('lowercases, drops apostrophes and punctuation, stems plurals', () => {
    expect(normalizeText("  That's RIGHT!  ")).toBe('that right');
    expect(normalizeText('Orders, please.')).toBe('order please');
    expect(normalizeText('yes')).toBe('yes');
    expect(normalizeText('Café')).toBe('cafe');
  });
});

describe('matchChoice', () => {
  it('an exact whole-utterance phrase has confidence 1', () => {
    expect(matchChoice('Support.', menu)).toEqual({ choiceId: 'support', confidence: 1 });
  });

  it('finds a phrase inside a longer utterance with slightly lower confidence', () => {
    expect(matchChoice('I would like to book an appointment please', menu)).toEqual({
      choiceId: 'booking',
      confidence: 0.9,
    });
  });

  it('matches a misrecognised word fuzzily with a confidence low enough to confirm', () => {
    const m = matchChoice('suport', menu);
    expect(m?.choiceId).toBe('support');
    expect(m?.confidence).toBeGreaterThan(0.4);
    expect(m?.confidence).toBeLessThan(0.6);
  });

  it('maps a spoken keypad digit to its choice', () => {
    expect(matchChoice('three', menu)?.choiceId).toBe('support');
  });

  it('returns nothing for unrelated words, empty input, or a tie', () => {
    expect(matchChoice('pizza with cheese', menu)).toBeUndefined();
    expect(matchChoice('   ', menu)).toBeUndefined();
    expect(matchChoice('order or booking', menu)).toBeUndefined();
  });

  it('discounts a winner when another choice was also heard', () => {
    const m = matchChoice('support bookin', menu);
    expect(m?.choiceId).toBe('support');
    expect(m?.confidence).toBeLessThan(0.6);
  });

  it.each(['yes', 'yeah', 'yep', 'correct', "that's right", 'sure', 'okay'])(
    '"%s" means yes',
    (t) => {
      expect(matchChoice(t, yesNo)?.choiceId).toBe('yes');
    },
  );

  it.each(['no', 'nope', 'incorrect', 'not correct', 'not right', 'wrong'])(
    '"%s" means no',
    (t) => {
      expect(matchChoice(t, yesNo)?.choiceId).toBe('no');
    },
  );

  it('yes/no synonyms apply only to choices with those ids', () => {
    expect(matchChoice('yeah', menu)).toBeUndefined();
  });
});

describe('matchDtmf', () => {
  it('selects the choice bound to the key with confidence 1', () => {
    expect(matchDtmf('2', menu)).toEqual({ choiceId: 'booking', confidence: 1 });
    expect(matchDtmf('9', menu)).toBeUndefined();
  });
});

describe('parseSpokenDigits', () => {
  it('reads digit words and numerals', () => {
    expect(parseSpokenDigits('one two three four')).toBe('1234');
    expect(parseSpokenDigits('oh 7 9')).toBe('079');
    expect(parseSpokenDigits('one banana')).toBeUndefined();
    expect(parseSpokenDigits('')).toBeUndefined();
  });
});

const choiceArb = fc.record({
  id: fc.stringMatching(/^[a-z]{1,8}$/),
  phrases: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 3 }),
  dtmf: fc.option(fc.constantFrom('0', '1', '2', '3', '*', '#'), { nil: undefined }),
});
const expectArb = fc.record({ choices: fc.array(choiceArb, { maxLength: 5 }) });

describe('NLU laws', () => {
  it('matchChoice never returns a choice that was not expected, and confidence is in (0, 1]', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), expectArb, (text, expect_) => {
        const m = matchChoice(text, expect_);
        if (!m) return true;
        return (
          expect_.choices.some((c) => c.id === m.choiceId) && m.confidence > 0 && m.confidence <= 1
        );
      }),
    );
  });

  it('a phrase said on its own selects its choice when no other choice shares it', () => {
    fc.assert(
      fc.property(expectArb, fc.nat(), (expect_, pick) => {
        const choice = expect_.choices[pick % Math.max(1, expect_.choices.length)];
        const phrase = choice?.phrases[0];
        if (!choice || !phrase || normalizeText(phrase) === '') return true;
        const shared = expect_.choices.some(
          (c) =>
            c.id !== choice.id &&
            c.phrases.some((p) => normalizeText(p).includes(normalizeText(phrase))),
        );
        fc.pre(!shared && expect_.choices.filter((c) => c.id === choice.id).length === 1);
        return matchChoice(phrase, expect_)?.choiceId === choice.id;
      }),
    );
  });

  it('matchDtmf only returns the choice bound to that key', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('0', '1', '2', '3', '4', '*', '#'),
        expectArb,
        (digit, expect_) => {
          const m = matchDtmf(digit, expect_);
          return m === undefined
            ? !expect_.choices.some((c) => c.dtmf === digit)
            : expect_.choices.find((c) => c.dtmf === digit)?.id === m.choiceId;
        },
      ),
    );
  });

  it('editDistance is a metric', () => {
    const s = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(s, s, s, (a, b, c) => {
        return (
          editDistance(a, a) === 0 &&
          editDistance(a, b) === editDistance(b, a) &&
          editDistance(a, c) <= editDistance(a, b) + editDistance(b, c)
        );
      }),
    );
  });
});
