/**
 * The scorer's rules (sentiment.ts is the entry; the module comment there lists them all, with their
 * sources): the valence each token contributes after VADER's word-level rules (negation, degree adverbs,
 * capitals, "but") and the discourse rules for crypto-Reddit (trade timing, holding, questions,
 * conditionals, "used to", "they said", laughter), which Tuning switches off one by one for the ablation.
 */
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
import { LIKE_VERB_CONTEXT } from './sentiment-data/rules.data';
import { infoOf, type WordInfo } from './sentiment-lexicon';
import type { Tokens } from './sentiment-tokens';

/** VADER's constants (Hutto & Gilbert 2014); what each does: the module comment of sentiment.ts. */
export const NEGATION_SCALAR = -0.74;
export const BOOSTER_STEP = 0.293;
export const CAPS_STEP = 0.733;
/** How many words before a price level a buying or selling verb may stand. */
const TRADE_WINDOW = 6;

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
export type RuleSwitches = Readonly<Record<DiscourseRule, boolean>>;

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
export function valences(t: Tokens, tuning: Tuning, on: RuleSwitches): number[] {
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
