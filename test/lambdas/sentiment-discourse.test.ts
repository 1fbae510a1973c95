/**
 * The discourse rules added for crypto-Reddit (lambdas/core/sentiment.ts, docs/sentiment-rules.md) and the
 * crypto-slang lexicon. Each rule's case is a text whose label is wrong with that rule switched off
 * (sentimentScorer with `disabled`), so the test proves the rule is what gets it right.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TUNING,
  type DiscourseRule,
  HOLD_VALENCE,
  NEGATION_SCALAR,
  QUESTION_SCALAR,
  SARCASM_VALENCE,
  scoreSentiment,
  sentimentScorer,
  TRADE_VALENCE,
} from '../../lambdas/core/sentiment';

const label = (text: string) => scoreSentiment(text).label;
const score = (text: string) => scoreSentiment(text).score;
const labelWithout = (rule: DiscourseRule, text: string) =>
  sentimentScorer({ ...DEFAULT_TUNING, disabled: [rule] })(text).label;

/** The rule gets `text` right, and the scorer without it does not. */
function expectRuleDecides(rule: DiscourseRule, text: string, expected: string): void {
  expect(label(text)).toBe(expected);
  expect(labelWithout(rule, text)).not.toBe(expected);
}

describe('discourse rules', () => {
  it('scores a price level by the trade before it: buying low or selling high wins, the reverse loses', () => {
    expectRuleDecides('tradeTiming', 'bought more sol on this dip', 'positive');
    expectRuleDecides('tradeTiming', 'sold at the bottom', 'negative');
    expect(score('sold the top')).toBeCloseTo(TRADE_VALENCE, 4);
    expectRuleDecides('tradeTiming', 'bought the top', 'negative');
    expect(score('sold the bottom')).toBeCloseTo(-TRADE_VALENCE, 4);
    expect(score('bought more sol on this dip')).toBeCloseTo(TRADE_VALENCE, 4);
    // Without a trade verb in its clause a level keeps its own valence.
    expect(score('another dip')).toBe(score('dip'));
    expect(score('sold, and then the dip')).toBe(score('dip'));
  });

  it('reads a negated sale as holding on, not as a complaint', () => {
    expectRuleDecides('holding', 'not selling a single sat', 'positive');
    expect(score("I won't sell")).toBeCloseTo(HOLD_VALENCE, 4);
    expect(score("it doesn't work")).toBeLessThan(0);
  });

  it('makes a question that asks for information neutral, while other questions stay damped', () => {
    expectRuleDecides('infoQuestion', "what's the best hardware wallet?", 'neutral');
    expectRuleDecides('infoQuestion', 'should I sell my bags?', 'neutral');
    expect(score('why is this such a scam?')).toBeCloseTo(
      score('why is this such a scam') * QUESTION_SCALAR,
      4,
    );
    expect(score('what a scam. how do I report it?')).toBeCloseTo(score('what a scam.'), 4);
  });

  it('does not assert what an "if" clause supposes, up to the clause end', () => {
    expectRuleDecides('conditional', 'will buy more if it crashes', 'neutral');
    expect(score('if it crashes, great, cheaper coins')).toBeCloseTo(score('great, cheaper coins'), 4);
    // Not hypotheses: a concession, a comparison, an embedded question, advice to the reader.
    expect(score('even if it dips')).toBe(score('it dips'));
    expect(score('acts as if it were great')).toBeGreaterThan(0);
    expect(score('not sure if it is good')).toBe(score('not sure it is good'));
    expect(score('if you want a good coin, buy this')).toBeGreaterThan(0);
  });

  it('flips what "used to be" said of the past', () => {
    expectRuleDecides('pastState', 'this coin used to be great', 'negative');
    expect(score('this coin used to be great')).toBeCloseTo(score('this coin is great') * NEGATION_SCALAR, 4);
    expect(score('I got used to the volatility')).toBe(score('I got the volatility'));
  });

  it('reads "/s" and a closing "they said" as sarcasm: the text is negative', () => {
    expectRuleDecides('sarcasm', 'wow what a great investment /s', 'negative');
    expectRuleDecides('sarcasm', 'buy the dip they said. it kept going', 'negative');
    expect(score('another day /s')).toBe(-SARCASM_VALENCE);
    expect(score('bad /s')).toBe(score('bad'));
    expect(score('they said it was great')).toBeGreaterThan(0);
    expect(score('a/s ratio is great')).toBeGreaterThan(0);
  });

  it('lets laughter count only when nothing else carries sentiment', () => {
    expectRuleDecides('laughter', 'paper hands again lmao', 'negative');
    expect(score('lol')).toBeGreaterThan(0);
    expect(score('great lol')).toBe(score('great'));
  });
});

describe('crypto-slang lexicon', () => {
  it('rates market slang that general lexicons miss, in the direction traders mean it', () => {
    expect(label('btc got nuked overnight')).toBe('negative');
    expect(label('sol is going parabolic')).toBe('positive');
    expect(label('this is a pump and dump')).toBe('negative');
    expect(label('lfg')).toBe('positive');
    expect(label('bulls 🐂')).toBe('positive');
    expect(label('bears 🐻')).toBe('negative');
  });

  it('takes the sentiment out of price-level and mechanics jargon', () => {
    expect(score('support at 60k')).toBe(0);
    expect(score('open interest keeps climbing')).toBe(score('open keeps climbing'));
    expect(score('token burn next week')).toBe(0);
  });
});
