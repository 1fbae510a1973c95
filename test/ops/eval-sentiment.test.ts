import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COIN_UNIVERSE } from '../../lambdas/core/coin-universe';
import { VADER_LEXICON_TEXT } from '../../lambdas/core/sentiment-data/vader-lexicon.data';
import { compactLexicon, SOURCE } from '../../scripts/build-sentiment-lexicon';
import {
  type CryptoItem,
  evaluate,
  evaluateMentions,
  LABELS,
  readCryptoSet,
  readUciSet,
  UCI_SETS,
} from '../../scripts/eval-sentiment';

const universe = new Set(DEFAULT_COIN_UNIVERSE.map((c) => c.symbol));

describe('build-sentiment-lexicon', () => {
  it('matches the generated VADER data module to the installed lexicon when regenerated', () => {
    const fresh = compactLexicon(readFileSync(SOURCE, 'utf8'));
    expect(fresh.split('\n').length).toBeGreaterThan(7000);
    expect(VADER_LEXICON_TEXT).toBe(fresh);
  });
});

describe('eval-sentiment', () => {
  it('counts accuracy and the confusion matrix from gold and predicted labels', () => {
    const items = [
      { text: 'a', label: 'positive' as const },
      { text: 'b', label: 'positive' as const },
      { text: 'c', label: 'negative' as const },
      { text: 'd', label: 'neutral' as const },
    ];
    const predicted: Record<string, (typeof LABELS)[number]> = {
      a: 'positive',
      b: 'neutral',
      c: 'negative',
      d: 'negative',
    };
    const r = evaluate('x', items, (t) => predicted[t]!);
    expect(r.accuracy).toBe(2 / 4);
    expect(r.confusion.positive).toEqual({ negative: 0, neutral: 1, positive: 1 });
    expect(r.confusion.neutral.negative).toBe(1);
    expect(r.confusion.negative.negative).toBe(1);
  });

  it('counts mention precision and recall over (text, symbol) pairs', () => {
    const items: CryptoItem[] = [
      { id: '1', split: 'tune', label: 'neutral', text: 'btc and eth', mentions: ['BTC'] },
      { id: '2', split: 'tune', label: 'neutral', text: 'nothing here', mentions: ['SOL'] },
    ];
    const r = evaluateMentions('x', items);
    // Found BTC (right) and ETH (not labelled); missed SOL.
    expect([r.truePositives, r.falsePositives, r.falseNegatives]).toEqual([1, 1, 1]);
    expect(r.precision).toBe(0.5);
    expect(r.recall).toBe(0.5);
    expect(r.errors).toHaveLength(2);
  });

  it('reads the UCI sets from the installed sentiment package as positive/negative labels', () => {
    for (const set of UCI_SETS) {
      const items = readUciSet(set);
      expect(items.length).toBeGreaterThanOrEqual(1000);
      expect(new Set(items.map((i) => i.label))).toEqual(new Set(['positive', 'negative']));
    }
  });

  it('has at least 150 labelled crypto comments with valid labels, universe symbols and two balanced halves', () => {
    const items = readCryptoSet();
    expect(items.length).toBeGreaterThanOrEqual(150);
    for (const item of items) {
      expect(LABELS, item.id).toContain(item.label);
      for (const s of item.mentions) expect(universe.has(s), `${item.id} ${s}`).toBe(true);
    }
    const tune = items.filter((i) => i.split === 'tune').length;
    expect(Math.abs(tune - (items.length - tune))).toBeLessThanOrEqual(1);
    for (const label of LABELS) expect(items.filter((i) => i.label === label).length).toBeGreaterThan(30);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  });
});
