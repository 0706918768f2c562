/**
 * Order-understanding benchmark: a generated 200-item menu, 1200 mixed caller utterances
 * (orders with sizes and modifiers, misheard names, corrections, removals, questions, unknown
 * items, commands). Prints index/grammar build times and per-utterance parse latency as a
 * markdown table. Usage: npm run bench:nlu [-- --items 200 --utterances 1200]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  buildOrderIndex,
  orderGrammar,
  orderPhrases,
  parseOrderUtterance,
  type CartLineRef,
} from '../src/nlu/order/index.js';
import { generatedMenu } from '../test/fixtures/catalogs/generated-menu.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '200' },
    utterances: { type: 'string', default: '1200' },
  },
});
const nItems = Number(values.items);
const nUtterances = Number(values.utterances);

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One character dropped or doubled: a misrecognition-like variant. */
function garble(word: string, r: () => number): string {
  const at = 1 + Math.floor(r() * (word.length - 2));
  return r() < 0.5
    ? word.slice(0, at) + word.slice(at + 1)
    : word.slice(0, at) + word[at] + word.slice(at);
}

function utterances(n: number): string[] {
  const menu = generatedMenu(nItems);
  const r = rng(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const qty = ['a', 'two', 'three', '2', 'a couple of', 'to', 'one'];
  const size = ['small', 'medium', 'large', 'big', ''];
  const mods = ['', ' with extra cheese', ' with bacon and no onions', ' without olives'];
  const line = (): string => {
    const item = pick(menu.items);
    const name = r() < 0.3 ? item.aliases[0]! : item.name;
    const heard =
      r() < 0.2
        ? name
            .split(' ')
            .map((w) => (w.length > 4 ? garble(w, r) : w))
            .join(' ')
        : name;
    return `${pick(qty)} ${pick(size)} ${heard}${pick(mods)}`.replace(/\s+/g, ' ');
  };
  const kinds: Array<() => string> = [
    () => `i'd like ${line()}`,
    () => `${line()} and ${line()}`,
    () => `can i get ${line()} and ${line()} and ${line()}`,
    () => pick(['make the second one medium', 'actually three', 'make it large', 'make that two']),
    () => `change the ${pick(menu.items).aliases[0]!} to large`,
    () => `remove the ${pick(menu.items).name}`,
    () => pick(['cancel the second one', 'take off the last one', 'no onions on that']),
    () =>
      pick([
        `what ${pick(menu.categories).name}s do you have`,
        'what sizes do you have',
        "what's new",
      ]),
    () => `how much is a large ${pick(menu.items).name}`,
    () => pick(["that's all", 'no thanks', 'my usual', 'start over', 'nothing else']),
    () => `i'd like a large ${pick(['zorbo', 'quinzel', 'flapjack', 'calzone'])} please`,
  ];
  return Array.from({ length: n }, () => pick(kinds)());
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const ms = (x: number): string => x.toFixed(3);

const view = generatedMenu(nItems);
let t0 = performance.now();
const index = buildOrderIndex(view);
const indexMs = performance.now() - t0;
t0 = performance.now();
const grammar = orderGrammar(view);
const phrases = orderPhrases(view);
const grammarMs = performance.now() - t0;
const cart: CartLineRef[] = view.items.slice(0, 3).map((i) => ({ itemId: i.id, quantity: 1 }));
const texts = utterances(nUtterances);

const rows: string[] = [];
let understood = 0;
for (const pass of ['cold (first parse of each word)', 'warm']) {
  const times: number[] = [];
  understood = 0;
  for (const text of texts) {
    const start = performance.now();
    const parse = parseOrderUtterance(text, index, { cart });
    times.push(performance.now() - start);
    if (parse.intents.length) understood++;
  }
  times.sort((a, b) => a - b);
  rows.push(
    `| ${pass} | ${times.length} | ${ms(percentile(times, 50))} | ${ms(percentile(times, 99))} | ${ms(times[times.length - 1]!)} |`,
  );
}

console.log(`# Order understanding benchmark (${nItems} items, ${texts.length} utterances)\n`);
console.log(
  `- index build: ${ms(indexMs)} ms; grammar (${Object.keys(grammar.rules).length} rules) + ${phrases.length} keyterms: ${ms(grammarMs)} ms`,
);
console.log(`- utterances with at least one intent: ${understood}/${texts.length}\n`);
console.log('| pass | utterances | p50 ms | p99 ms | max ms |');
console.log('|---|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
