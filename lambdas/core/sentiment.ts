/**
 * Sentiment of Reddit text: VADER's rules over a merged lexicon (VADER + AFINN-165 + finance news + emoji +
 * crypto slang). Rules, sources and measured accuracy: docs/sentiment-rules.md, docs/sentiment.md.
 *
 * This module is the public entry: the scorer, its labels and tuning, and the rule constants (re-exported).
 * The work is split by stage: sentiment-lexicon.ts (lexicon assembly, phrases, emoticons, word lookup),
 * sentiment-tokens.ts (tokenizer) and sentiment-rules.ts (VADER's and the discourse rules, valences).
 *
 * Rules (VADER's, Hutto & Gilbert 2014; constants are theirs unless marked; code in sentiment-rules.ts):
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
import { DISCOURSE_RULES, type RuleSwitches, type Tuning, valences } from './sentiment-rules';
import { tokenize } from './sentiment-tokens';

export { CRYPTO_LEXICON, CRYPTO_PHRASES } from './sentiment-data/crypto-lexicon.data';
export { AFINN_SCALE } from './sentiment-lexicon';
export {
  BOOSTER_STEP,
  CAPS_STEP,
  DISCOURSE_RULES,
  type DiscourseRule,
  NEGATION_SCALAR,
  type Tuning,
} from './sentiment-rules';

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

/** positive | neutral | negative from a comparative score (thresholds above). */
export function sentimentLabel(comparative: number, threshold = SENTIMENT_LABEL_THRESHOLD): SentimentLabel {
  if (comparative > threshold) return 'positive';
  if (comparative < -threshold) return 'negative';
  return 'neutral';
}

const NEUTRAL: SentimentResult = { score: 0, comparative: 0, label: 'neutral' };
const round4 = (x: number) => Math.round(x * 1e4) / 1e4 || 0;

export const DEFAULT_TUNING: Tuning = {
  bareNegation: BARE_NEGATION,
  questionScalar: QUESTION_SCALAR,
  labelThreshold: SENTIMENT_LABEL_THRESHOLD,
  infoQuestionScalar: INFO_QUESTION_SCALAR,
  conditionalScalar: CONDITIONAL_SCALAR,
  holdValence: HOLD_VALENCE,
  tradeValence: TRADE_VALENCE,
};

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
