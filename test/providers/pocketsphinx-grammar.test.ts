import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  buildGrammar,
  DEFAULT_PHRASES,
  dictionaryLines,
  type Lexicon,
  loadLexicon,
  normalizeText,
  numberToWords,
} from '../../src/stt/providers/pocketsphinx-grammar.js';
import { SPEECH_PATHS } from '../helpers/speech.js';

let lexicon: Lexicon;
beforeAll(async () => {
  lexicon = await loadLexicon(SPEECH_PATHS.dict);
});

describe('pocketsphinx grammar from hints', () => {
  it('reads the dictionary, alternate pronunciations under the base word', () => {
    expect(lexicon.size).toBeGreaterThan(100000);
    expect(lexicon.has("i'd")).toBe(true);
    expect(lexicon.get('the')).toEqual(['DH AH', 'DH IY']);
    expect(lexicon.has('the(2)')).toBe(false);
    expect(dictionaryLines(['the', 'yes'], lexicon)).toBe('the DH AH\nthe(2) DH IY\nyes Y EH S');
  });

  it('normalizes to dictionary spellings', () => {
    expect(normalizeText('I’d like to Talk to a PERSON, please!')).toBe(
      "i'd like to talk to a person please",
    );
    expect(normalizeText('"Book" a table for 2 & more')).toBe('book a table for two and more');
    expect(normalizeText('Café e-mail')).toBe('cafe e-mail');
    expect(numberToWords('21')).toBe('twenty one');
    expect(numberToWords('1200')).toBe('one thousand two hundred');
    expect(numberToWords('0')).toBe('zero');
  });

  it('accepts exactly one phrase, with optional lead-in and tail', () => {
    const g = buildGrammar(['Order', 'book', 'talk to a person', 'order'], lexicon);
    expect(g.phrases).toEqual(['order', 'book', 'talk to a person']);
    expect(g.jsgf).toContain('public <utterance> = [ <lead> ] <phrase> [ <tail> ];');
    expect(g.jsgf).toContain('<phrase> = ( order ) | ( book ) | ( talk to a person );');
    expect(g.jsgf).toContain("( i'd like to )");
    expect([...g.phraseWords].sort()).toEqual(['a', 'book', 'order', 'person', 'talk', 'to']);
    expect(g.words).toEqual(expect.arrayContaining(['order', "i'd", 'please']));
  });

  it('can leave the fillers out', () => {
    const g = buildGrammar(['yes', 'no'], lexicon, { fillers: false });
    expect(g.jsgf).toContain('public <utterance> = <phrase>;');
    expect(g.jsgf).not.toContain('<lead>');
  });

  it('drops words missing from the dictionary and skips phrases left empty', () => {
    const g = buildGrammar(['large zzqxv pizza', 'zzqxv', 'yes'], lexicon);
    expect(g.phrases).toEqual(['large pizza', 'yes']);
    expect(g.dropped).toEqual(['zzqxv', 'zzqxv']);
    expect(g.skipped).toEqual(['zzqxv']);
  });

  it('splits hyphenated words the dictionary lacks, keeps those it has', () => {
    expect(buildGrammar(['e-mail'], lexicon).phrases).toEqual(['e-mail']);
    expect(buildGrammar(['check-in order'], lexicon).phrases).toEqual(['check in order']);
  });

  it('falls back to general phrases when no hint is usable', () => {
    expect(buildGrammar([], lexicon).phrases).toEqual([...DEFAULT_PHRASES]);
    expect(buildGrammar(['zzqxv'], lexicon).phrases).toEqual([...DEFAULT_PHRASES]);
  });
});
