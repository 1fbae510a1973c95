/**
 * The scorer's lexicon (sentiment.ts is the entry; rules: docs/sentiment-rules.md): one map of word (or
 * joined phrase) → valence on VADER's −4 … 4, the multi-word entries and emoticons the tokenizer joins,
 * and what the rules need to know about a token (WordInfo), looked up once per distinct token.
 *
 * Lexicon, in order of precedence (later wins): AFINN-165 and the `sentiment` package's emoji scores, the
 * financial-market-news changes to AFINN (finance-lexicon.data.ts) (all scaled by AFINN_SCALE onto VADER's
 * −4 … 4), the VADER lexicon (7,500 words, emoticons and slang rated by people, vader-lexicon.data.ts),
 * the crypto lexicon (crypto-lexicon.data.ts), the crypto-market slang lexicon (crypto-slang.data.ts, with
 * its market-neutral overrides: "support", "interest") and idioms (rules.data.ts). The
 * `sentiment` package's tables are imported as JSON and only read, so nothing shared is mutated.
 * Entries of several words ("rug pull", "can't stand", "waste of money") are matched as one token.
 */
import emoji from 'sentiment/build/emoji.json';
import english from 'sentiment/languages/en/index.js';
import { CRYPTO_LEXICON, CRYPTO_PHRASES } from './sentiment-data/crypto-lexicon.data';
import { CRYPTO_SLANG, CRYPTO_SLANG_PHRASES, MARKET_NEUTRAL } from './sentiment-data/crypto-slang.data';
import { FINANCE_LEXICON } from './sentiment-data/finance-lexicon.data';
import { BOOSTER_PHRASES, BOOSTERS, IDIOMS, NEGATORS } from './sentiment-data/rules.data';
import { VADER_LEXICON_TEXT } from './sentiment-data/vader-lexicon.data';

/**
 * AFINN (−5 … 5, integers) onto VADER's −4 … 4: the least-squares slope through 0 of VADER valence on AFINN
 * weight over the 2,649 words both rate is 0.767, rounded to one decimal (a test recomputes it).
 */
export const AFINN_SCALE = 0.8;

/** Word (or joined phrase) → valence on VADER's scale. Built once at module start. */
const LEXICON = new Map<string, number>();
for (const [word, value] of Object.entries(english.labels)) LEXICON.set(word, value * AFINN_SCALE);
for (const [symbol, value] of Object.entries(emoji as Record<string, number>))
  LEXICON.set(symbol, value * AFINN_SCALE);
for (const [word, value] of Object.entries(FINANCE_LEXICON)) LEXICON.set(word, value * AFINN_SCALE);
for (const line of VADER_LEXICON_TEXT.split('\n')) {
  const at = line.lastIndexOf(' ');
  LEXICON.set(line.slice(0, at), Number(line.slice(at + 1)));
}
for (const [word, value] of Object.entries(CRYPTO_LEXICON)) LEXICON.set(word, value * AFINN_SCALE);
for (const [word, value] of Object.entries(CRYPTO_SLANG)) LEXICON.set(word, value * AFINN_SCALE);
for (const [phrase, value] of Object.entries(CRYPTO_SLANG_PHRASES)) LEXICON.set(phrase, value * AFINN_SCALE);
for (const word of MARKET_NEUTRAL) LEXICON.set(word, 0);
for (const [idiom, value] of Object.entries(IDIOMS)) LEXICON.set(idiom, value);

/** Negators with and without the apostrophe ("dont", "don't"). */
const NEGATOR_WORDS = new Set<string>(NEGATORS);
for (const n of NEGATORS) if (n.endsWith('nt')) NEGATOR_WORDS.add(`${n.slice(0, -2)}n't`);

/**
 * Multi-word entries by first word: each is the word sequence and the token it becomes. Lexicon keys with
 * spaces or hyphens ("can't stand", "cover-up"), idioms, crypto phrases and two-word boosters.
 */
