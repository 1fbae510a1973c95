/**
 * A crypto-market slang lexicon for the sentiment scorer (lambdas/core/sentiment.ts). DATA only: weights on
 * the AFINN scale (−5 … 5, integers), converted by the scorer like CRYPTO_LEXICON, which it extends.
 *
 * How it was sourced (docs/sentiment-rules.md): written in one sitting from general knowledge of how crypto
 * and trading forums talk (r/CryptoCurrency, r/Bitcoin, r/ethtrader, Crypto Twitter, trading-desk jargon),
 * BEFORE any misclassified evaluation comment was looked at, as the list one would write for any crypto
 * forum. No entry comes from an evaluation text. Polarity is the stance a writer using the term takes:
 * "nuked", "bagholding" and "honeypot" are bad news for the writer's side, "lfg" and "10x" good news.
 * Words whose general-English valence is wrong in market talk are overridden (MARKET_NEUTRAL, and a few
 * signs: an "oversold" market is a buying chance, "fined" is a penalty, 🐻 and 🔴 mean down).
 */

/** Slang words, tickers-of-mood and emoji (AFINN scale). */
export const CRYPTO_SLANG: Readonly<Record<string, number>> = {
  // Price going up, or a writer's win.
  lfg: 3,
  parabolic: 2,
  ripping: 2,
  uptrend: 2,
  outperform: 2,
  outperforming: 2,
  outperformed: 2,
  '10x': 2,
  '100x': 3,
  '1000x': 3,
  gainz: 2,
  bottomed: 1,
  oversold: 1,
  accumulate: 1,
  accumulating: 1,
  undervalued: 2,
  based: 2,
  // Price going down, or a writer's loss.
  nuked: -3,
  nuking: -3,
  nuke: -2,
  plummet: -3,
  plummeted: -3,
  plummeting: -3,
  bloodbath: -3,
  carnage: -3,
  downtrend: -2,
  underperform: -2,
  underperforming: -2,
  underperformed: -2,
  overbought: -1,
  selloff: -2,
  bleeding: -2,
  bleed: -2,
  bleeds: -2,
  underwater: -2,
  bagholding: -2,
  bags: -1,
  atl: -2,
  ded: -2,
  fakeout: -1,
  // Fraud, theft and failure.
  rug: -3,
  rugs: -3,
  scammy: -3,
  scamcoin: -3,
  honeypot: -3,
  ponzinomics: -3,
  grift: -3,
  grifter: -3,
  grifters: -3,
  vaporware: -3,
  exploit: -2,
  hack: -2,
  drained: -3,
  insolvent: -3,
  insolvency: -3,
  delisted: -2,
  delisting: -2,
  fined: -2,
  frozen: -1,
  // Forum put-downs.
  cope: -2,
  coping: -2,
  seethe: -2,
  fudding: -2,
  fudders: -2,
  fudder: -2,
  shilled: -1,
  shills: -1,
  moonboys: -1,
  // Emoji as markets use them (the general emoji table scores 🐻 and 🔴 as positive).
  '🐻': -1,
  '🐂': 1,
  '🔴': -1,
  '🟢': 1,
  '🩸': -2,
  '💸': -1,
  '🤑': 2,
  '💎': 2,
  '🙌': 1,
  '🫠': -1,
  '😬': -1,
};

/**
 * Market jargon that general lexicons rate but that is neutral in market talk: price levels ("support at
 * 60k"), rates and open interest, mechanics ("token burn", "hard fork").
 */
export const MARKET_NEUTRAL: readonly string[] = [
  'support',
  'resistance',
  'interest',
  'hard fork',
  'burn',
  'burned',
  'burning',
];

/** Multi-word slang, matched as one token (AFINN scale). */
export const CRYPTO_SLANG_PHRASES: Readonly<Record<string, number>> = {
  'pump and dump': -3,
  'wash trading': -2,
  'exit liquidity': -2,
  'going to zero': -3,
  'goes to zero': -3,
  'went to zero': -3,
  'all time low': -2,
  'new high': 2,
  'new highs': 2,
  'new low': -2,
  'new lows': -2,
  'record high': 2,
  'record low': -2,
  'higher highs': 2,
  'higher lows': 1,
  'lower highs': -1,
  'lower lows': -2,
  'golden cross': 2,
  'death cross': -2,
  'bull flag': 2,
  'bear flag': -2,
  'bull trap': -2,
  'lost support': -2,
  'broke support': -2,
  'held support': 1,
  'number go up': 2,
  'up only': 2,
  'free money': 2,
  'bought the dip': 1,
  'buying the dip': 1,
  'stacking sats': 2,
  'mass adoption': 2,
  'generational wealth': 3,
  'down bad': -2,
  'top is in': -2,
  'bottom is in': 2,
  'margin called': -2,
  'got liquidated': -3,
  'ghost chain': -2,
  'dumpster fire': -3,
};
