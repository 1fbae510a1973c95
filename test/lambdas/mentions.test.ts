import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COIN_UNIVERSE } from '../../lambdas/core/coin-universe';
import {
  AMBIGUOUS_NAMES,
  buildMentionIndex,
  mentionedSymbols,
  NAME_CONTEXT_WORDS,
  SYMBOL_STOPLIST,
} from '../../lambdas/core/mentions';

const U = DEFAULT_COIN_UNIVERSE;
const symbols = U.map((c) => c.symbol);
/** Words that are no coin's symbol or name word and no context word: safe filler. */
const FILLER = [
  'the',
  'market',
  'today',
  'looks',
  'very',
  'strong',
  'price',
  'and',
  'fees',
  'are',
  'low',
  'hello',
];
const separator = fc.constantFrom(' ', ', ', '. ', '! ', '\n', ' - ', ' (', ') ');
const stopWord = fc
  .constantFrom(...SYMBOL_STOPLIST)
  .chain((w) => fc.constantFrom(w, w.toLowerCase(), w[0] + w.slice(1).toLowerCase()));

function join(words: string[], seps: string[]): string {
  return words.map((w, i) => w + (seps[i] ?? ' ')).join('');
}

describe('mentionedSymbols', () => {
  it('never yields a mention when plain text contains only stoplisted words and filler', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(stopWord, fc.constantFrom(...FILLER)), { maxLength: 30 }),
        fc.array(separator, { maxLength: 30 }),
        (words, seps) => {
          expect(mentionedSymbols(join(words, seps), U)).toEqual([]);
        },
      ),
    );
  });

  it('always yields SYM when the text contains $SYM of a universe symbol', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...symbols),
        fc.array(fc.constantFrom(...FILLER), { maxLength: 10 }),
        fc.array(fc.constantFrom(...FILLER), { maxLength: 10 }),
        fc.boolean(),
        (sym, before, after, lower) => {
          const text = `${before.join(' ')} $${lower ? sym.toLowerCase() : sym}, ${after.join(' ')}`;
          expect(mentionedSymbols(text, U)).toContain(sym);
        },
      ),
    );
  });

  it('returns sorted unique universe symbols when given arbitrary text', () => {
    const words = fc.oneof(
      fc.constantFrom(...symbols),
      fc.constantFrom(...symbols).map((s) => `$${s}`),
      fc.constantFrom(...U.map((c) => c.name)),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(words, { maxLength: 20 }), (ws) => {
        const out = mentionedSymbols(ws.join(' '), U);
        expect(out).toEqual([...new Set(out)].sort());
        for (const s of out) expect(symbols).toContain(s);
      }),
    );
  });

  it.each([
    ['BTC holds 77k after ETF inflows', ['BTC']],
    ['bitcoin and Ethereum, also $sol', ['BTC', 'ETH', 'SOL']],
    ['Bitcoin Cash is not bitcoin', ['BCH', 'BTC']],
    ['Bitcoin Cash only', ['BCH']],
    ['Gas fees at yearly low', []],
    ['the GAS token is up, gas token too', ['GAS']],
    ['ONE more time, IT is NOW or never', []],
    ['bought $ONE and the Harmony network', ['ONE']],
    ['ETH/BTC ratio; ETH2 is not a ticker', ['BTC', 'ETH']],
    ['btc in lower case is not a bare symbol', []],
    ['shiba inu and dogecoin', ['DOGE', 'SHIB']],
  ])('finds the right coins in %j', (text, expected) => {
    expect(mentionedSymbols(text, U)).toEqual(expected);
  });

  it('treats every stoplisted word that is a coin name as ambiguous when building the index', () => {
    const index = buildMentionIndex([{ symbol: 'XYZ', name: 'Now' }]);
    expect(index.names.get('now')?.ambiguous).toBe(true);
    for (const w of NAME_CONTEXT_WORDS) expect(SYMBOL_STOPLIST.has(w.toUpperCase())).toBe(false);
    expect(AMBIGUOUS_NAMES.has('gas')).toBe(true);
  });

  it('uses a custom universe when one is given', () => {
    const universe = [{ symbol: 'ZZZ', name: 'Zed Coin' }];
    expect(mentionedSymbols('zed coin and ZZZ and BTC', universe)).toEqual(['ZZZ']);
  });

  it('returns nothing when the text is empty or null', () => {
    expect(mentionedSymbols('', U)).toEqual([]);
    expect(mentionedSymbols(null, U)).toEqual([]);
  });
});
