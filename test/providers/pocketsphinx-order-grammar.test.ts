/** Structured speech grammars → pocketsphinx JSGF, against the real dictionary. */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { orderGrammar } from '../../src/nlu/order/index.js';
import {
  buildStructuredGrammar,
  DEFAULT_PHRASES,
  type Lexicon,
  loadLexicon,
} from '../../src/stt/providers/pocketsphinx-grammar.js';
import { pizzeria } from '../fixtures/catalogs/pizzeria.js';
import { SPEECH_PATHS } from '../helpers/speech.js';

let lexicon: Lexicon;
beforeAll(async () => {
  lexicon = await loadLexicon(SPEECH_PATHS.dict);
});

describe('buildStructuredGrammar', () => {
  it('serialises the rules reachable from the root, root public and first', () => {
    const g = buildStructuredGrammar(
      {
        root: 'top',
        rules: {
          top: '[ <fillerLead> ] <thing> ( and <thing> )*',
          thing: '( large | small ) pizza',
          fillerLead: "i'd like",
          unused: 'hello',
        },
      },
      lexicon,
    );
    expect(g.jsgf).toBe(
      [
        '#JSGF V1.0;',
        'grammar ivr;',
        'public <top> = [ <fillerLead> ] <thing> ( and <thing> )*;',
        "<fillerLead> = i'd like;",
        '<thing> = ( large | small ) pizza;',
        '',
      ].join('\n'),
    );
    expect([...g.phraseWords].sort()).toEqual(['and', 'large', 'pizza', 'small']);
    expect([...g.words].sort()).toEqual(['and', "i'd", 'large', 'like', 'pizza', 'small']);
    expect(g.phrases).toEqual([]);
    expect(g.dropped).toEqual([]);
  });

  it('drops unknown words; an alternative or rule left empty disappears with its uses', () => {
    const g = buildStructuredGrammar(
      {
        root: 'top',
        rules: {
          top: '( <item> [ <zz> ] ) | ( order <gone> ) | ( the zzqxv pizza )',
          item: '( zzqxv ) | ( large zzqxv pizza ) | coke',
          gone: 'zzqxv',
          zz: 'zzqxv zzqxv',
        },
      },
      lexicon,
    );
    expect(g.jsgf).toContain('public <top> = ( <item> ) | ( the pizza );');
    expect(g.jsgf).toContain('<item> = ( large pizza ) | coke;');
    expect(g.jsgf).not.toContain('<gone>');
    expect(g.skipped.sort()).toEqual(['<gone>', '<zz>']);
    expect(g.dropped.every((w) => w === 'zzqxv')).toBe(true);
  });

  it('falls back to the general phrases when the root is left with nothing', () => {
    const g = buildStructuredGrammar({ root: 'top', rules: { top: 'zzqxv | <missing>' } }, lexicon);
    expect(g.phrases).toEqual([...DEFAULT_PHRASES]);
    expect(g.skipped).toEqual(expect.arrayContaining(['<missing>', '<top>']));
  });

  it('rejects bad syntax with BAD_REQUEST', () => {
    for (const body of ['( large', 'large ]', '* large', '<bad name>']) {
      expect(() => buildStructuredGrammar({ root: 'top', rules: { top: body } }, lexicon)).toThrow(
        expect.objectContaining({ code: 'BAD_REQUEST' }),
      );
    }
  });

  it('compiles the order grammar of the demo menu', () => {
    const g = buildStructuredGrammar(
      orderGrammar(pizzeria, (w) => lexicon.has(w)),
      lexicon,
    );
    expect(g.skipped).toEqual([]);
    expect(g.jsgf).toMatch(/^public <utterance> = /m);
    expect(g.phraseWords.has('pepperoni')).toBe(true);
    expect(g.phraseWords.has("i'd")).toBe(false); // lead-in words only
    expect(g.words).toContain("i'd");
    // Without the lexicon filter, the builder drops the unknown word and reports it.
    const raw = buildStructuredGrammar(orderGrammar(pizzeria), lexicon);
    expect(raw.dropped).toContain('margherita');
  });
});
