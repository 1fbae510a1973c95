import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ColumnBuilder, cellAt, columnsOf, type Row, rowsOf, TextColumn } from '../../lambdas/core/columns';
import { type ColumnType, DATASET_NAMES, DATASETS, type DatasetName } from '../../lambdas/core/datasets';

/** A cell of each logical type as cast.ts produces them (or null). */
const CELLS: Readonly<Record<ColumnType, fc.Arbitrary<Row[string]>>> = {
  string: fc.option(fc.string({ minLength: 1 }), { nil: null }),
  int: fc.option(fc.maxSafeInteger(), { nil: null }),
  double: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
  timestamp: fc.option(
    fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms)),
    { nil: null },
  ),
  boolean: fc.option(fc.boolean(), { nil: null }),
};

const rowOf = (dataset: DatasetName) =>
  fc.record(Object.fromEntries(DATASETS[dataset].columns.map((c) => [c.name, CELLS[c.type]])));

/** What a row reads back as: -0 is stored as 0 (see columns.ts). */
const stored = (row: Row): Row =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Object.is(v, -0) ? 0 : v]));

describe('column batches', () => {
  it.each(DATASET_NAMES)('give back the rows they were built from, for %s', (dataset) => {
    fc.assert(
      fc.property(fc.array(rowOf(dataset), { maxLength: 40 }), (rows) => {
        const batch = columnsOf(dataset, rows);
        expect(batch.length).toBe(rows.length);
        for (const values of batch.columns) expect(values.length).toBe(rows.length);
        expect(rowsOf(batch)).toEqual(rows.map(stored));
        // Keys in schema order, as the writers and the warehouse expect.
        for (const row of rowsOf(batch))
          expect(Object.keys(row)).toEqual(DATASETS[dataset].columns.map((c) => c.name));
      }),
      { numRuns: 200 },
    );
  });

  it.each(DATASET_NAMES)(
    'has at most one natural key column in %s, a required string column (the dedupe index reads its bytes)',
    (dataset) => {
      expect(DATASETS[dataset].naturalKey.length).toBeLessThanOrEqual(1);
      for (const name of DATASETS[dataset].naturalKey) {
        const column = DATASETS[dataset].columns.find((c) => c.name === name);
        expect(column, name).toMatchObject({ type: 'string', required: true });
      }
    },
  );

  it('stores null numbers as NaN and -0 as 0, and reads both back as the row values', () => {
    const columns = DATASETS.coinlore_tickers.columns;
    const price = columns.findIndex((c) => c.name === 'price_usd');
    const rank = columns.findIndex((c) => c.name === 'rank');
    const batch = columnsOf('coinlore_tickers', [{ price_usd: -0, rank: null }]);
    expect(Object.is((batch.columns[price] as Float64Array)[0], 0)).toBe(true);
    expect(Number.isNaN((batch.columns[rank] as Float64Array)[0])).toBe(true);
    expect(cellAt(batch, rank, 0)).toBeNull();
    expect(Object.is(cellAt(batch, price, 0), 0)).toBe(true);
  });

  it('keeps every committed slot when it grows, and drops a slot that was never committed', () => {
    const builder = new ColumnBuilder('coinlore_global', 1);
    const coins = DATASETS.coinlore_global.columns.findIndex((c) => c.name === 'coins_count');
    const run = DATASETS.coinlore_global.columns.findIndex((c) => c.name === 'run_id');
    const n = 1000;
    for (let i = 0; i < n; i++) {
      builder.reserve(builder.length);
      builder.set(coins, builder.length, i);
      builder.set(run, builder.length, `r${i}`);
      builder.commit();
    }
    // Written but not committed: a rejected record's cells.
    builder.reserve(builder.length);
    builder.set(coins, builder.length, -1);
    builder.set(run, builder.length, 'rejected');
    const batch = builder.finish();
    expect(batch.length).toBe(n);
    expect(Array.from(batch.columns[coins] as Float64Array)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(Array.from({ length: n }, (_, r) => cellAt(batch, run, r))).toEqual(
      Array.from({ length: n }, (_, i) => `r${i}`),
    );
  });

  it('keeps boolean and text cells when it grows, and trims them to the committed rows', () => {
    const builder = new ColumnBuilder('reddit_posts', 1);
    const specs = DATASETS.reddit_posts.columns;
    const deleted = specs.findIndex((c) => c.name === 'is_deleted');
    const title = specs.findIndex((c) => c.name === 'title');
    const n = 300;
    for (let i = 0; i <= n; i++) {
      builder.reserve(builder.length);
      builder.set(deleted, builder.length, i % 3 === 0 ? null : i % 2 === 0);
      builder.set(title, builder.length, `t${i}`);
      if (i < n) builder.commit(); // the last one is written but never committed
    }
    const batch = builder.finish();
    expect([batch.columns[deleted]!.length, batch.columns[title]!.length]).toEqual([n, n]);
    const expected = Array.from({ length: n }, (_, i) => [i % 3 === 0 ? null : i % 2 === 0, `t${i}`]);
    expect(rowsOf(batch).map((r) => [r.is_deleted, r.title])).toEqual(expected);
  });

  it('copies every cell of a slot over another (a later extraction replacing a row)', () => {
    const builder = new ColumnBuilder('coinlore_tickers');
    const specs = DATASETS.coinlore_tickers.columns;
    const first: Record<string, string | number | null> = {
      symbol: 'OLD',
      price_usd: 1,
      rank: 1,
      extracted_at: 1000,
    };
    const later: Record<string, string | number | null> = {
      symbol: 'NEW',
      price_usd: 2,
      rank: null,
      extracted_at: 2000,
    };
    for (const values of [first, later]) {
      builder.reserve(builder.length);
      for (const [i, c] of specs.entries()) builder.set(i, builder.length, values[c.name] ?? null);
      builder.commit();
    }
    builder.copySlot(1, 0);
    const [replaced] = rowsOf(builder.finish());
    expect(replaced).toMatchObject({ symbol: 'NEW', price_usd: 2, rank: null, extracted_at: new Date(2000) });
  });
});

describe('TextColumn', () => {
  const cells = (column: TextColumn) => Array.from({ length: column.length }, (_, i) => column.text(i));

  it('reads back each string it was given, null and the empty string apart', () => {
    const values = ['BTC', null, '', 'Ünïcødé 🚀', 'a\u0000b'];
    expect(cells(TextColumn.of(values))).toEqual(values);
  });

  it('reads a lone surrogate back as U+FFFD, the UTF-8 it is stored as', () => {
    expect(TextColumn.of(['a\ud800b']).text(0)).toBe('a\ufffdb');
  });

  it('stores a value equal to the last one written once, and any other value anew', () => {
    const column = TextColumn.empty(4);
    column.set(0, 'run-1');
    column.set(1, 'run-1');
    expect(column.used).toBe(5);
    column.set(2, 'run-2');
    column.set(3, 'run-1');
    expect(column.used).toBe(15);
    expect(cells(column)).toEqual(['run-1', 'run-1', 'run-2', 'run-1']);
  });

  it('copies bytes from a source, so later changes to the source do not reach the cell', () => {
    const source = Buffer.from('xxBTCxx');
    const column = TextColumn.empty(2);
    column.grow(3);
    column.setBytes(0, source, 2, 5);
    column.setBytes(1, source, 0, 0);
    column.setBytes(2, source, 0, 2);
    source.fill(0);
    expect(cells(column)).toEqual(['BTC', '', 'xx']);
  });

  it('keeps every cell when its slots and its byte store grow', () => {
    const column = TextColumn.empty(1);
    const values = Array.from({ length: 300 }, (_, i) => `${'v'.repeat(i % 40)}${i}`);
    for (const [slot, value] of values.entries()) {
      if (slot >= column.length) column.grow(2 * column.length);
      column.set(slot, value);
    }
    expect(cells(column.head(values.length))).toEqual(values);
  });

  it('copies a slot over another, and a head shares the bytes but holds only its rows', () => {
    const column = TextColumn.of(['old', 'longer', 'third', 'x']);
    column.copySlot(1, 0);
    column.copySlot(3, 2);
    const head = column.head(3);
    expect(head.length).toBe(3);
    expect(head.bytes).toBe(column.bytes);
    expect(cells(head)).toEqual(['longer', 'longer', 'x']);
  });

  it('reads a slot never written as null, also after it grows', () => {
    const column = TextColumn.empty(2);
    column.set(0, 'a');
    column.grow(4);
    expect(cells(column)).toEqual(['a', null, null, null]);
  });

  it('refuses text past its limit with a RangeError, and keeps the cells below it', () => {
    const column = TextColumn.empty(4, 8);
    column.set(0, 'abc');
    column.setBytes(1, Buffer.from('de'), 0, 2);
    expect(() => column.setBytes(2, Buffer.from('xyzw'), 0, 4)).toThrow(/over 8 bytes of text/);
    expect(() => column.set(2, 'xyzw')).toThrow(RangeError);
    expect(cells(column)).toEqual(['abc', 'de', null, null]);
  });

  it('takes text up to its limit exactly', () => {
    const column = TextColumn.empty(1, 20); // 16 bytes of store to begin with
    column.grow(2);
    column.set(0, 'abcdefghij');
    column.setBytes(1, Buffer.from('klmnopqrst'), 0, 10); // grows the store to the limit, 20 bytes
    expect(cells(column)).toEqual(['abcdefghij', 'klmnopqrst']);
  });

  it('grows its byte store past twice its size for one long value', () => {
    const column = TextColumn.empty(1); // 16 bytes of store
    const long = 'é'.repeat(100); // 200 bytes of UTF-8
    column.set(0, long);
    expect(column.text(0)).toBe(long);
  });

  it('refuses a value that is not a string instead of storing it', () => {
    expect(() => TextColumn.empty(1).set(0, 42 as unknown as string)).toThrow(/string column got a number/);
  });
});