export const PHRASES = new Map<string, { readonly words: readonly string[]; readonly token: string }[]>();
function addPhrase(phrase: string, token: string): void {
  const words = phrase.toLowerCase().match(WORD_ONLY) ?? [];
  if (words.length < 2) return;
  const list = PHRASES.get(words[0]!) ?? [];
  if (list.some((p) => p.words.join(' ') === words.join(' '))) return;
  list.push({ words, token });
  list.sort((a, b) => b.words.length - a.words.length);
  PHRASES.set(words[0]!, list);
}
const WORD_ONLY = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;
// First registration wins: rule phrases ("kind of" the dampener) before lexicon entries of the same words.
for (const [phrase, token] of Object.entries(BOOSTER_PHRASES)) addPhrase(phrase, token);
for (const [phrase, token] of Object.entries(CRYPTO_PHRASES)) addPhrase(phrase, token);
/** Emoticons of the lexicon (":)", ":-(", "<3"): matched only as whole whitespace-separated chunks. */
export const EMOTICONS = new Set<string>();
// One pass over the lexicon at start-up; plain lower-case words (nearly all keys) take the first test only.
for (const key of LEXICON.keys()) {
  if (/^[a-z0-9']+$/.test(key)) continue;
  if (/[ -]/.test(key)) {
    if (/^[\p{L}' -]+$/u.test(key)) addPhrase(key, key);
  } else if (/[^\p{L}\p{N}'-]/u.test(key) && !/\p{Extended_Pictographic}/u.test(key)) EMOTICONS.add(key);
}

/** Regular inflections tried, in order, for a word the lexicon lacks: [suffix, replacement]. */
const INFLECTIONS: readonly (readonly [string, string])[] = [
  ['ies', 'y'],
  ['ied', 'y'],
  ['ily', 'y'],
  ['s', ''],
  ['es', ''],
  ['ed', ''],
  ['ed', 'e'],
  ['d', ''],
  ['ing', ''],
  ['ing', 'e'],
  ['ly', ''],
];
const MIN_INFLECTED_LENGTH = 5;

/** What the rules need to know about one token. */
export interface WordInfo {
  /** Valence of the word or of its uninflected form; 0 when it has none. */
  readonly valence: number;
  readonly negator: boolean;
  /** +1 booster, −1 dampener, 0 neither. */
  readonly booster: number;
  readonly emoticon: boolean;
}

/**
 * Token → WordInfo, filled on first sight. Reddit vocabulary is Zipfian, so after a few hundred texts
 * nearly every token is one Map lookup; cleared when it grows past INFO_CACHE_LIMIT to bound memory.
 */
const infoCache = new Map<string, WordInfo>();
const INFO_CACHE_LIMIT = 100_000;

export function infoOf(word: string): WordInfo {
  let info = infoCache.get(word);
  if (info === undefined) {
    if (infoCache.size >= INFO_CACHE_LIMIT) infoCache.clear();
    const negator = NEGATOR_WORDS.has(word) || word.endsWith("n't");
    info = {
      valence: lookupValence(word) ?? 0,
      negator,
      booster: Object.hasOwn(BOOSTERS, word) ? BOOSTERS[word]! : 0,
      emoticon: EMOTICONS.has(word),
    };
    infoCache.set(word, info);
  }
  return info;
}

/** Valence of a word, of its uninflected form, or undefined. */
function lookupValence(word: string): number | undefined {
  const v = LEXICON.get(word);
  if (v !== undefined || word.length < MIN_INFLECTED_LENGTH) return v;
  for (const [suffix, replacement] of INFLECTIONS) {
    if (!word.endsWith(suffix)) continue;
    const stem = word.slice(0, -suffix.length);
    const base = LEXICON.get(stem + replacement);
    if (base !== undefined) return base;
    // Doubled final consonant: "stopped" → "stop", "winning" → "win".
    if (replacement === '' && stem.length > 2 && stem.at(-1) === stem.at(-2)) {
      const single = LEXICON.get(stem.slice(0, -1));
      if (single !== undefined) return single;
    }
  }
  return undefined;
}
