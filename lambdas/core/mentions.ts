/**
 * `mentioned_symbols`: which coins of a universe a text names (rules and measured precision/recall in
 * docs/mentions.md; word tables in mentions-data/symbols.data.ts).
 *
 * A coin counts as mentioned when the text contains
 * 1. `$SYM` (cashtag, any case: `$btc`, `$ONE`) for a universe symbol: always a mention;
 * 2. the bare symbol as a whole word
 *    a. in any case when it is in CASE_INSENSITIVE_SYMBOLS (`btc`, `Eth`, `xrp`: not English words);
 *    b. written exactly as the universe spells it in upper case (`BTC`, `NEAR`), unless it is in
 *       SYMBOL_STOPLIST (ONE, IT, GAS, LINK, …);
 *    c. for CONTEXT_SYMBOLS (`ada`, `link`, `dot`, `near`, `ONE`, …) in any other spelling, only with crypto
 *       context: the next word is a NAME_CONTEXT_WORDS word ("ada staking", "link price"), or the word
 *       before is an amount ("500 link") or a trade verb, possibly with up to two determiners between
 *       ("bought more atom", "sold half my dot"; not for the FUNCTION_WORD_SYMBOLS near/one/op), or it is an item of a list whose
 *       neighbour is a mention ("btc, eth, link", "sol/usdt");
 * 3. the coin's name as whole words, any case (`bitcoin`, `Bitcoin Cash`, `shiba inu`), longest name
 *    first ("bitcoin cash" is BCH, not BTC). A name that is also an everyday word (AMBIGUOUS_NAMES, and
 *    every stoplisted word: "gas", "harmony", "stellar", "flow", …) counts only in a crypto context:
 *    immediately followed by one of NAME_CONTEXT_WORDS ("gas token", "Stellar network").
 * Words are runs of letters and digits (Unicode), so "ETH/BTC" names both and "ETH2" names neither.
 * The result is sorted and unique. A change meant to keep these rules (a faster reading, a refactor) can be
 * checked against an earlier commit with `npx tsx scripts/compare-mentions.ts <commit>`.
 */
import type { CoinRef } from './coin-universe';
import {
  AMBIGUOUS_NAMES,
  ARTICLES,
  CASE_INSENSITIVE_SYMBOLS,
  CONTEXT_SYMBOLS,
  CRYPTO_VOCABULARY,
  FUNCTION_WORD_SYMBOLS,
  LIST_SEPARATOR,
  LIST_WORDS,
  NAME_CONTEXT_WORDS,
  NOUN_SYMBOLS,
  SUBJECT_VERBS,
  SYMBOL_STOPLIST,
  TRADE_DETERMINERS,
  TRADE_VERBS,
} from './mentions-data/symbols.data';

export {
  AMBIGUOUS_NAMES,
  CASE_INSENSITIVE_SYMBOLS,
  CONTEXT_SYMBOLS,
  CRYPTO_VOCABULARY,
  FUNCTION_WORD_SYMBOLS,
  NAME_CONTEXT_WORDS,
  NOUN_SYMBOLS,
  SUBJECT_VERBS,
  SYMBOL_STOPLIST,
  TRADE_VERBS,
};

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
  /** Upper-cased word → symbol, for universe symbols that count in any case (rule 2a). */
  readonly anyCase: ReadonlyMap<string, string>;
  /** Upper-cased word → symbol, for universe symbols that count in other spellings with context (2c). */
  readonly contextual: ReadonlyMap<string, string>;
  /** Lower-case name words joined by one space → entry. */
  readonly names: ReadonlyMap<string, NameEntry>;
  /**
   * The four symbol tables above merged by upper-cased word: one lookup per word instead of up to four.
   * Most words name no coin, and every lookup hashes the word's freshly made string; in a profile of
   * 5,000 comments these lookups were the largest line of mentionedSymbols. Read for texts with a
   * non-ASCII character; all-ASCII texts use byLower.
   */
  readonly byUpper: ReadonlyMap<string, SymbolEntry>;
  /**
   * Lower-cased word → its SymbolEntry and whether a name starts with it (the first word of some name:
   * every other word skips the n-gram search). Every word of every text is looked up here once; in an
   * all-ASCII text (most texts) that is its only lookup, with no upper-cased copy of the word. It holds
   * the SymbolEntry of ASCII keys of byUpper only: for ASCII, upper- and lower-casing are inverse, so
   * `byLower` finds an entry exactly when `byUpper` does; outside ASCII they are not ("ß" upper-cases to
   * "SS"), and a text with any non-ASCII character is also looked up in byUpper.
   */
  readonly byLower: ReadonlyMap<string, WordEntry>;
  /** Every leading run of whole words of a name ("shiba", "shiba inu"): n-grams stop where none go on. */
  readonly namePrefixes: ReadonlySet<string>;
}

