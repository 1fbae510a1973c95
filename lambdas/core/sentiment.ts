/**
 * Sentiment of Reddit text: AFINN-165 (the `sentiment` package) extended with a crypto lexicon.
 *
 * Why not `analyze(text, { extras })`: the library merges `extras` INTO its shared English word list
 * (`Object.assign(labels, extras)`), so one call changes the scores of every later caller in the
 * process, including other code using the library (test/lambdas/sentiment.test.ts proves ours does
 * not). Instead, one scorer is built once at module start-up: a dedicated Sentiment instance with its
 * own registered language whose word list is a COPY of AFINN plus the lexicon below, and whose scoring
 * strategy is the English negation rule ("not bullish" flips the sign). The English list is only read.
 *
 * Multi-word phrases ("rug pull", "to the moon", "all time high") are joined into one token before
 * scoring, so "to the moon" scores once as +3 rather than as "moon" plus filler words.
 *
 * Label thresholds (on `comparative` = score / tokens, so long neutral texts with one strong word stay
 * neutral): comparative > 0.05 → positive, < −0.05 → negative, otherwise neutral. 0.05 is one +1 word
 * in twenty tokens; empty or deleted text is neutral with score 0.
 */
import Sentiment from 'sentiment';
import english from 'sentiment/languages/en/index.js';

/** Crypto slang with AFINN-style weights (−5 … 5). Overrides AFINN where both define a word. */
export const CRYPTO_LEXICON: Readonly<Record<string, number>> = {
  moon: 3,
  mooning: 3,
  moonshot: 2,
  tothemoon: 3,
  hodl: 2,
  hodling: 2,
  rekt: -3,
  rugpull: -4,
  'rug-pull': -4,
  rugpulled: -4,
  rugged: -3,
  fud: -2,
  scam: -3,
  scammer: -3,
  scammers: -3,
  exitscam: -4,
  ponzi: -3,
  bullish: 2,
  bearish: -2,
  bullrun: 3,
  bullmarket: 2,
  bearmarket: -2,
  pump: 1,
  pumping: 2,
  pumped: 1,
  dump: -2,
  dumping: -2,
  dumped: -2,
  ath: 2,
  fomo: -1,
  lambo: 2,
  wagmi: 3,
  ngmi: -3,
  gmi: 2,
  shitcoin: -2,
  shitcoins: -2,
  hopium: -1,
  copium: -2,
  bagholder: -2,
  bagholders: -2,
  capitulation: -2,
  deadcatbounce: -2,
  diamondhands: 2,
  paperhands: -1,
  buythedip: 1,
  btfd: 1,
  rally: 2,
  rallying: 2,
  breakout: 2,
  liquidated: -3,
  liquidation: -2,
  hacked: -3,
  exploited: -3,
  depeg: -3,
  depegged: -3,
  shill: -1,
  shilling: -1,
};

/** Phrases joined into one lexicon token before scoring (words separated by spaces or hyphens). */
export const CRYPTO_PHRASES: Readonly<Record<string, string>> = {
  'rug pull': 'rugpull',
  'rug pulled': 'rugpulled',
  'to the moon': 'tothemoon',
  'all time high': 'ath',
  'dead cat bounce': 'deadcatbounce',
  'diamond hands': 'diamondhands',
  'paper hands': 'paperhands',
  'buy the dip': 'buythedip',
  'bull run': 'bullrun',
  'bull market': 'bullmarket',
  'bear market': 'bearmarket',
  'exit scam': 'exitscam',
};

/** |comparative| above this is positive/negative; see the module comment. */
export const SENTIMENT_LABEL_THRESHOLD = 0.05;

export type SentimentLabel = 'positive' | 'neutral' | 'negative';

export interface SentimentResult {
  readonly score: number;
  readonly comparative: number;
  readonly label: SentimentLabel;
}

/** The language code our instance registers; not a real language, so nothing else resolves to it. */
const LANGUAGE = 'fdl-crypto-en';

const instance = new Sentiment();
instance.registerLanguage(LANGUAGE, {
  // A copy: the library adds its emoji scores to the object it is given, so it must be our own.
  labels: { ...english.labels, ...CRYPTO_LEXICON },
  // The library's English negation rule ("not bullish" flips the sign), reused as is.
  scoringStrategy: english.scoringStrategy,
});

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PHRASE_PATTERN = new RegExp(
  `\\b(?:${Object.keys(CRYPTO_PHRASES)
    .sort((a, b) => b.length - a.length)
    .map((p) => p.split(' ').map(escapeRegExp).join('[\\s-]+'))
    .join('|')})\\b`,
  'g',
);

/** Lower-cases and joins known phrases into their lexicon token. */
function joinPhrases(text: string): string {
  return text
    .toLowerCase()
    .replace(PHRASE_PATTERN, (m) => ` ${CRYPTO_PHRASES[m.split(/[\s-]+/).join(' ')] ?? m} `);
}

/** positive | neutral | negative from a comparative score (thresholds above). */
export function sentimentLabel(comparative: number): SentimentLabel {
  if (comparative > SENTIMENT_LABEL_THRESHOLD) return 'positive';
  if (comparative < -SENTIMENT_LABEL_THRESHOLD) return 'negative';
  return 'neutral';
}

const NEUTRAL: SentimentResult = { score: 0, comparative: 0, label: 'neutral' };

/** Scores one text with AFINN + the crypto lexicon. Null/empty text is neutral (score 0). */
export function scoreSentiment(text: string | null | undefined): SentimentResult {
  if (!text) return NEUTRAL;
  const { score, comparative } = instance.analyze(joinPhrases(text), { language: LANGUAGE });
  // Scores are sums of small integers; `|| 0` turns the -0 of negated sums into 0.
  return { score: score || 0, comparative: comparative || 0, label: sentimentLabel(comparative) };
}
