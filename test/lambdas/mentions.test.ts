import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COIN_UNIVERSE } from '../../lambdas/core/coin-universe';
import {
  AMBIGUOUS_NAMES,
  buildMentionIndex,
  CASE_INSENSITIVE_SYMBOLS,
  CONTEXT_SYMBOLS,
  CRYPTO_VOCABULARY,
  mentionedSymbols,
  NAME_CONTEXT_WORDS,
  SUBJECT_VERBS,
  SYMBOL_STOPLIST,
  TRADE_VERBS,
} from '../../lambdas/core/mentions';

const U = DEFAULT_COIN_UNIVERSE;
const symbols = U.map((c) => c.symbol);
/** Words that are no coin's symbol or name word and no context word: safe filler. */
const FILLER = ['the', 'market', 'today', 'seems', 'very', 'strong', 'and', 'fees', 'are', 'low', 'hello'];
/** Every word that can turn an ambiguous word into a mention. */
const CONTEXT = new Set([...NAME_CONTEXT_WORDS, ...TRADE_VERBS, ...CRYPTO_VOCABULARY, ...SUBJECT_VERBS]);
const separator = fc.constantFrom(' ', ', ', '. ', '! ', '\n', ' - ', ' (', ') ');
/**
 * A stoplisted word in any case. Stoplisted words that are themselves context words (e.g. IS, a subject
 * verb: "dot is pumping" names DOT by rule 2c) are left out: next to an ambiguous symbol they are meant to
 * make a mention, so "only stoplisted words" would not be a trap-only text.
 */
