import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextColumn } from '../../lambdas/core/columns';
import { hashBytes, KeyIndex, MAX_PROBES } from '../../lambdas/core/key-index';

/** What claiming ids[0], ids[1], … in order must give: the first row of the same id, else -1. */
function expectedClaims(ids: readonly string[]): number[] {
  const first = new Map<string, number>();
  return ids.map((id, row) => {
    const seen = first.get(id);
    if (seen !== undefined) return seen;
    first.set(id, row);
    return -1;
  });
}

function claimAll(ids: readonly string[], hash?: (b: Uint8Array, s: number, n: number) => number) {
  const column = TextColumn.of(ids);
  const index = new KeyIndex(column, hash);
  return { claims: ids.map((_, row) => index.claim(row)), index };
}

describe('KeyIndex (the dedupe of natural ids by their bytes)', () => {
  it('gives each repeated id the row that first held it, for any ids', () => {
    fc.assert(
      fc.property(
        // A small alphabet makes repeats and shared prefixes common; unicode checks the bytes of
        // multi-byte characters.
        fc.array(fc.oneof(fc.stringMatching(/^[ab]{0,3}$/), fc.string({ unit: 'grapheme' })), {
          maxLength: 300,
        }),
        (ids) => {
          const { claims, index } = claimAll(ids);
          expect(claims).toEqual(expectedClaims(ids));
          expect(index.size).toBe(new Set(ids).size);
        },
      ),
    );
  });

  it('keeps finding ids while the table grows far past its first size', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => String(i % 7_000));
    const { claims, index } = claimAll(ids);
    expect(claims).toEqual(expectedClaims(ids));
    expect(index.size).toBe(7_000);
    expect(index.degraded).toBe(false);
  });

  it('compares lengths as well as bytes: an id is not equal to its prefix', () => {
    // Every id in one chain of entries (a constant hash), so each lookup compares against the others.
    const ids = ['abc', 'ab', 'a', '', 'abc', 'ab', 'a', '', 'abcd'];
    expect(claimAll(ids, () => 7).claims).toEqual(expectedClaims(ids));
  });

  it('wraps around the end of the table', () => {
    // A hash whose low bits pick the last entry: the next ones are at the start.
    const ids = ['x', 'y', 'z', 'y', 'x', 'z'];
    expect(claimAll(ids, () => -1).claims).toEqual(expectedClaims(ids));
  });

  it(`moves to a Map when a lookup probes past ${MAX_PROBES} entries, and still finds every id`, () => {
    // Colliding ids (a constant hash, as chosen input could make them): the (MAX_PROBES + 2)th distinct
    // id is the first whose lookup passes MAX_PROBES occupied entries.
    const distinct = Array.from({ length: 200 }, (_, i) => `id-${i}`);
    const column = TextColumn.of([...distinct, ...distinct.slice().reverse()]);
    const index = new KeyIndex(column, () => 0);
    for (let row = 0; row <= MAX_PROBES; row++) expect(index.claim(row)).toBe(-1);
    expect(index.degraded).toBe(false);
    expect(index.claim(MAX_PROBES + 1)).toBe(-1);
    expect(index.degraded).toBe(true);
    for (let row = MAX_PROBES + 2; row < distinct.length; row++) expect(index.claim(row)).toBe(-1);
    // The repeats, including those indexed before the move, find their first row.
    for (let i = 0; i < distinct.length; i++)
      expect(index.claim(distinct.length + i)).toBe(distinct.length - 1 - i);
    expect(index.size).toBe(distinct.length);
  });

  it('reads the column afresh: ids written after its byte store and arrays were replaced are found', () => {
    const column = TextColumn.empty(4);
    const index = new KeyIndex(column);
    column.set(0, 'btc');
    expect(index.claim(0)).toBe(-1);
    const before = column.bytes;
    column.set(1, 'x'.repeat(10_000)); // past the store's first size: a new Buffer
    expect(column.bytes).not.toBe(before);
    expect(index.claim(1)).toBe(-1);
    column.grow(1_000); // new starts and lengths arrays as well
    column.set(2, 'btc');
    expect(index.claim(2)).toBe(0);
    column.setBytes(3, Buffer.from('--btc--'), 2, 5); // the scanner's path: the same bytes, copied
    expect(index.claim(3)).toBe(0);
  });

  it('refuses a null id (natural key columns are required)', () => {
    expect(() => new KeyIndex(TextColumn.of([null])).claim(0)).toThrow(
      new TypeError('the natural id of row 0 is null'),
    );
  });
});

describe('hashBytes', () => {
  const hashOf = (s: string) => {
    const b = Buffer.from(s);
    return hashBytes(b, 0, b.length);
  };

  it('spreads ids that differ only in their last digits over the low bits', () => {
    // Coin ids are numbers: 10,000 of them must reach every one of 1,024 entries (a hash passing the
    // last byte through would fill only a few).
    const entries = new Set(Array.from({ length: 10_000 }, (_, i) => hashOf(String(i)) & 1023));
    expect(entries.size).toBe(1024);
  });

  it('reads only the given range and depends on every byte of it', () => {
    const b = Buffer.from('xxbtcxx');
    expect(hashBytes(b, 2, 3)).toBe(hashOf('btc'));
    expect(hashOf('btc')).not.toBe(hashOf('btd'));
    expect(hashOf('btc')).not.toBe(hashOf('ctc'));
    expect(hashOf('btc')).not.toBe(hashOf('btc\0'));
  });
});
