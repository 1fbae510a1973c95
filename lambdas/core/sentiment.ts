/**
 * Sentiment of Reddit text: VADER's rules over a merged lexicon (VADER + AFINN-165 + finance news + emoji +
 * crypto slang). Rules, sources and measured accuracy: docs/sentiment-rules.md, docs/sentiment.md.
 *
 * Lexicon, in order of precedence (later wins): AFINN-165 and the `sentiment` package's emoji scores, the
 * financial-market-news changes to AFINN (finance-lexicon.data.ts) (all scaled by AFINN_SCALE onto VADER's
 * −4 … 4), the VADER lexicon (7,500 words, emoticons and slang rated by people, vader-lexicon.data.ts),
 * the crypto lexicon (crypto-lexicon.data.ts), the crypto-market slang lexicon (crypto-slang.data.ts, with
 * its market-neutral overrides: "support", "interest") and idioms (rules.data.ts). The
 * `sentiment` package's tables are imported as JSON and only read, so nothing shared is mutated.
 * Entries of several words ("rug pull", "can't stand", "waste of money") are matched as one token.
 *
 * Rules (VADER's, Hutto & Gilbert 2014, re-implemented here; constants are theirs unless marked):
 * - negation: a negator ("not", "don't", "never", "no", …) up to three words before a sentiment word in
 *   the same sentence multiplies it by NEGATION_SCALAR (−0.74: "not good" is less bad than "bad");
 * - degree adverbs: a booster ("very", "extremely") adds BOOSTER_STEP in the word's direction, a
 *   dampener ("slightly", "kind of") subtracts it; 5% / 10% less at two / three words' distance;
 * - ALL-CAPS emphasis: when some but not all words are capitals, a capitalised sentiment word gains
 *   CAPS_STEP;
 * - contrast: before the first "but" valences count half, after it one and a half;
 * - exclamation marks: each (up to four) adds EXCLAMATION_STEP in the direction of the total;
 * - idioms and multi-word entries replace their words' valences;
 * - (ours) a sentence ending in "?" counts QUESTION_SCALAR of its valences: Reddit questions ("is eth
 *   going to crash?") mostly ask, they do not assert;
 * - (ours) "like" is a sentiment word only as a verb (after "I", "would", "don't", …), not in "looks
 *   like" or "like 5%";
 * - (ours) an unknown word is looked up again without a regular inflection ("pumps" → "pump", "stopped"
 *   → "stop"), which widens the lexicon without adding words to it;
 * - (ours) a negator that flips no sentiment word ("doesn't work") adds BARE_NEGATION; a negated
 *   comparative after "be" ("couldn't be happier") is not flipped; a degree adverb with nothing after it
 *   ("loads super!") scores as its own word.
 *
 * Discourse rules for crypto-Reddit (ours; word lists in discourse.data.ts; each can be switched off through
 * Tuning.disabled for the evaluation's ablation):
 * - tradeTiming: a price level after a buying or selling verb in its clause scores the trade: "bought the
 *   dip", "sold the top" +TRADE_VALENCE, "bought the top", "sold the bottom" −TRADE_VALENCE;
 * - holding: a negated sale ("never selling") is HOLD_VALENCE, not a bare-negation complaint;
 * - infoQuestion: a question opening with "what/how/is/does/should/anyone …" asks for information and
 *   counts INFO_QUESTION_SCALAR (other questions keep QUESTION_SCALAR);
 * - conditional: an "if/unless/whether" clause counts CONDITIONAL_SCALAR, up to the next comma or
 *   sentence end (not "as if", "even if", "see if", nor "if you …", which recommends);
 * - pastState: what "used to (be)" says is flipped like a negation ("used to be great");
 * - sarcasm: "/s" makes the text negative (at least SARCASM_VALENCE); a sentence ending in "they said"
 *   ("buy the dip they said") is flipped;
 * - laughter: "lol", "lmao", 😂 count only when nothing else in the text carries sentiment.
 *
 * `score` is the sum of valences; `comparative` is VADER's compound, score / √(score² + 15), in −1 … 1.
 * The label thresholds on it were chosen by measurement (docs/sentiment-rules.md). Empty text is neutral, 0.
 */