const stopWord = fc
  .constantFrom(...[...SYMBOL_STOPLIST].filter((w) => !CONTEXT.has(w.toLowerCase())))
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
    ['btc in lower case is a bare symbol', ['BTC']],
    ['shiba inu and dogecoin', ['DOGE', 'SHIB']],
  ])('finds the right coins in %j', (text, expected) => {
    expect(mentionedSymbols(text, U)).toEqual(expected);
  });

  it('keeps the filler of these properties free of context words', () => {
    for (const w of FILLER) expect(CONTEXT.has(w), w).toBe(false);
  });

  it('yields SYM when a case-insensitive symbol is written in any case next to punctuation or emoji', () => {
    const safe = symbols.filter((s) => CASE_INSENSITIVE_SYMBOLS.has(s));
    fc.assert(
      fc.property(
        fc.constantFrom(...safe),
        fc.constantFrom('lower', 'title', 'upper'),
        fc.constantFrom(['', ' '], ['(', ')'], ['', '!!'], ['', '🚀'], ['', '?'], ['"', '",'], ['', '/usd']),
        fc.array(fc.constantFrom(...FILLER), { maxLength: 6 }),
        (sym, spelling, [open, close], before) => {
          const word =
            spelling === 'lower'
              ? sym.toLowerCase()
              : spelling === 'title'
                ? sym[0] + sym.slice(1).toLowerCase()
                : sym;
          expect(mentionedSymbols(`${before.join(' ')} ${open}${word}${close} today`, U)).toContain(sym);
        },
      ),
    );
  });

  it('never yields a context symbol written in lower case among words that give no context', () => {
    const ambiguous = symbols.filter((s) => CONTEXT_SYMBOLS.has(s));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...ambiguous).map((s) => s.toLowerCase()),
            fc.constantFrom(...FILLER),
          ),
          {
            maxLength: 20,
          },
        ),
        (ws) => {
          expect(mentionedSymbols(ws.join(' '), U)).toEqual([]);
        },
      ),
    );
  });

  it.each([
    // The lower-case tickers.
    ['sold half my btc at the top', ['BTC']],
    ['eth staking yield dropped again', ['ETH']],
    ['bought more avax on this dip', ['AVAX']],
    ['is xrp still in court?', ['XRP']],
    // Words that only look like coins.
    ['a ton of people asked', []],
    ['gas fees are brutal', []],
    ['the link below has the details', []],
    ['one day this will make sense', []],
    ['sold near the top', []],
    ['My daughter Ada started coding', []],
    ['the dot product is zero', []],
    ['the op of this thread is wrong', []],
    ['uni was the best four years', []],
    ['an atom of truth', []],
    // Context after the word, an amount or a trade verb before it.
    ['ada staking rewards arrived', ['ADA']],
    ['link price is flat', ['LINK']],
    ['op mainnet fees are tiny', ['OP']],
    ['bought 500 link last night', ['LINK']],
    ['sold half my dot', ['DOT']],
    ['bought one eth', ['ETH']],
    ['sold the link to my blog', []],
    // Lists with a mention in them.
    ['btc, eth, link - my portfolio', ['BTC', 'ETH', 'LINK']],
    ['sol/usdt is the pair', ['SOL', 'USDT']],
    ['link/$btc', ['BTC', 'LINK']],
    ['xrp and ada', ['ADA', 'XRP']],
    ['btc one eth', ['BTC', 'ETH']],
    // Lower-case noun symbols: crypto text or sentence subject, never after an article.
    ['ada feels slow, the wallet too', ['ADA']],
    ['ada feels slow', []],
    ['btc looks fine, ada feels slow', ['ADA', 'BTC']],
    ['my cat sol is asleep', []],
    ['sol is flying today', ['SOL']],
    ['Sol is flying today', []],
    ['fine. dot has been bleeding', ['DOT']],
    ['the dot in the token logo', []],
    // Capitals as the universe spells them, stoplisted words only with context.
    ['ADA and NEAR are up', ['ADA', 'NEAR']],
    ['LINK staking is live', ['LINK']],
    ['the LINK below', []],
  ])('tags people-written text %j as %j', (text, expected) => {
    expect(mentionedSymbols(text, U)).toEqual(expected);
  });

  it('treats every stoplisted word that is a coin name as ambiguous when building the index', () => {
    const index = buildMentionIndex([{ symbol: 'XYZ', name: 'Now' }]);
    expect(index.names.get('now')?.ambiguous).toBe(true);
    for (const w of NAME_CONTEXT_WORDS) expect(SYMBOL_STOPLIST.has(w.toUpperCase())).toBe(false);
    expect(AMBIGUOUS_NAMES.has('gas')).toBe(true);
  });

  it('matches the longest name of a prepared index, word by word, and no name from its first words alone', () => {
    // Built here, not taken from the cache of the default universe, so the index's own construction
    // is what the assertions exercise.
    const universe = [
      { symbol: 'AAA', name: 'Alpha' },
      { symbol: 'AAB', name: 'Alpha Beta' },
      { symbol: 'LNG', name: 'Long Name Of Four' },
    ];
    const index = buildMentionIndex(universe);
    expect(mentionedSymbols('i sold alpha beta today', index)).toEqual(['AAB']);
    expect(mentionedSymbols('alpha and then beta', index)).toEqual(['AAA']);
    expect(mentionedSymbols('long name of four rallied', index)).toEqual(['LNG']);
    expect(mentionedSymbols('a long name of three', index)).toEqual([]);
  });

  it('reads the word after a name as a new word, never as the start of another name', () => {
    const universe = [
      { symbol: 'AAA', name: 'Alpha Beta' },
      { symbol: 'BBB', name: 'Beta' },
    ];
    expect(mentionedSymbols('alpha beta rallied', universe)).toEqual(['AAA']);
    expect(mentionedSymbols('alpha and beta rallied', universe)).toEqual(['BBB']);
    expect(mentionedSymbols('alpha beta, beta', universe)).toEqual(['AAA', 'BBB']);
  });

  it('compares a word with non-ASCII letters to symbols by its upper case, as ASCII words are', () => {
    // "ß" upper-cases to "SS", but "SS" lower-cases to "ss": a lookup by lower case alone would miss it.
    // The Kelvin sign "\u212A" lower-cases to ASCII "k", but "k" upper-cases to "K", not to it.
    const universe = [
      { symbol: 'SS', name: 'Strasse Coin' },
      { symbol: '\u212A', name: 'Kelvin Sign' },
    ];
    expect(mentionedSymbols('$ß is up', universe)).toEqual(['SS']);
    expect(mentionedSymbols('$ss is up', universe)).toEqual(['SS']);
    expect(mentionedSymbols('$k is up', universe)).toEqual([]);
    expect(mentionedSymbols('$\u212A is up', universe)).toEqual(['\u212A']);
  });

  it('applies the name, list and cashtag rules to a text with non-ASCII characters as to an ASCII one', () => {
    // The emoji sends the text down the upper-case lookup: names, lists and cashtags must still count.
    const text = 'Bitcoin and ada, $sol';
    const expected = ['ADA', 'BTC', 'SOL'];
    expect(mentionedSymbols(text, U)).toEqual(expected);
    expect(mentionedSymbols(text.replace(' and', ' 🚀 and'), U)).toEqual(expected);
  });

  it('uses a custom universe when one is given', () => {
    const universe = [{ symbol: 'ZZZ', name: 'Zed Coin' }];
    expect(mentionedSymbols('zed coin and ZZZ and BTC', universe)).toEqual(['ZZZ']);
  });

  it('returns nothing when the text is empty or null', () => {
    expect(mentionedSymbols('', U)).toEqual([]);
    expect(mentionedSymbols(null, U)).toEqual([]);
    expect(mentionedSymbols('?! … 🚀 $$ --', U)).toEqual([]);
  });
});