/** What one upper-cased word can be, from the four symbol tables of a MentionIndex. */
export interface SymbolEntry {
  readonly cashtag: string | undefined;
  /** The word is a bare symbol when written exactly like this key (rule 2b). */
  readonly bare: boolean;
  readonly anyCase: string | undefined;
  readonly contextual: string | undefined;
}

/** What one lower-cased word can be: a symbol (ASCII keys only, see MentionIndex.byLower), a name's start. */
export interface WordEntry {
  readonly symbol: SymbolEntry | undefined;
  readonly nameStart: boolean;
}

/** A word: a run of letters and digits (Unicode). */
const WORDS = /[\p{L}\p{N}]+/gu;
/** The same for an all-ASCII text, where letters and digits are [A-Za-z0-9]: a simpler pattern to run. */
const ASCII_WORDS = /[A-Za-z0-9]+/g;
const AMOUNT = /^\d[\d.,]*[kmb]?$/i;
const NON_ASCII = /[^\0-\x7f]/;

function words(text: string): string[] {
  return text.toLowerCase().match(WORDS) ?? [];
}

export function buildMentionIndex(universe: readonly CoinRef[]): MentionIndex {
  const cashtags = new Map<string, string>();
  const bare = new Set<string>();
  const anyCase = new Map<string, string>();
  const contextual = new Map<string, string>();
  const names = new Map<string, NameEntry>();
  const nameStarts = new Set<string>();
  for (const { symbol, name } of universe) {
    if (!symbol) continue;
    const upper = symbol.toUpperCase();
    cashtags.set(upper, symbol);
    if (symbol === upper && !SYMBOL_STOPLIST.has(symbol)) bare.add(symbol);
    if (CASE_INSENSITIVE_SYMBOLS.has(upper) && !anyCase.has(upper)) anyCase.set(upper, symbol);
    if (CONTEXT_SYMBOLS.has(upper) && !contextual.has(upper)) contextual.set(upper, symbol);
    const nameWords = words(name ?? '');
    if (nameWords.length === 0) continue;
    const key = nameWords.join(' ');
    // First writer wins: the universe is in rank order, so a shared name goes to the larger coin.
    if (!names.has(key)) {
      // A name spelled like a context symbol ("Dai", "EOS") is as ambiguous as the symbol.
      const upperKey = key.toUpperCase();
      const ambiguous =
        AMBIGUOUS_NAMES.has(key) || SYMBOL_STOPLIST.has(upperKey) || CONTEXT_SYMBOLS.has(upperKey);
      names.set(key, { symbol, ambiguous });
    }
    nameStarts.add(nameWords[0]!);
  }
  const byUpper = new Map<string, SymbolEntry>();
  for (const key of [...cashtags.keys(), ...bare, ...anyCase.keys(), ...contextual.keys()])
    byUpper.set(key, {
      cashtag: cashtags.get(key),
      bare: bare.has(key),
      anyCase: anyCase.get(key),
      contextual: contextual.get(key),
    });
  const namePrefixes = new Set<string>();
  for (const name of names.keys()) {
    const ws = name.split(' ');
    for (let n = 1; n <= ws.length; n++) namePrefixes.add(ws.slice(0, n).join(' '));
  }
  const byLower = new Map<string, WordEntry>();
  for (const [key, symbol] of byUpper) {
    if (NON_ASCII.test(key)) continue;
    const lower = key.toLowerCase();
    byLower.set(lower, { symbol, nameStart: nameStarts.has(lower) });
  }
  for (const start of nameStarts)
    if (!byLower.has(start)) byLower.set(start, { symbol: undefined, nameStart: true });
  return { cashtags, bare, anyCase, contextual, names, byUpper, byLower, namePrefixes };
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

interface Token {
  readonly raw: string;
  readonly lower: string;
  readonly cashtag: boolean;
  /** Where the text between the previous token and this one starts and ends (without a cashtag's `$`). */
  readonly gapStart: number;
  readonly gapEnd: number;
}

/**
 * The words of `text` (WORDS) with their positions: one native `match` and an `indexOf` per word, rather
 * than `matchAll` and its match object (groups, index, input) per word, which was most of what a text
 * allocated here (docs/mentions.md has the speed measured). `indexOf(raw, end)` finds the word's own
 * start, as only non-word characters lie between `end` and it.
 */
function tokenize(text: string, ascii: boolean): Token[] {
  const found = text.match(ascii ? ASCII_WORDS : WORDS);
  if (found === null) return [];
  const tokens: Token[] = [];
  let end = 0;
  for (const raw of found) {
    const start = text.indexOf(raw, end);
    // A `$` right before the word (at start 0, charCodeAt(-1) is NaN: no cashtag).
    const cashtag = text.charCodeAt(start - 1) === 36;
    tokens.push({
      raw,
      lower: raw.toLowerCase(),
      cashtag,
      gapStart: end,
      gapEnd: cashtag ? start - 1 : start,
    });
    end = start + raw.length;
  }
  return tokens;
}

const gap = (text: string, token: Token) => text.slice(token.gapStart, token.gapEnd);

/** Rule 2c without lists: a context word after, or an amount / trade verb before. */
function hasLocalContext(tokens: readonly Token[], i: number, symbol: string): boolean {
  const next = tokens[i + 1];
  if (next && NAME_CONTEXT_WORDS.has(next.lower)) return true;
  if (FUNCTION_WORD_SYMBOLS.has(symbol.toUpperCase())) return false;
  // Up to two determiners may stand between the verb and the symbol: "sold half my dot".
  for (let k = i - 1; k >= 0 && k >= i - 3; k--) {
    const w = tokens[k]!;
    if (k === i - 1 && AMOUNT.test(w.raw)) return true;
    if (TRADE_VERBS.has(w.lower)) return true;
    if (!TRADE_DETERMINERS.has(w.lower)) return false;
  }
  return false;
}

/** Rule 2c for NOUN_SYMBOLS in lower case: crypto text, or sentence subject; never after an article. */
function isNounMention(
  text: string,
  tokens: readonly Token[],
  i: number,
  symbol: string,
  aboutCrypto: boolean,
): boolean {
  const token = tokens[i]!;
  if (!NOUN_SYMBOLS.has(symbol.toUpperCase()) || token.raw !== token.lower) return false;
  const prev = tokens[i - 1];
  if (prev && ARTICLES.has(prev.lower)) return false;
  if (aboutCrypto) return true;
  const opensSentence = i === 0 || /[.!?\n]/.test(gap(text, token));
  const next = tokens[i + 1];
  return opensSentence && next !== undefined && SUBJECT_VERBS.has(next.lower);
}

/** Index of the list neighbour of token `i` in direction `step` (±1), or −1 when it has none. */
function listNeighbour(text: string, tokens: readonly Token[], i: number, step: 1 | -1): number {
  const j = i + step;
  const neighbour = tokens[j];
  if (!neighbour) return -1;
  const gapTo = (a: number, b: number) => gap(text, tokens[Math.max(a, b)]!);
  if (!LIST_WORDS.has(neighbour.lower)) return LIST_SEPARATOR.test(gapTo(i, j)) ? j : -1;
  // "btc and ada", "btc, and ada": a list word between plain gaps.
  const k = j + step;
  if (!tokens[k]) return -1;
  const plain = /^\s*,?\s*$/;
  return plain.test(gapTo(i, j)) && plain.test(gapTo(j, k)) ? k : -1;
}

/** Sorted unique symbols of `universe` named in `text` (rules in the module comment). */
export function mentionedSymbols(
  text: string | null | undefined,
  universe: readonly CoinRef[] | MentionIndex,
): string[] {
  if (!text) return [];
  const index = indexFor(universe);
  const found = new Set<string>();
  const ascii = !NON_ASCII.test(text);
  const tokens = tokenize(text, ascii);
  /** Token index → symbol, for tokens already known to be mentions (list neighbours). */
  const at = new Map<number, string>();
  const pending: { i: number; symbol: string }[] = [];
  /** Tokens a name starts with, in order. */
  const nameStarts: number[] = [];

  for (let i = 0; i < tokens.length; i++) {
    const { raw, lower, cashtag } = tokens[i]!;
    const word = index.byLower.get(lower);
    if (word?.nameStart) nameStarts.push(i);
    const entry = ascii ? word?.symbol : index.byUpper.get(raw.toUpperCase());
    if (entry === undefined) continue;
    // A bare symbol has no lower-case letters, so `raw` is one exactly when it is its own upper case.
    const symbol = cashtag ? entry.cashtag : entry.bare && raw === raw.toUpperCase() ? raw : entry.anyCase;
    if (symbol !== undefined) {
      at.set(i, symbol);
      continue;
    }
    const contextual = entry.contextual;
    if (contextual === undefined) continue;
    if (hasLocalContext(tokens, i, contextual)) at.set(i, contextual);
    else pending.push({ i, symbol: contextual });
  }

  // `next`: the first token after the last name matched, taken or not (an ambiguous name without
  // context is not a mention, but its words still start no other name).
  let next = 0;
  for (const i of nameStarts) {
    if (i < next) continue;
    // The word runs from i that begin some name, shortest first; the longest name among them wins.
    const keys = [tokens[i]!.lower];
    for (let j = i + 1; j < tokens.length; j++) {
      const key = `${keys[keys.length - 1]} ${tokens[j]!.lower}`;
      if (!index.namePrefixes.has(key)) break;
      keys.push(key);
    }
    for (let n = keys.length; n >= 1; n--) {
      const entry = index.names.get(keys[n - 1]!);
      if (!entry) continue;
      const after = tokens[i + n];
      if (!entry.ambiguous || (after !== undefined && NAME_CONTEXT_WORDS.has(after.lower))) {
        found.add(entry.symbol);
        at.set(i, entry.symbol);
        at.set(i + n - 1, entry.symbol);
      }
      next = i + n;
      break;
    }
  }

  // Lower-case noun symbols in a text about crypto, or opening a sentence as its subject.
  // Only read when some context symbol is still pending, which most texts have none of.
  const aboutCrypto =
    pending.length > 0 && (at.size > 0 || tokens.some((t) => CRYPTO_VOCABULARY.has(t.lower)));
  for (let p = pending.length - 1; p >= 0; p--) {
    const { i, symbol } = pending[p]!;
    if (isNounMention(text, tokens, i, symbol, aboutCrypto)) {
      at.set(i, symbol);
      pending.splice(p, 1);
    }
  }

  // Lists: a pending context symbol next to a mention is one; repeat, as lists grow one item at a time.
  for (let grew = true; grew && pending.length > 0; ) {
    grew = false;
    for (let p = pending.length - 1; p >= 0; p--) {
      const { i, symbol } = pending[p]!;
      if (at.has(listNeighbour(text, tokens, i, -1)) || at.has(listNeighbour(text, tokens, i, 1))) {
        at.set(i, symbol);
        pending.splice(p, 1);
        grew = true;
      }
    }
  }

  for (const symbol of at.values()) found.add(symbol);
  const symbols = [...found];
  return symbols.length > 1 ? symbols.sort() : symbols;
}
