/**
 * Exact scores of short sentences, worked out by hand from the VADER lexicon values and the rule
 * constants of lambdas/core/sentiment.ts (module comment). Each case pins one rule so that a change to
 * it (a mutant) changes the number.
 */
import { describe, expect, it } from 'vitest';
import {
  BARE_NEGATION,
  BOOSTER_STEP,
  CAPS_STEP,
  EXCLAMATION_STEP,
  NEGATION_SCALAR,
  QUESTION_SCALAR,
  scoreSentiment,
} from '../../lambdas/core/sentiment';
import { VADER_LEXICON_TEXT } from '../../lambdas/core/sentiment-data/vader-lexicon.data';

const VADER = new Map(
  VADER_LEXICON_TEXT.split('\n').map((line) => {
    const at = line.lastIndexOf(' ');
    return [line.slice(0, at), Number(line.slice(at + 1))] as const;
  }),
);
/** VADER valence of a word the lexicon rates (the tests use only words no later table overrides). */
const lex = (word: string): number => {
  const v = VADER.get(word);
  if (v === undefined) throw new Error(`not in VADER: ${word}`);
  return v;
};
const score = (text: string) => scoreSentiment(text).score;
const GOOD = lex('good');

describe('scoreSentiment', () => {
  it('weights words after "but" by one and a half when "but" is the first word', () => {
    expect(score('but good')).toBeCloseTo(1.5 * GOOD, 4);
  });

  it('leaves a word unflipped when "least" follows "at"', () => {
    expect(score('at least good')).toBeCloseTo(GOOD, 4);
    expect(score('least good')).toBeCloseTo(GOOD * NEGATION_SCALAR, 4);
  });

  it('decays a booster by 5% at two words and 10% at three words when words sit between', () => {
    expect(score('very the good')).toBeCloseTo(GOOD + BOOSTER_STEP * 0.95, 4);
    expect(score('very the the good')).toBeCloseTo(GOOD + BOOSTER_STEP * 0.9, 4);
  });

  it('adds the caps step to a booster when the booster alone is in capitals', () => {
    expect(score('VERY good')).toBeCloseTo(GOOD + BOOSTER_STEP + CAPS_STEP, 4);
  });

  it('adds no caps step to a lower-case booster when another word is in capitals', () => {
    expect(score('very good THE')).toBeCloseTo(GOOD + BOOSTER_STEP, 4);
  });

  it('adds nothing for a capitalised word without valence when it precedes a sentiment word', () => {
    expect(score('THE good')).toBeCloseTo(GOOD, 4);
  });

  it('ignores a booster when it ends the previous sentence', () => {
    expect(score('very. good')).toBeCloseTo(GOOD, 4);
  });

  it('scores "like" as nothing when it opens the text', () => {
    expect(score('like')).toBe(0);
    expect(score('i like')).toBeCloseTo(lex('like'), 4);
  });

  it('counts a booster with a valence only as a booster when a word follows it', () => {
    expect(score('super good')).toBeCloseTo(GOOD + BOOSTER_STEP, 4);
  });

  it('scores a booster as its own word when it ends the text or the sentence', () => {
    expect(score('super')).toBeCloseTo(lex('super'), 4);
    expect(score('super. the')).toBeCloseTo(lex('super'), 4);
  });

  it('scores a negator as its own word when nothing follows it', () => {
    expect(score('no')).toBeCloseTo(lex('no'), 4);
  });

  it('adds the bare negation when the negator flips nothing in its own sentence', () => {
    expect(score("don't go")).toBeCloseTo(BARE_NEGATION, 4);
    expect(score("don't go. good")).toBeCloseTo(BARE_NEGATION + GOOD, 4);
  });

  it('treats any word ending in "n\'t" as a negator when it is not in the list', () => {
    expect(score("xn't good")).toBeCloseTo(GOOD * NEGATION_SCALAR, 4);
  });

  it('keeps a negated comparative after "be" or "been" unflipped', () => {
    expect(score("couldn't be happier")).toBeCloseTo(lex('happier'), 4);
    expect(score("couldn't have been happier")).toBeCloseTo(lex('happier'), 4);
    expect(score('not be good')).toBeCloseTo(GOOD * NEGATION_SCALAR, 4);
  });

  it('does not count emoticons as words when deciding whether capitals differ', () => {
    expect(score('GOOD :)')).toBeCloseTo(GOOD + lex(':)'), 4);
    expect(score('GOOD day :)')).toBeCloseTo(GOOD + CAPS_STEP + lex(':)'), 4);
  });

  it('joins a phrase only when its words are in one sentence', () => {
    expect(score('kind. of good')).toBeCloseTo(lex('kind') + GOOD, 4);
  });

  it('does not count punctuation symbols as words when deciding whether capitals differ', () => {
    expect(score('GOOD —')).toBeCloseTo(GOOD, 4);
  });

  it('treats one capital letter and digits as not capitalised when capitals are counted', () => {
    expect(score('I LOVE')).toBeCloseTo(lex('love') + CAPS_STEP, 4);
    expect(score('GOOD 22')).toBeCloseTo(GOOD + CAPS_STEP, 4);
  });

  it('drops a trailing apostrophe when punctuation follows it in the chunk', () => {
    expect(score("good',")).toBeCloseTo(GOOD, 4);
  });

  it('ends a sentence at a line break when a word precedes it', () => {
    expect(score('very\ngood')).toBeCloseTo(GOOD, 4);
  });

  it('keeps an emoticon inside the sentence when no punctuation follows it', () => {
    expect(score('very :) good')).toBeCloseTo(lex(':)') + BOOSTER_STEP + GOOD + BOOSTER_STEP * 0.95, 3);
  });

  it('counts exclamation marks after an emoticon when they end its chunk', () => {
    expect(score('good :)!')).toBeCloseTo(GOOD + lex(':)') + EXCLAMATION_STEP, 4);
  });

  it('reads an emoticon that starts with a digit when the chunk is the emoticon', () => {
    expect(score('8)')).toBeCloseTo(lex('8)'), 4);
  });

  it('scales only the question sentence when a statement follows it', () => {
    expect(score('good? good')).toBeCloseTo(GOOD * QUESTION_SCALAR + GOOD, 4);
  });

  it('adds nothing for words without valence when they precede a sentiment word', () => {
    expect(score('the good')).toBeCloseTo(GOOD, 4);
  });

  it('looks up no inflection when the word is shorter than five letters', () => {
    expect(score('bads')).toBe(0);
  });

  it('undoubles the final consonant when the stem without the suffix is unknown', () => {
    expect(score('robbed')).toBeCloseTo(lex('rob'), 4);
    expect(score('robbing')).toBeCloseTo(lex('rob'), 4);
  });

  it('normalises the score to the compound when it is one word', () => {
    const r = scoreSentiment('good');
    expect(r.comparative).toBeCloseTo(GOOD / Math.sqrt(GOOD * GOOD + 15), 4);
    expect(r.label).toBe('positive');
  });
});

