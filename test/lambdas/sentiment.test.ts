import Sentiment from 'sentiment';
import { describe, expect, it } from 'vitest';
import {
  CRYPTO_LEXICON,
  CRYPTO_PHRASES,
  SENTIMENT_LABEL_THRESHOLD,
  scoreSentiment,
  sentimentLabel,
} from '../../lambdas/core/sentiment';

const SAMPLES = ['hodl to the moon', 'total rug pull, rekt', 'bullish on lambo', 'good day', 'bad fud scam'];

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

  it('scores the crypto lexicon words with their weights when a text uses them', () => {
    for (const [word, weight] of Object.entries(CRYPTO_LEXICON)) {
      expect(scoreSentiment(`the ${word} today`).score, word).toBe(weight);
    }
  });

  it('scores a phrase once as its joined token when words are separated by spaces or hyphens', () => {
    for (const [phrase, token] of Object.entries(CRYPTO_PHRASES)) {
      const weight = CRYPTO_LEXICON[token]!;
      expect(scoreSentiment(`this ${phrase} now`).score, phrase).toBe(weight);
      expect(scoreSentiment(`THIS ${phrase.toUpperCase().replaceAll(' ', '-')}!`).score, phrase).toBe(weight);
    }
  });

  it('flips a score when a negator precedes the word', () => {
    expect(scoreSentiment('not bullish').score).toBe(-CRYPTO_LEXICON.bullish!);
  });

  it('labels by comparative score with the documented thresholds', () => {
    expect(sentimentLabel(SENTIMENT_LABEL_THRESHOLD + 0.001)).toBe('positive');
    expect(sentimentLabel(SENTIMENT_LABEL_THRESHOLD)).toBe('neutral');
    expect(sentimentLabel(-SENTIMENT_LABEL_THRESHOLD)).toBe('neutral');
    expect(sentimentLabel(-SENTIMENT_LABEL_THRESHOLD - 0.001)).toBe('negative');
    const r = scoreSentiment('This rally feels sustainable. HODL!');
    expect(r.comparative).toBe(r.score / 5);
    expect(r.label).toBe(sentimentLabel(r.comparative));
  });

  it('is neutral with score 0 when the text is empty, null or deleted', () => {
    for (const t of ['', null, undefined]) {
      expect(scoreSentiment(t)).toEqual({ score: 0, comparative: 0, label: 'neutral' });
    }
  });

  it('keeps plain AFINN words scored as the library scores them', () => {
    for (const s of ['good day', 'terrible awful news', 'I love this']) {
      expect(scoreSentiment(s).score).toBe(new Sentiment().analyze(s).score);
    }
  });
});
