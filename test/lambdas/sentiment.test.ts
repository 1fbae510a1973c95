import Sentiment from 'sentiment';
import english from 'sentiment/languages/en/index.js';
import { describe, expect, it } from 'vitest';
import {
  AFINN_SCALE,
  BARE_NEGATION,
  BOOSTER_STEP,
  CAPS_STEP,
  CRYPTO_LEXICON,
  CRYPTO_PHRASES,
  EXCLAMATION_STEP,
  NEGATION_SCALAR,
  QUESTION_SCALAR,
  SENTIMENT_LABEL_THRESHOLD,
  scoreSentiment,
  sentimentLabel,
} from '../../lambdas/core/sentiment';
import { VADER_LEXICON_TEXT } from '../../lambdas/core/sentiment-data/vader-lexicon.data';

const SAMPLES = ['hodl to the moon', 'total rug pull, rekt', 'bullish on lambo', 'good day', 'bad fud scam'];
const score = (text: string) => scoreSentiment(text).score;

describe('scoreSentiment', () => {
  it('leaves the library default scoring unchanged when our scorer has been used', () => {
    const plain = new Sentiment();
    const before = SAMPLES.map((s) => plain.analyze(s).score);
    for (const s of SAMPLES) scoreSentiment(s);
    const after = SAMPLES.map((s) => new Sentiment().analyze(s).score);
    expect(after).toEqual(before);
    // The plain library does not know the crypto words at all.
    expect(new Sentiment().analyze('hodl lambo wagmi').score).toBe(0);
  });

  it('scales AFINN weights by the least-squares slope of VADER valence over the words both rate', () => {
    const vader = new Map(
      VADER_LEXICON_TEXT.split('\n').map((line) => {
        const at = line.lastIndexOf(' ');
        return [line.slice(0, at), Number(line.slice(at + 1))] as const;
      }),
    );
    let sxy = 0;
    let sxx = 0;
    for (const [word, weight] of Object.entries(english.labels)) {
      const valence = vader.get(word);
      if (valence === undefined) continue;
      sxy += weight * valence;
      sxx += weight * weight;
    }
    expect(Math.abs(AFINN_SCALE - sxy / sxx)).toBeLessThan(0.05);
  });

  it('scores the crypto lexicon words with their weights when a text uses them', () => {
    for (const [word, weight] of Object.entries(CRYPTO_LEXICON)) {
      expect(score(`the ${word} today`), word).toBeCloseTo(weight * AFINN_SCALE, 4);
    }
  });

  it('scores a phrase once as its joined token when words are separated by spaces or hyphens', () => {
    for (const [phrase, token] of Object.entries(CRYPTO_PHRASES)) {
      const weight = CRYPTO_LEXICON[token]! * AFINN_SCALE;
      expect(score(`this ${phrase} now`), phrase).toBeCloseTo(weight, 4);
      // Hyphens and capitals join too; only the exclamation mark adds to the phrase's weight.
      expect(score(`THIS ${phrase.toUpperCase().replaceAll(' ', '-')}!`), phrase).toBeCloseTo(
        weight + Math.sign(weight) * EXCLAMATION_STEP,
        4,
      );
    }
  });

  it('reads an idiom as a whole when its words alone would say otherwise', () => {
    // "money" and "of" carry nothing and "waste" alone is milder than the idiom.
    expect(score('waste of money')).toBeLessThan(score('waste'));
    expect(score('this will cut the mustard')).toBeGreaterThan(0);
    expect(score('cut')).toBeLessThan(0);
  });

  it('flips and damps a sentiment word when a negator precedes it within three words', () => {
    expect(score('not bullish')).toBeCloseTo(score('bullish') * NEGATION_SCALAR, 4);
    expect(score("I don't think it's great")).toBeCloseTo(score('great') * NEGATION_SCALAR, 4);
    // Four words away is outside the window: the negator then flips nothing and counts as a bare negation.
    expect(score("I don't think it is great")).toBeCloseTo(score('great') + BARE_NEGATION, 4);
    expect(score('never a good sign')).toBeLessThan(0);
    expect(score('nothing wrong with taking profits')).toBeGreaterThan(0);
  });

  it('flips a sentiment word after "least" unless it reads "at least"', () => {
    expect(score('the least useful feature')).toBeCloseTo(score('useful') * NEGATION_SCALAR, 4);
    expect(score('at least useful')).toBeCloseTo(score('useful'), 4);
  });

  it('does not negate across a sentence end', () => {
    expect(score('Not sure. Great project.')).toBeCloseTo(score('not sure') + score('great'), 4);
  });

  it('keeps a negated comparative after "be" positive when it means the superlative', () => {
    expect(score("I couldn't be happier")).toBeCloseTo(score('happier'), 4);
    expect(score('it is not better')).toBeLessThan(0);
  });

  it('scores a negation that flips no sentiment word as a mild complaint', () => {
    expect(score('it works')).toBe(0);
    expect(score("it doesn't work")).toBe(BARE_NEGATION);
    expect(scoreSentiment('Mic does not work.').label).toBe('negative');
  });

  it('boosts after an intensifier and damps after a dampener, by distance', () => {
    const good = score('good');
    expect(score('very good')).toBeCloseTo(good + BOOSTER_STEP, 4);
    expect(score('slightly good')).toBeCloseTo(good - BOOSTER_STEP, 4);
    expect(score('kind of good')).toBeCloseTo(good - BOOSTER_STEP, 4);
    expect(score('very bad')).toBeCloseTo(score('bad') - BOOSTER_STEP, 4);
    expect(score('very much good')).toBeCloseTo(good + BOOSTER_STEP * 0.95, 4);
  });

  it('scores a degree adverb as its own adjective when nothing follows it', () => {
    expect(score('the phone loads super')).toBeGreaterThan(0);
  });

  it('adds emphasis to a word in capitals when other words are not', () => {
    expect(score('this is GOOD news')).toBeCloseTo(score('this is good news') + CAPS_STEP, 4);
    expect(score('THIS IS GOOD NEWS')).toBeCloseTo(score('this is good news'), 4);
    expect(score('this is GOOD NEWS')).toBeCloseTo(score('this is GOOD news'), 4);
  });

  it('adds emphasis for each exclamation mark up to four', () => {
    const good = score('good');
    expect(score('good!')).toBeCloseTo(good + EXCLAMATION_STEP, 4);
    expect(score('good!!!!')).toBeCloseTo(good + 4 * EXCLAMATION_STEP, 4);
    expect(score('good!!!!!!!')).toBeCloseTo(score('good!!!!'), 4);
    expect(score('bad!')).toBeCloseTo(score('bad') - EXCLAMATION_STEP, 4);
    expect(score('fine day!')).toBeCloseTo(score('fine day') + EXCLAMATION_STEP, 4);
    expect(score('a day!')).toBe(0);
  });

  it('weighs the clause after "but" over the clause before it', () => {
    expect(score('great team but terrible tokenomics')).toBeLessThan(0);
    expect(score('terrible tokenomics but great team')).toBeGreaterThan(0);
    expect(score('great team but terrible tokenomics')).toBeCloseTo(
      0.5 * score('great') + 1.5 * score('terrible'),
      4,
    );
  });

  it('damps the sentiment of a question', () => {
    expect(score('this is a scam?')).toBeCloseTo(score('this is a scam') * QUESTION_SCALAR, 4);
    expect(score('why is this such a scam?')).toBeCloseTo(
      score('why is this such a scam') * QUESTION_SCALAR,
      4,
    );
    expect(score('it is a scam? no, it is fine.')).toBeCloseTo(
      score('it is a scam') * QUESTION_SCALAR + score('no, it is fine'),
      4,
    );
  });

  it('scores emoji and emoticons, with crypto meanings where they differ', () => {
    expect(score('btc 🚀')).toBeGreaterThan(0);
    expect(score('btc 📉')).toBeLessThan(0);
    expect(score('nice one :)')).toBeGreaterThan(score('nice one'));
    expect(score('well :(')).toBeLessThan(score('well'));
    expect(score('thanks :),')).toBeCloseTo(score('thanks :)'), 4);
  });

  it('reads "like" as sentiment only when it is the verb', () => {
    expect(score('looks like btc is ranging')).toBe(0);
    expect(score('I like btc')).toBeGreaterThan(0);
    expect(score("I don't like btc")).toBeLessThan(0);
  });

  it('finds a word through its regular inflection when the lexicon lacks that form', () => {
    expect(score('pumps')).toBeCloseTo(score('pump'), 4);
    expect(score('pumps')).toBeGreaterThan(0);
  });

  it('labels by comparative score with the documented thresholds', () => {
    expect(sentimentLabel(SENTIMENT_LABEL_THRESHOLD + 0.001)).toBe('positive');
    expect(sentimentLabel(SENTIMENT_LABEL_THRESHOLD)).toBe('neutral');
    expect(sentimentLabel(-SENTIMENT_LABEL_THRESHOLD)).toBe('neutral');
    expect(sentimentLabel(-SENTIMENT_LABEL_THRESHOLD - 0.001)).toBe('negative');
    const r = scoreSentiment('This rally feels sustainable. HODL!');
    expect(r.comparative).toBeCloseTo(r.score / Math.sqrt(r.score * r.score + 15), 4);
    expect(r.label).toBe(sentimentLabel(r.comparative));
  });

  it('is neutral with score 0 when the text is empty, null or has no sentiment words', () => {
    for (const t of ['', null, undefined]) {
      expect(scoreSentiment(t)).toEqual({ score: 0, comparative: 0, label: 'neutral' });
    }
    expect(scoreSentiment('the halving is in april')).toEqual({ score: 0, comparative: 0, label: 'neutral' });
  });

  it('ignores inherited object keys when a text uses them as words', () => {
    expect(scoreSentiment('constructor toString __proto__ hasOwnProperty')).toEqual({
      score: 0,
      comparative: 0,
      label: 'neutral',
    });
    expect(score('constructor toString good')).toBeCloseTo(score('good'), 4);
  });
});
