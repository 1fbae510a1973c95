/**
 * `mentioned_symbols`: which coins of a universe a text names.
 *
 * A coin counts as mentioned when the text contains
 * 1. `$SYM` (cashtag, any case: `$btc`, `$ONE`) for a universe symbol: always a mention;
 * 2. the bare symbol as a whole word written exactly as the universe spells it and in upper case
 *    (`BTC`, not `btc` or `Btc`), unless the symbol is in SYMBOL_STOPLIST: common words and
 *    abbreviations that people write in capitals (ONE, IT, GAS, ALL, NOW, …). A stoplisted symbol
 *    counts only as a cashtag or through its name;
 * 3. the coin's name as whole words, any case (`bitcoin`, `Bitcoin Cash`, `shiba inu`), longest name
 *    first ("bitcoin cash" is BCH, not BTC). A name that is also an everyday word (AMBIGUOUS_NAMES, and
 *    every stoplisted word: "gas", "harmony", "stellar", "flow", …) counts only in a crypto context:
 *    immediately followed by one of NAME_CONTEXT_WORDS ("gas token", "Stellar network").
 * Words are runs of letters and digits (Unicode), so "ETH/BTC" names both and "ETH2" names neither.
 * The result is sorted and unique.
 */
import type { CoinRef } from './coin-universe';

/** Upper-case words that are symbols of some coin but mostly mean something else in prose. */
export const SYMBOL_STOPLIST: ReadonlySet<string> = new Set([
  'A',
  'I',
  'AI',
  'ALL',
  'AN',
  'AND',
  'ANY',
  'APE',
  'AR',
  'ARE',
  'AS',
  'AT',
  'BAT',
  'BE',
  'BEST',
  'BIG',
  'BY',
  'CAKE',
  'CAN',
  'CASH',
  'CEO',
  'COMP',
  'DASH',
  'DO',
  'DOG',
  'DOT',
  'ETF',
  'EU',
  'FLOW',
  'FOR',
  'FREE',
  'FUN',
  'GAME',
  'GAS',
  'GET',
  'GO',
  'GOOD',
  'HAS',
  'HE',
  'HOPE',
  'HYPE',
  'IF',
  'IMO',
  'IN',
  'IS',
  'IT',
  'JUST',
  'KEY',
  'LINK',
  'LOVE',
  'ME',
  'MORE',
  'MY',
  'NEW',
  'NO',
  'NOT',
  'NOW',
  'OF',
  'OK',
  'ON',
  'ONE',
  'OP',
  'OPEN',
  'OR',
  'OUT',
  'POL',
  'POWER',
  'REAL',
  'SAFE',
  'SAND',
  'SEC',
  'SO',
  'SUN',
  'THE',
  'TIME',
  'TO',
  'TRUMP',
  'UP',
  'US',
  'USA',
  'USD',
  'WE',
  'WIN',
  'YOU',
]);

/** Coin names that are everyday words or phrases: counted only before a NAME_CONTEXT_WORDS word. */
export const AMBIGUOUS_NAMES: ReadonlySet<string> = new Set([
  'avalanche',
  'bonk',
  'compound',
  'cosmos',
  'dash',
  'flow',
  'gala',
  'gas',
  'harmony',
  'helium',
  'internet computer',
  'iota',
  'jupiter',
  'kava',
  'maker',
  'mina',
  'neo',
  'ondo',
  'optimism',
  'pepe',
  'polygon',
  'quant',
  'render',
  'sei',
  'stacks',
  'stellar',
  'sui',
  'the graph',
  'the sandbox',
  'tron',
]);

/** A word right after an ambiguous name that makes it a coin: "gas token", "Harmony network". */
export const NAME_CONTEXT_WORDS: ReadonlySet<string> = new Set([
  'coin',
  'coins',
  'token',
  'tokens',
  'network',
  'protocol',
  'blockchain',
  'chain',
  'crypto',
]);

interface NameEntry {
  readonly symbol: string;
  readonly ambiguous: boolean;
}

/** A universe prepared for matching; build once per universe (mentionedSymbols caches it). */
export interface MentionIndex {
  /** Upper-cased symbol → symbol as the universe spells it (cashtags are case-insensitive). */
  readonly cashtags: ReadonlyMap<string, string>;
  /** Symbols that count as bare upper-case words (not stoplisted, no lower-case letters). */
  readonly bare: ReadonlySet<string>;
  /** Lower-case name words joined by one space → entry. */
  readonly names: ReadonlyMap<string, NameEntry>;
  /** First word of every name, to skip most words without building n-grams. */
  readonly nameStarts: ReadonlySet<string>;
  readonly maxNameWords: number;
}

const WORD = /(\$?)([\p{L}\p{N}]+)/gu;

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export function buildMentionIndex(universe: readonly CoinRef[]): MentionIndex {
  const cashtags = new Map<string, string>();
  const bare = new Set<string>();
  const names = new Map<string, NameEntry>();
  const nameStarts = new Set<string>();
  let maxNameWords = 1;
  for (const { symbol, name } of universe) {
    if (!symbol) continue;
    cashtags.set(symbol.toUpperCase(), symbol);
    if (symbol === symbol.toUpperCase() && !SYMBOL_STOPLIST.has(symbol)) bare.add(symbol);
    const nameWords = words(name ?? '');
    if (nameWords.length === 0) continue;
    const key = nameWords.join(' ');
    // First writer wins: the universe is in rank order, so a shared name goes to the larger coin.
    if (!names.has(key)) {
      const ambiguous = AMBIGUOUS_NAMES.has(key) || SYMBOL_STOPLIST.has(key.toUpperCase());
      names.set(key, { symbol, ambiguous });
    }
    nameStarts.add(nameWords[0]!);
    maxNameWords = Math.max(maxNameWords, nameWords.length);
  }
  return { cashtags, bare, names, nameStarts, maxNameWords };
}

const indexCache = new WeakMap<readonly CoinRef[], MentionIndex>();

function indexFor(universe: readonly CoinRef[] | MentionIndex): MentionIndex {
  if (!Array.isArray(universe)) return universe as MentionIndex;
  const list = universe as readonly CoinRef[];
  let index = indexCache.get(list);
  if (!index) {
    index = buildMentionIndex(list);
    indexCache.set(list, index);
  }
  return index;
}

/** Sorted unique symbols of `universe` named in `text` (rules in the module comment). */
export function mentionedSymbols(
  text: string | null | undefined,
  universe: readonly CoinRef[] | MentionIndex,
): string[] {
  if (!text) return [];
  const index = indexFor(universe);
  const found = new Set<string>();

  for (const m of text.matchAll(WORD)) {
    const word = m[2]!;
    if (m[1]) {
      const symbol = index.cashtags.get(word.toUpperCase());
      if (symbol) found.add(symbol);
    } else if (index.bare.has(word)) {
      found.add(word);
    }
  }

  const ws = words(text);
  for (let i = 0; i < ws.length; i++) {
    if (!index.nameStarts.has(ws[i]!)) continue;
    for (let n = Math.min(index.maxNameWords, ws.length - i); n >= 1; n--) {
      const entry = index.names.get(n === 1 ? ws[i]! : ws.slice(i, i + n).join(' '));
      if (!entry) continue;
      const next = ws[i + n];
      if (!entry.ambiguous || (next !== undefined && NAME_CONTEXT_WORDS.has(next))) {
        found.add(entry.symbol);
      }
      i += n - 1;
      break;
    }
  }

  return [...found].sort();
}