import emoji from 'sentiment/build/emoji.json';
import english from 'sentiment/languages/en/index.js';
import { CRYPTO_LEXICON, CRYPTO_PHRASES } from './sentiment-data/crypto-lexicon.data';
import { CRYPTO_SLANG, CRYPTO_SLANG_PHRASES, MARKET_NEUTRAL } from './sentiment-data/crypto-slang.data';
import {
  BUY_VERBS,
  CONDITIONALS,
  HIGH_LEVELS,
  INFO_QUESTION_STARTERS,
  LAUGHTER,
  LOW_LEVELS,
  NOT_CONDITIONAL_BEFORE_IF,
  PAST_STATE_VERBS,
  READER,
  SELL_VERBS,
} from './sentiment-data/discourse.data';
import { FINANCE_LEXICON } from './sentiment-data/finance-lexicon.data';
import { BOOSTER_PHRASES, BOOSTERS, IDIOMS, LIKE_VERB_CONTEXT, NEGATORS } from './sentiment-data/rules.data';
import { VADER_LEXICON_TEXT } from './sentiment-data/vader-lexicon.data';

export { CRYPTO_LEXICON, CRYPTO_PHRASES };

/**
 * AFINN (−5 … 5, integers) onto VADER's −4 … 4: the least-squares slope through 0 of VADER valence on AFINN
 * weight over the 2,649 words both rate is 0.767, rounded to one decimal (a test recomputes it).
 */
export const AFINN_SCALE = 0.8;
export const NEGATION_SCALAR = -0.74;
export const BOOSTER_STEP = 0.293;
export const CAPS_STEP = 0.733;
export const EXCLAMATION_STEP = 0.292;
const MAX_EXCLAMATIONS = 4;
/** Weight of valences in a sentence that ends with "?" (ours; docs/sentiment-rules.md says how chosen). */
export const QUESTION_SCALAR = 0.5;
/** Valence of a negation that flips no sentiment word ("doesn't work"); ours, docs/sentiment-rules.md. */
export const BARE_NEGATION = -0.9;
/** Weight of valences in a question that asks for information ("what is …?", "should I …?"); ours. */
export const INFO_QUESTION_SCALAR = 0;
/** Weight of valences inside an "if …" clause: a hypothetical is not asserted (ours). */
export const CONDITIONAL_SCALAR = 0;
/** Valence of a negated sale ("never selling", "not selling a single sat"): holding, a bullish stance. */
export const HOLD_VALENCE = 0.9;
/** Valence of a price level after a trade ("bought the dip" +, "sold the bottom" −); ours. */
export const TRADE_VALENCE = 1.5;
/** How many words before a price level a buying or selling verb may stand. */
const TRADE_WINDOW = 6;
/** Floor of |score| for a text marked sarcastic with "/s" (ours). */
export const SARCASM_VALENCE = 1;
/** VADER's normalisation constant: score / √(score² + α) approaches ±1 for large sums. */
const NORMALIZATION_ALPHA = 15;

/** |comparative| at or below this is neutral (chosen by measurement, docs/sentiment.md). */
export const SENTIMENT_LABEL_THRESHOLD = 0.05;

export type SentimentLabel = 'positive' | 'neutral' | 'negative';

