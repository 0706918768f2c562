import { tokenize } from '../normalize.js';
import { scanOrder } from './clause-add.js';
import { parseModify, parseRemove } from './clause-edit.js';
import { findPhrase, matchAt, phraseAt } from './matcher.js';
import type { OrderIndex } from './order-index.js';
import { looksLikeQuestion, parseQuestion } from './questions.js';
import type { ModifierChange, OrderIntent, OrderParse, ParseContext } from './types.js';
import { CLAUSE_BREAKS, CLAUSE_STARTS, COMMAND_PHRASES, MODIFY_VERBS } from './words.js';

const COMMANDS = COMMAND_PHRASES.map(([p, type]) => [p.split(' '), type] as const).sort(
  (a, b) => b[0].length - a[0].length,
);
/** Leading words that carry no meaning for the clause. */
const FILLERS = new Set(['um', 'uh', 'er', 'erm', 'oh', 'ok', 'okay', 'yeah', 'yes', 'so', 'well']);
const REMOVE_STARTS = [
  ['remove'],
  ['delete'],
  ['drop'],
  ['scratch'],
  ['cancel'],
  ['get', 'rid', 'of'],
  ['i', 'dont', 'want'],
  ['dont', 'want'],
  ['i', 'do', 'not', 'want'],
];

type Piece = { command: 'done' | 'reorder' | 'startOver' } | { tokens: string[] };

/**
 * Understands one caller utterance against the catalog: an ordered list of intents (add,
 * modify, remove, question, unknownItem, done, reorder, startOver). Pure: no I/O, no clock;
 * `ctx.cart` resolves "the second one" and sizes of corrections. Never throws.
 */
export function parseOrderUtterance(
  text: string,
  index: OrderIndex,
  ctx: ParseContext = {},
): OrderParse {
  const tokens = tokenize(text);
  const intents: OrderIntent[] = [];
  let modMode: 'add' | 'remove' | undefined;
  for (const piece of splitCommands(tokens)) {
    if ('command' in piece) {
      intents.push({ type: piece.command, confidence: 1 });
      modMode = undefined;
      continue;
    }
    for (const clause of splitClauses(index, piece.tokens)) {
      modMode = parseClause(index, clause, ctx, intents, modMode);
    }
  }
  return { intents, text: tokens.join(' ') };
}

/** Cuts out done/reorder/start-over phrases, keeping everything in spoken order. */
function splitCommands(tokens: string[]): Piece[] {
  const pieces: Piece[] = [];
  let from = 0;
  for (let i = 0; i < tokens.length; i++) {
    const hit = COMMANDS.find(([words]) => phraseAt(tokens, i, words));
    if (!hit) continue;
    if (i > from) pieces.push({ tokens: tokens.slice(from, i) });
    pieces.push({ command: hit[1] });
    from = i + hit[0].length;
    i = from - 1;
  }
  if (from < tokens.length) pieces.push({ tokens: tokens.slice(from) });
  return pieces;
}

/** Splits at "and"/"plus"/…, and before "actually"/"remove"/…, never inside a catalog name. */
function splitClauses(index: OrderIndex, tokens: string[]): string[][] {
  const protectedAt = new Set<number>();
  for (const alias of index.joinedAliases) {
    for (const start of findPhrase(tokens, alias)) {
      for (let k = start; k < start + alias.length; k++) protectedAt.add(k);
    }
  }
  const clauses: string[][] = [];
  let cur: string[] = [];
  tokens.forEach((t, i) => {
    if (protectedAt.has(i)) return void cur.push(t);
    if (CLAUSE_BREAKS.has(t)) {
      if (cur.length) clauses.push(cur);
      cur = [];
      return;
    }
    if (CLAUSE_STARTS.has(t) && cur.some((w) => !FILLERS.has(w))) {
      clauses.push(cur);
      cur = [];
    }
    cur.push(t);
  });
  if (cur.length) clauses.push(cur);
  return clauses;
}

/** Appends the clause's intents; returns the modifier polarity still in effect. */
function parseClause(
  index: OrderIndex,
  raw: string[],
  ctx: ParseContext,
  intents: OrderIntent[],
  modMode: 'add' | 'remove' | undefined,
): 'add' | 'remove' | undefined {
  let at = 0;
  while (at < raw.length && FILLERS.has(raw[at]!)) at++;
  const tokens = raw.slice(at);
  if (tokens.length === 0) return modMode;
  if (looksLikeQuestion(tokens)) {
    const q = parseQuestion(index, tokens);
    if (q) return void intents.push(q);
  }
  if (isRemoval(index, tokens)) {
    const r = parseRemove(index, tokens, ctx);
    if (r) return void intents.push(r);
  }
  const cartCtx = withIntents(ctx, intents);
  if (MODIFY_VERBS.has(tokens[0]!) || tokens[0] === 'instead') {
    const m = parseModify(index, tokens, cartCtx);
    if (m) return void intents.push(m);
  }
  const scan = scanOrder(index, tokens, modMode);
  intents.push(...scan.intents);
  if (scan.looseModifiers) attachModifiers(intents, scan.looseModifiers);
  if (scan.intents.length === 0 && !scan.looseModifiers) {
    const m = parseModify(index, tokens, cartCtx);
    if (m) intents.push(m);
  }
  return scan.modMode;
}

/** "remove …", "take … off", "no coke" (an item, not a modifier such as "no onions"). */
function isRemoval(index: OrderIndex, tokens: readonly string[]): boolean {
  if (REMOVE_STARTS.some((p) => phraseAt(tokens, 0, p))) return true;
  if (tokens[0] === 'take' && tokens.some((t) => t === 'off' || t === 'out' || t === 'away')) {
    return true;
  }
  if (tokens[0] !== 'no' && tokens[0] !== 'not') return false;
  const at = tokens[1] === 'the' ? 2 : 1;
  const item = matchAt(index, tokens, at, 'item');
  const mod = matchAt(index, tokens, at, 'modifier');
  return item !== undefined && (!mod || item.score > mod.score || item.end > mod.end);
}

/** Modifiers without an item: they change the line just ordered, else the last cart line. */
function attachModifiers(intents: OrderIntent[], mods: ModifierChange): void {
  const prev = intents[intents.length - 1];
  if (prev?.type === 'add') {
    prev.modifiers.add.push(...mods.add);
    prev.modifiers.remove.push(...mods.remove);
    return;
  }
  if (prev?.type === 'modify') {
    const cur = prev.set.modifiers ?? { add: [], remove: [] };
    prev.set.modifiers = {
      add: [...cur.add, ...mods.add],
      remove: [...cur.remove, ...mods.remove],
    };
    return;
  }
  intents.push({ type: 'modify', target: 'last', set: { modifiers: mods }, confidence: 1 });
}

/** The cart as it will be once this utterance's earlier adds are applied ("… make it large"). */
function withIntents(ctx: ParseContext, intents: OrderIntent[]): ParseContext {
  const added = intents.filter((i) => i.type === 'add');
  if (added.length === 0) return ctx;
  const cart = [
    ...(ctx.cart ?? []),
    ...added.map((a) => ({ itemId: a.itemId, quantity: a.quantity })),
  ];
  return { ...ctx, cart };
}