describe('scoreSentiment tokenizer', () => {
  it('splits chunks at every whitespace kind when an emoticon precedes the space', () => {
    for (const space of ['\t', '\r', '\f', '\v', '\u00a0'])
      expect(score(`:)${space}good`)).toBeCloseTo(lex(':)') + GOOD, 4);
  });

  it('splits a word at ASCII symbols after "z" or between "Z" and "a" when they touch it', () => {
    expect(score('good~')).toBeCloseTo(GOOD, 4);
    expect(score('good_')).toBeCloseTo(GOOD, 4);
  });

  it('keeps digits and non-ASCII letters inside a word when they touch it', () => {
    for (const text of ['good0', 'good9', 'goodé', 'good𝐀', 'good𐀀']) expect(score(text)).toBe(0);
  });

  it('reads capital letters up to "Z" as word characters when a word is capitalised', () => {
    expect(score('Zgood')).toBe(0);
  });

  it('ends a sentence at a semicolon when a booster precedes it', () => {
    expect(score('very; good')).toBeCloseTo(GOOD, 4);
  });

  it('reads a typographic apostrophe as a negator apostrophe when it is inside a word', () => {
    expect(score('don’t go')).toBeCloseTo(BARE_NEGATION, 4);
  });

  it('strips a trailing full stop, exclamation or question mark from an emoticon chunk', () => {
    expect(score(':).')).toBeCloseTo(lex(':)'), 4);
    expect(score(':)!')).toBeCloseTo(lex(':)') + EXCLAMATION_STEP, 4);
    expect(score(':)?')).toBeCloseTo(lex(':)') * QUESTION_SCALAR, 4);
  });
});