export interface SentimentResult {
  readonly score: number;
  readonly comparative: number;
  readonly label: SentimentLabel;
}

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
const PHRASES = new Map<string, { readonly words: readonly string[]; readonly token: string }[]>();
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
const EMOTICONS = new Set<string>();
// One pass over the lexicon at start-up; plain lower-case words (nearly all keys) take the first test only.
for (const key of LEXICON.keys()) {
  if (/^[a-z0-9']+$/.test(key)) continue;
  if (/[ -]/.test(key)) {
    if (/^[\p{L}' -]+$/u.test(key)) addPhrase(key, key);
  } else if (/[^\p{L}\p{N}'-]/u.test(key) && !/\p{Extended_Pictographic}/u.test(key)) EMOTICONS.add(key);
}
/** Non-ASCII letters and digits (ASCII is tested by char code, which is what most text is). */
const UNICODE_WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
const EMOJI = /\p{Extended_Pictographic}/u;
/** Characters that make a chunk worth checking against the emoticons. */
const EMOTICON_CHARS = /[:;=<>()[\]{}|\\/^_*@#&$%]/;

const isSpace = (c: number) => c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 160;
const isAsciiWordChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
const isSentenceEnd = (c: number) => c === 46 || c === 33 || c === 63 || c === 59; // . ! ? ;
const isApostrophe = (c: number) => c === 39 || c === 0x2019;

/** Whether the UTF-16 unit at `i` starts a letter or digit (ASCII fast path, Unicode classes otherwise). */
function isWordCharAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return isAsciiWordChar(c);
  if (c >= 0xd800 && c <= 0xdbff) return UNICODE_WORD_CHAR.test(String.fromCodePoint(text.codePointAt(i)!));
  return UNICODE_WORD_CHAR.test(text[i]!);
}

/** Punctuation that may follow an emoticon inside its chunk (":)," ":(!!"). */
const isTrailing = (code: number) => code === 46 || code === 44 || code === 33 || code === 63; // . , ! ?

/** The emoticon a chunk is, allowing trailing punctuation (":)," ":(!!"), or undefined. */
function emoticonOf(chunk: string): string | undefined {
  if (EMOTICONS.has(chunk)) return chunk;
  let end = chunk.length;
  while (end > 1 && isTrailing(chunk.charCodeAt(end - 1))) end--;
  if (end === chunk.length) return undefined;
  const bare = chunk.slice(0, end);
  return EMOTICONS.has(bare) ? bare : undefined;
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
interface WordInfo {
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

function infoOf(word: string): WordInfo {
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

interface Tokens {
  /** Lower-cased words, emoticons, emoji and joined phrases. */
  readonly words: string[];
  /** Whether the token was written in capitals (two letters or more). */
  readonly caps: boolean[];
  /** Sentence number of each token. */
  readonly sentence: number[];
  /** Clause number of each token: clauses end at sentence ends and at commas and colons. */
  readonly clause: number[];
  /** Per sentence: whether it ends with "?". */
  readonly question: boolean[];
  readonly exclamations: number;
}

/**
 * Words (letters and digits, with inner apostrophes: "don't"), emoji, and emoticons that form a whole
 * whitespace-separated chunk (":)", ":-(,"); sentence ends (. ! ? ; and line breaks) split sentences.
 * A hand-written scanner: the regex version was a third of the scorer's time.
 */
function tokenize(text: string): Tokens {
  const words: string[] = [];
  const caps: boolean[] = [];
  const sentence: number[] = [];
  const clause: number[] = [];
  const question: boolean[] = [false];
  let exclamations = 0;
  let s = 0;
  let clauseNo = 0;
  const endSentence = (mark: string) => {
    for (const c of mark) if (c === '!') exclamations++;
    question[s] = mark.includes('?');
    question[++s] = false;
    clauseNo++;
  };
  const push = (token: string, capitals: boolean) => {
    words.push(token);
    caps.push(capitals);
    sentence.push(s);
    clause.push(clauseNo);
  };
  const len = text.length;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (words.length > 0 && sentence[words.length - 1] === s) endSentence('\n');
      i++;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < len && !isSpace(text.charCodeAt(end)) && text.charCodeAt(end) !== 10) end++;
    if (!isAsciiWordChar(c) || EMOTICON_CHARS.test(text.slice(i, end))) {
      const chunk = text.slice(i, end);
      const emoticon = emoticonOf(chunk);
      if (emoticon !== undefined) {
        push(emoticon, false);
        const rest = chunk.slice(emoticon.length);
        if (/[.!?]/.test(rest)) endSentence(rest);
        i = end;
        continue;
      }
    }
    // Pieces of the chunk [i, end).
    while (i < end) {
      if (isWordCharAt(text, i)) {
        const start = i;
        i++;
        while (
          i < end &&
          (isWordCharAt(text, i) ||
            (isApostrophe(text.charCodeAt(i)) && i + 1 < end && isWordCharAt(text, i + 1)))
        )
          i++;
        const word = text.slice(start, i);
        const lower = word.toLowerCase();
        push(
          lower.includes('’') ? lower.replaceAll('’', "'") : lower,
          word.length > 1 && word !== lower && word === word.toUpperCase(),
        );
        continue;
      }
      const d = text.charCodeAt(i);
      if (d === 44 || d === 58) clauseNo++; // , :
      if (isSentenceEnd(d)) {
        const start = i;
        while (i < end && isSentenceEnd(text.charCodeAt(i))) i++;
        endSentence(text.slice(start, i));
        continue;
      }
      if (d >= 0x2000) {
        const cp = text.codePointAt(i)!;
        const symbol = String.fromCodePoint(cp);
        if (EMOJI.test(symbol)) push(symbol, false);
        i += symbol.length;
        continue;
      }
      i++;
    }
  }
  return joinPhrases({ words, caps, sentence, clause, question, exclamations });
}

/** Replaces every multi-word entry inside one sentence by its token, longest first. */
function joinPhrases(t: Tokens): Tokens {
  const { words, caps, sentence, clause } = t;
  let out = 0;
  for (let i = 0; i < words.length; i++) {
    let token = words[i]!;
    let width = 1;
    const candidates = PHRASES.get(token);
    if (candidates) {
      for (const { words: p, token: joined } of candidates) {
        let k = 1;
        while (k < p.length && words[i + k] === p[k] && sentence[i + k] === sentence[i]) k++;
        if (k === p.length) {
          token = joined;
          width = p.length;
          break;
        }
      }
    }
    words[out] = token;
    caps[out] = caps[i]!;
    sentence[out] = sentence[i]!;
    clause[out] = clause[i]!;
    out++;
    i += width - 1;
  }
  words.length = caps.length = sentence.length = clause.length = out;
  return t;
}

/**
 * "couldn't be happier", "could not have been better": a negated comparative after "be"/"been" is the
 * superlative, so the negation does not flip it (ours).
 */
function isNegatedComparative(words: readonly string[], i: number): boolean {
  const w = words[i]!;
  const before = words[i - 1];
  return (before === 'be' || before === 'been') && (w.endsWith('er') || w === 'more');
}

/** Whether a sentiment word follows negator `i` within the negation window, in the same sentence. */
function negatesSomething(infos: readonly WordInfo[], sentence: readonly number[], i: number): boolean {
  for (let j = i + 1; j <= i + 3 && j < infos.length && sentence[j] === sentence[i]; j++)
    if (infos[j]!.valence !== 0 && infos[j]!.booster === 0 && !infos[j]!.negator) return true;
  return false;
}

/** Whether "used to (be)" opens the clause before `i`: a past state, said to contrast with now (ours). */
function isPastState(words: readonly string[], clause: readonly number[], i: number): boolean {
  for (let j = i - 2; j >= i - 4 && j >= 0 && clause[j] === clause[i]; j--)
    if (words[j] === 'used' && words[j + 1] === 'to' && (j + 2 === i || PAST_STATE_VERBS.has(words[j + 2]!)))
      return true;
  return false;
}

/**
 * +1 when a buying verb, −1 when a selling verb, comes before price level `i` in its clause (within
 * TRADE_WINDOW words), else 0 (ours).
 */
function tradeBefore(words: readonly string[], clause: readonly number[], i: number): number {
  for (let j = i - 1; j >= i - TRADE_WINDOW && j >= 0 && clause[j] === clause[i]; j--) {
    if (BUY_VERBS.has(words[j]!)) return 1;
    if (SELL_VERBS.has(words[j]!)) return -1;
  }
  return 0;
}

/** Whether a selling verb follows negator `i` within the negation window ("never selling", "won't sell"). */
function negatesSelling(words: readonly string[], sentence: readonly number[], i: number): boolean {
  for (let j = i + 1; j <= i + 3 && j < words.length && sentence[j] === sentence[i]; j++)
    if (SELL_VERBS.has(words[j]!)) return true;
  return false;
}

/**
 * Whether token `i` opens a hypothetical clause: "if", "unless", "whether", but not "as if", "even if",
 * "see if" (NOT_CONDITIONAL_BEFORE_IF), nor "if you …", which addresses the reader ("if you want a
 * scare, rent this") and recommends rather than supposes (ours).
 */
function isConditional(words: readonly string[], i: number): boolean {
  if (!CONDITIONALS.has(words[i]!)) return false;
  if (i > 0 && NOT_CONDITIONAL_BEFORE_IF.has(words[i - 1]!)) return false;
  return !READER.has(words[i + 1] ?? '');
}

/**
 * Weight of each token from where it stands (ours): in a question (information-seeking or not), or inside
 * a hypothetical "if …" clause.
 */
function contextWeights(t: Tokens, tuning: Tuning, on: RuleSwitches): number[] {
  const { words, sentence, clause, question } = t;
  const n = words.length;
  const w = new Array<number>(n).fill(1);
  // "buy the dip they said." A sentence that ends by quoting "they said" mocks what it quotes (ours).
  const ironic = new Set<number>();
  if (on.sarcasm)
    for (let i = 1; i < n; i++)
      if (
        words[i - 1] === 'they' &&
        (words[i] === 'said' || words[i] === 'say') &&
        (i + 1 === n || sentence[i + 1] !== sentence[i])
      )
        ironic.add(sentence[i]!);
  let first = 0;
  let conditionalClause = -1;
  for (let i = 0; i < n; i++) {
    if (i > 0 && sentence[i] !== sentence[i - 1]) first = i;
    if (question[sentence[i]!])
      w[i] =
        on.infoQuestion && INFO_QUESTION_STARTERS.has(words[first]!)
          ? tuning.infoQuestionScalar
          : tuning.questionScalar;
    if (on.conditional && clause[i] === conditionalClause) w[i]! *= tuning.conditionalScalar;
    if (ironic.has(sentence[i]!)) w[i]! *= NEGATION_SCALAR;
    if (isConditional(words, i)) conditionalClause = clause[i]!;
  }
  return w;
}

/** The valence each token contributes, after the word-level rules. */
function valences(t: Tokens, tuning: Tuning, on: RuleSwitches): number[] {
  const { words, caps, sentence, clause } = t;
  const n = words.length;
  const infos = new Array<WordInfo>(n);
  let capsCount = 0;
  let wordCount = 0;
  for (let i = 0; i < n; i++) {
    const info = infoOf(words[i]!);
    infos[i] = info;
    if (!info.emoticon) wordCount++;
    if (caps[i]) capsCount++;
  }
  const capsDiffer = capsCount > 0 && capsCount < wordCount;
  const weight = contextWeights(t, tuning, on);
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    const info = infos[i]!;
    let v = info.valence;
    const followed = i + 1 < n && sentence[i + 1] === sentence[i];
    if (info.negator) {
      // A negator is a rule, not a sentiment, when something follows it ("no problem"); when nothing it
      // could flip follows ("doesn't work", "don't buy it"), the clause is a mild complaint (ours), except
      // a negated sale, which is holding on ("never selling"; ours).
      if (followed) {
        if (negatesSomething(infos, sentence, i)) continue;
        const holding = on.holding && negatesSelling(words, sentence, i);
        out[i] = (holding ? tuning.holdValence : tuning.bareNegation) * weight[i]!;
        continue;
      }
    } else if (info.booster !== 0) {
      // A degree adverb modifies what follows; alone at a sentence end ("loads super!") it is the adjective.
      if (followed) continue;
    }
    if (on.tradeTiming) {
      // A price level after a trade: buying low or selling high is a win, buying high or selling low a loss.
      const level = LOW_LEVELS.has(words[i]!) ? 1 : HIGH_LEVELS.has(words[i]!) ? -1 : 0;
      if (level !== 0) {
        const trade = tradeBefore(words, clause, i);
        if (trade !== 0) v = trade * level * tuning.tradeValence;
      }
    }
    if (v === 0) continue;
    if (words[i] === 'like' && !(i > 0 && (LIKE_VERB_CONTEXT.has(words[i - 1]!) || infos[i - 1]!.negator)))
      continue;
    const sign = v > 0 ? 1 : -1;
    if (caps[i] && capsDiffer) v += sign * CAPS_STEP;
    for (let k = 1; k <= 3; k++) {
      const j = i - k;
      if (j < 0 || sentence[j] !== sentence[i]) break;
      const prev = infos[j]!;
      if (prev.booster !== 0) {
        let step = prev.booster * sign * BOOSTER_STEP;
        if (caps[j] && capsDiffer) step += sign * CAPS_STEP;
        v += step * (k === 1 ? 1 : k === 2 ? 0.95 : 0.9);
      }
      if (prev.negator && !isNegatedComparative(words, i)) v *= NEGATION_SCALAR;
    }
    if (i > 0 && words[i - 1] === 'least' && !(i > 1 && (words[i - 2] === 'at' || words[i - 2] === 'very')))
      v *= NEGATION_SCALAR;
    if (on.pastState && isPastState(words, clause, i)) v *= NEGATION_SCALAR;
    out[i] = v * weight[i]!;
  }
  // Laughter ("lol", "lmao", 😂) marks tone, not polarity: on Reddit it mocks as often as it cheers, so it
  // counts only when nothing else in the text carries sentiment (ours).
  if (on.laughter) {
    let other = 0;
    for (let i = 0; i < n; i++) if (!LAUGHTER.has(words[i]!)) other += Math.abs(out[i]!);
    if (other > 0) for (let i = 0; i < n; i++) if (LAUGHTER.has(words[i]!)) out[i] = 0;
  }
  const but = words.indexOf('but');
  if (but >= 0) for (let i = 0; i < n; i++) out[i]! *= i < but ? 0.5 : i > but ? 1.5 : 1;
  return out;
}

/** positive | neutral | negative from a comparative score (thresholds above). */
export function sentimentLabel(comparative: number, threshold = SENTIMENT_LABEL_THRESHOLD): SentimentLabel {
  if (comparative > threshold) return 'positive';
  if (comparative < -threshold) return 'negative';
  return 'neutral';
}

const NEUTRAL: SentimentResult = { score: 0, comparative: 0, label: 'neutral' };
const round4 = (x: number) => Math.round(x * 1e4) / 1e4 || 0;

/** The constants that were chosen by measurement (docs/sentiment-rules.md), as one object. */
export interface Tuning {
  readonly bareNegation: number;
  readonly questionScalar: number;
  readonly labelThreshold: number;
  readonly infoQuestionScalar: number;
  readonly conditionalScalar: number;
  readonly holdValence: number;
  readonly tradeValence: number;
  /** Discourse rules switched off (for the evaluation's ablation table; the pipeline uses them all). */
  readonly disabled?: readonly DiscourseRule[];
}

export const DEFAULT_TUNING: Tuning = {
  bareNegation: BARE_NEGATION,
  questionScalar: QUESTION_SCALAR,
  labelThreshold: SENTIMENT_LABEL_THRESHOLD,
  infoQuestionScalar: INFO_QUESTION_SCALAR,
  conditionalScalar: CONDITIONAL_SCALAR,
  holdValence: HOLD_VALENCE,
  tradeValence: TRADE_VALENCE,
};

/** The discourse rules added for crypto-Reddit (docs/sentiment-rules.md), by name. */
export const DISCOURSE_RULES = [
  'tradeTiming',
  'holding',
  'infoQuestion',
  'conditional',
  'pastState',
  'sarcasm',
  'laughter',
] as const;
export type DiscourseRule = (typeof DISCOURSE_RULES)[number];
type RuleSwitches = Readonly<Record<DiscourseRule, boolean>>;

/** "/s" as its own word: Reddit's sarcasm marker. */
const SARCASM_MARK = /(?:^|\s)\/s(?=$|[\s.,!?)])/;

/**
 * A scorer with other tuning constants: what the evaluation's sweeps use (scripts/eval-sentiment.ts).
 * The pipeline uses scoreSentiment, i.e. DEFAULT_TUNING.
 */
export function sentimentScorer(tuning: Tuning): (text: string | null | undefined) => SentimentResult {
  const on = Object.fromEntries(
    DISCOURSE_RULES.map((r) => [r, !tuning.disabled?.includes(r)]),
  ) as unknown as RuleSwitches;
  return (text) => {
    if (!text) return NEUTRAL;
    const t = tokenize(text);
    let score = 0;
    for (const v of valences(t, tuning, on)) score += v;
    if (score !== 0)
      score += Math.sign(score) * Math.min(t.exclamations, MAX_EXCLAMATIONS) * EXCLAMATION_STEP;
    // "/s" says the words mean their opposite, and Reddit uses it to mock: the text is negative (ours).
    if (on.sarcasm && text.includes('/s') && SARCASM_MARK.test(text))
      score = -Math.max(Math.abs(score), SARCASM_VALENCE);
    const comparative = round4(score / Math.sqrt(score * score + NORMALIZATION_ALPHA));
    return { score: round4(score), comparative, label: sentimentLabel(comparative, tuning.labelThreshold) };
  };
}

const defaultScorer = sentimentScorer(DEFAULT_TUNING);

/** Scores one text (rules in the module comment). Null/empty text is neutral (score 0). */
export function scoreSentiment(text: string | null | undefined): SentimentResult {
  return defaultScorer(text);
}
