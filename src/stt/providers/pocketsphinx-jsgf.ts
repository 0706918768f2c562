/**
 * The JSGF subset of SpeechGrammar rule bodies (see src/speech-grammar.ts): parse, simplify
 * against a word filter, serialise. Pure.
 *
 * Simplification: an unknown word is dropped from its sequence; a sequence that had content and
 * has none left fails; a group whose alternatives all fail fails; a failing optional part or
 * `*` repetition is removed; a reference to a failing or undefined rule fails. So a catalog
 * name the dictionary lacks disappears from `<item>` instead of making the item optional.
 */

export type Node =
  | { t: 'word'; w: string; rep?: '*' | '+' }
  | { t: 'ref'; name: string; rep?: '*' | '+' }
  | { t: 'group'; optional: boolean; alts: Node[][]; rep?: '*' | '+' };

const TOKEN = /<[^<>\s]+>|[()[\]|*+]|[^\s()[\]|*+<>]+|\S/g;
const WORD = /^[A-Za-z'-]+$/;
const RULE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export class JsgfSyntaxError extends Error {}

/** Alternatives of a rule body. Throws JsgfSyntaxError on unbalanced brackets or bad names. */
export function parseBody(body: string): Node[][] {
  const tokens = body.match(TOKEN) ?? [];
  let pos = 0;
  const alts = (close?: string): Node[][] => {
    const out: Node[][] = [[]];
    while (pos < tokens.length) {
      const tok = tokens[pos++]!;
      if (tok === close) return out;
      if (tok === '|') out.push([]);
      else if (tok === '(' || tok === '[') {
        const node: Node = {
          t: 'group',
          optional: tok === '[',
          alts: alts(tok === '(' ? ')' : ']'),
        };
        out[out.length - 1]!.push(withRep(node));
      } else if (tok.startsWith('<')) {
        const name = tok.slice(1, -1);
        if (!RULE_NAME.test(name)) throw new JsgfSyntaxError(`bad rule name ${tok}`);
        out[out.length - 1]!.push(withRep({ t: 'ref', name }));
      } else if (tok === '*' || tok === '+' || tok === ')' || tok === ']') {
        throw new JsgfSyntaxError(`unexpected ${tok}`);
      } else if (!WORD.test(tok)) {
        throw new JsgfSyntaxError(`not a word: ${tok}`);
      } else out[out.length - 1]!.push(withRep({ t: 'word', w: tok.toLowerCase() }));
    }
    if (close) throw new JsgfSyntaxError(`missing ${close}`);
    return out;
  };
  const withRep = (n: Node): Node => {
    const next = tokens[pos];
    if (next === '*' || next === '+') {
      pos++;
      return { ...n, rep: next };
    }
    return n;
  };
  return alts();
}

/** Word filter: the dictionary words for one grammar word (hyphen parts), [] = unknown. */
export type ResolveWord = (word: string) => string[];

type Simplified = Node[] | 'drop' | 'fail';

/** Simplifies alternatives; undefined when every alternative fails. */
export function simplifyAlts(
  alts: Node[][],
  resolve: ResolveWord,
  failed: (rule: string) => boolean,
): Node[][] | undefined {
  const out = alts
    .map((seq) => simplifySeq(seq, resolve, failed))
    .filter((s): s is Node[] => s !== undefined);
  return out.length ? out : undefined;
}

function simplifySeq(
  seq: Node[],
  resolve: ResolveWord,
  failed: (rule: string) => boolean,
): Node[] | undefined {
  const out: Node[] = [];
  for (const node of seq) {
    const s = simplifyNode(node, resolve, failed);
    if (s === 'fail') return undefined;
    if (s !== 'drop') out.push(...s);
  }
  return out.length || seq.length === 0 ? out : undefined;
}

function simplifyNode(
  node: Node,
  resolve: ResolveWord,
  failed: (r: string) => boolean,
): Simplified {
  const skippable = node.rep === '*' || (node.t === 'group' && node.optional);
  if (node.t === 'word') {
    const words = resolve(node.w);
    if (words.length === 0) return 'drop';
    if (words.length === 1) return [{ ...node, w: words[0]! }];
    const seq = words.map((w): Node => ({ t: 'word', w }));
    return node.rep ? [{ t: 'group', optional: false, alts: [seq], rep: node.rep }] : seq;
  }
  if (node.t === 'ref') return failed(node.name) ? (skippable ? 'drop' : 'fail') : [node];
  const alts = simplifyAlts(node.alts, resolve, failed)?.filter((a) => a.length > 0);
  if (!alts?.length) return skippable ? 'drop' : 'fail';
  return [{ ...node, alts }];
}

/** JSGF text of alternatives. */
export function serialize(alts: Node[][]): string {
  return alts.map((seq) => seq.map(serializeNode).join(' ')).join(' | ');
}

function serializeNode(n: Node): string {
  const rep = n.rep ?? '';
  if (n.t === 'word') return n.rep ? `( ${n.w} )${rep}` : n.w;
  if (n.t === 'ref') return `<${n.name}>${rep}`;
  const [open, close] = n.optional ? ['[', ']'] : ['(', ')'];
  return `${open} ${serialize(n.alts)} ${close}${rep}`;
}

/** Words of alternatives (with repetition), and referenced rule names. */
export function collect(alts: Node[][], words: Set<string>, refs: Set<string>): void {
  for (const seq of alts) {
    for (const n of seq) {
      if (n.t === 'word') words.add(n.w);
      else if (n.t === 'ref') refs.add(n.name);
      else collect(n.alts, words, refs);
    }
  }
}
