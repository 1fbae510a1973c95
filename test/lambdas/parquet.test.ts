import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { snappyCompressor } from 'hysnappy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PARQUET_TYPES,
  SNAPPY_MIN_SAVING_ONE_IN,
  SNAPPY_PROBE_BYTES,
  writeParquet,
} from '../../lambdas/adapters/parquet';
import { columnPage } from '../../lambdas/adapters/parquet-pages';
import { columnsOf } from '../../lambdas/core/columns';
import { type ColumnType, DATASET_NAMES, DATASETS, type DatasetName } from '../../lambdas/core/datasets';
import { type Row, transformEnvelopes } from '../../lambdas/core/transform';
import { inMemoryDuckDb } from '../support/duckdb';
import { writeParquetWithDuckDb } from '../support/duckdb-parquet';
import { writeParquetRowByRow } from '../support/parquetjs-reference';
import {
  comment,
  envelope,
  FETCHED_AT,
  GLOBAL_BODY,
  keyed,
  listing,
  post,
  ticker,
  tickersBody,
} from './envelope-builder';

/** How DuckDB reports each logical type when it reads our files (the test's oracle). */
const READ_AS: Record<ColumnType, string> = {
  string: 'VARCHAR',
  int: 'BIGINT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

function sampleRows(dataset: DatasetName): Row[] {
  const ctx = { runId: 'run-parquet' };
  const inputs: Record<DatasetName, () => Row[]> = {
    coinlore_tickers: () =>
      transformEnvelopes(
        dataset,
        [
          keyed(
            'k',
            envelope(
              'coinlore',
              'tickers',
              tickersBody([
                ticker(1, { rank: 9007199254740991, msupply: '21000000' }),
                ticker(2, { percent_change_1h: 'NaN', price_btc: '1.2e-7', name: 'Ünïcode "quoted", coin' }),
                ...Array.from({ length: 300 }, (_, i) => ticker(i + 3)),
              ]),
            ),
          ),
        ],
        ctx,
      ).rows,
    coinlore_global: () =>
      transformEnvelopes(dataset, [keyed('g', envelope('coinlore', 'global', GLOBAL_BODY))], ctx).rows,
    reddit_posts: () =>
      transformEnvelopes(
        dataset,
        [
          keyed(
            'p',
            envelope(
              'reddit',
              'new',
              listing([post('a1'), post('a2', { selftext: '[removed]', edited: 1788363080.5 })]),
            ),
          ),
        ],
        ctx,
      ).rows,
    reddit_comments: () =>
      transformEnvelopes(
        dataset,
        [
          keyed(
            'c',
            envelope('reddit', 'comments', listing([comment('b1'), comment('b2', { body: '[deleted]' })])),
          ),
        ],
        ctx,
      ).rows,
  };
  return inputs[dataset]();
}

let dir: string;
const { q, con } = inMemoryDuckDb();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fdl-parquet-'));
  // Both writers, every dataset, once: the assertions below only read.
  for (const d of DATASET_NAMES) {
    const rows = sampleRows(d);
    await writeFile(join(dir, `${d}.lite.parquet`), await writeParquet(columnsOf(d, rows)));
    await writeParquetWithDuckDb(columnsOf(d, rows), join(dir, `${d}.duck.parquet`));
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(DATASET_NAMES)('Parquet files of %s', (dataset) => {
  const lite = () => join(dir, `${dataset}.lite.parquet`);
  const duck = () => join(dir, `${dataset}.duck.parquet`);

  it("has the schema columns with the mapped types when DuckDB reads the Lambda writer's file", async () => {
    const described = await q(`DESCRIBE SELECT * FROM read_parquet('${lite()}')`);
    expect(described.map((c) => [c.column_name, c.column_type])).toEqual(
      DATASETS[dataset].columns.map((c) => [c.name, READ_AS[c.type]]),
    );
  });

  it('has an identical physical schema when written by either writer', async () => {
    const schema = (f: string) =>
      q(
        `SELECT name, type, converted_type, repetition_type FROM parquet_schema('${f}') WHERE type IS NOT NULL ORDER BY name`,
      );
    const [a, b] = await Promise.all([schema(lite()), schema(duck())]);
    expect(a).toEqual(b);
    expect(a.filter((c) => String(c.type) === 'INT96')).toEqual([]);
    expect(new Set(a.map((c) => c.repetition_type))).toEqual(new Set(['OPTIONAL']));
    expect(
      await q(`DESCRIBE SELECT * FROM read_parquet('${duck()}')`).then((r) => r.map((c) => c.column_type)),
    ).toEqual(DATASETS[dataset].columns.map((c) => READ_AS[c.type]));
  });

  it('holds the same rows, nulls included, when written by either writer', async () => {
    const rows = sampleRows(dataset);
    const [{ n: nLite }] = await q(`SELECT count(*)::INT AS n FROM read_parquet('${lite()}')`);
    expect(nLite).toBe(rows.length);
    const diff = await q(
      `SELECT count(*)::INT AS n FROM ((SELECT * FROM read_parquet('${lite()}') EXCEPT ALL SELECT * FROM read_parquet('${duck()}'))
       UNION ALL (SELECT * FROM read_parquet('${duck()}') EXCEPT ALL SELECT * FROM read_parquet('${lite()}')))`,
    );
    expect(diff[0]!.n).toBe(0);
    const nullable = DATASETS[dataset].columns.map((c) => `count(${c.name})::INT AS ${c.name}`).join(', ');
    const [counts] = await q(`SELECT ${nullable} FROM read_parquet('${lite()}')`);
    for (const c of DATASETS[dataset].columns) {
      expect(counts![c.name], c.name).toBe(rows.filter((r) => r[c.name] !== null).length);
    }
  });

  it("holds the same rows and physical schema as parquetjs-lite's own per-row writer", async () => {
    // The reference: the same rows through parquetjs-lite's public appendRow, read back by DuckDB.
    const reference = join(dir, `${dataset}.reference.parquet`);
    await writeFile(reference, await writeParquetRowByRow(dataset, sampleRows(dataset)));
    const diff = await q(
      `SELECT count(*)::INT AS n FROM ((SELECT * FROM read_parquet('${lite()}') EXCEPT ALL SELECT * FROM read_parquet('${reference}'))
       UNION ALL (SELECT * FROM read_parquet('${reference}') EXCEPT ALL SELECT * FROM read_parquet('${lite()}')))`,
    );
    expect(diff[0]!.n).toBe(0);
    const schema = (f: string) =>
      q(`SELECT name, type, converted_type, repetition_type FROM parquet_schema('${f}') ORDER BY name`);
    expect(await schema(lite())).toEqual(await schema(reference));
  });

  it('stores UTC timestamps at millisecond precision', async () => {
    const [t] = await q(`SELECT epoch_ms(min(extracted_at))::BIGINT AS ms FROM read_parquet('${lite()}')`);
    expect(Number(t!.ms)).toBe(Date.parse(FETCHED_AT));
  });

  it('compresses a column with Snappy exactly when Snappy saves a tenth of the head of its page', async () => {
    const batch = columnsOf(dataset, sampleRows(dataset));
    // The file's sequence: one compressor for the file, and for each page in column order its head,
    // then the rest of the page when the head pays (hysnappy's output depends on what it compressed
    // before).
    const snappy = snappyCompressor();
    const expected = DATASETS[dataset].columns.map((c, i) => {
      const body = columnPage(PARQUET_TYPES[c.type].physical, batch.columns[i]!).body;
      const head = body.subarray(0, SNAPPY_PROBE_BYTES);
      const saved = head.length - snappy(head).length;
      if (saved * SNAPPY_MIN_SAVING_ONE_IN < head.length) return 'UNCOMPRESSED';
      if (body.length > head.length) snappy(body.subarray(head.length));
      return 'SNAPPY';
    });
    const codecs = await q(`SELECT compression FROM parquet_metadata('${lite()}') ORDER BY column_id`);
    expect(codecs.map((c) => c.compression)).toEqual(expected);
  });
});

describe('Parquet codecs', () => {
  it('mixes Snappy and uncompressed column chunks in one file that both readers read in full', async () => {
    // 302 tickers: record_id (hex digests) does not compress, the repetitive text columns do.
    const file = join(dir, 'coinlore_tickers.lite.parquet');
    const codecs = await q(
      `SELECT path_in_schema AS name, compression FROM parquet_metadata('${file}') ORDER BY column_id`,
    );
    expect(codecs.find((c) => c.name === 'record_id')?.compression).toBe('UNCOMPRESSED');
    expect(codecs.find((c) => c.name === 'run_id')?.compression).toBe('SNAPPY');
    // DuckDB reads the same rows as from its own file (above); hyparquet, a second reader, too.
    const bytes = await readFile(file);
    const read = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
      columns: ['record_id', 'run_id', 'coin_id', 'price_usd'],
    });
    expect(read).toEqual(
      sampleRows('coinlore_tickers').map((r) => ({
        record_id: r.record_id,
        run_id: r.run_id,
        coin_id: r.coin_id,
        price_usd: r.price_usd,
      })),
    );
  });
});

describe('Parquet values', () => {
  it('keeps large safe integers, tiny doubles and unicode text exact when read back', async () => {
    const rows = await q(
      `SELECT coin_id, rank::VARCHAR AS rank, price_btc, name, percent_change_1h FROM read_parquet('${join(dir, 'coinlore_tickers.lite.parquet')}') WHERE coin_id IN ('1','2') ORDER BY coin_id`,
    );
    expect(rows).toEqual([
      expect.objectContaining({ coin_id: '1', rank: '9007199254740991', price_btc: 0.000024791 }),
      expect.objectContaining({
        coin_id: '2',
        price_btc: 1.2e-7,
        name: 'Ünïcode "quoted", coin',
        percent_change_1h: null,
      }),
    ]);
  });
});

describe('both writers, on stress values', () => {
  /** Doubles, ints and times at the edges of what a cell can hold, and text that breaks naive formats. */
  const DOUBLES = [
    1e-300,
    5e-324,
    -0,
    0,
    Number('123456789012345678901234.5'),
    1.7976931348623157e308,
    -1.2e-7,
    0.1 + 0.2,
  ];
  const INTS = [9007199254740991, -9007199254740991, 0, -1, 1];
  const TIMES = [0, -1, 1788363842123, -8.64e15, 8.64e15].map((ms) => new Date(ms));
  const TEXTS = [
    'nul\u0000byte',
    'a,b',
    'quote"d',
    "apos'trophe",
    'new\nline',
    'tab\tand\r\nCRLF',
    'Ünïcode 🚀 中文',
    '\\N',
    'NULL',
    '',
    ' ',
  ];

  /** reddit_posts rows (every logical type) cycling through the values above, plus an all-null row. */
  function stressRows(runId: (i: number) => string): Row[] {
    const columns = DATASETS.reddit_posts.columns;
    const rows: Row[] = Array.from({ length: 40 }, (_, i) =>
      Object.fromEntries(
        columns.map((c, j) => {
          const k = i + j;
          const byType = {
            string: TEXTS[k % TEXTS.length]!,
            int: INTS[k % INTS.length]!,
            double: DOUBLES[k % DOUBLES.length]!,
            timestamp: TIMES[k % TIMES.length]!,
            boolean: k % 2 === 0,
          };
          return [c.name, c.name === 'run_id' ? runId(i) : k % 7 === 6 ? null : byType[c.type]];
        }),
      ),
    );
    rows.push(Object.fromEntries(columns.map((c) => [c.name, null])));
    return rows;
  }

  it.each([
    ['one run_id in every row', () => `run 'quoted' "x", ok`],
    ['a different run_id per row', (i: number) => `run-${i}`],
    ['one run_id holding a NUL in every row', () => 'run\u0000nul'],
  ])('writes the input values exactly when given stress values and %s', async (_, runId) => {
    const rows = stressRows(runId);
    const lite = join(dir, 'stress.lite.parquet');
    const duck = join(dir, 'stress.duck.parquet');
    await writeFile(lite, await writeParquet(columnsOf('reddit_posts', rows)));
    await writeParquetWithDuckDb(columnsOf('reddit_posts', rows), duck);
    // As text, so -0 and 0 would differ (they compare equal as doubles) and every digit counts.
    const all = (f: string) =>
      `SELECT ${DATASETS.reddit_posts.columns.map((c) => `CAST(${c.name} AS VARCHAR) AS ${c.name}`).join(', ')} FROM read_parquet('${f}')`;
    const diff = await q(
      `SELECT count(*)::INT AS n FROM ((${all(lite)} EXCEPT ALL ${all(duck)}) UNION ALL (${all(duck)} EXCEPT ALL ${all(lite)}))`,
    );
    expect(diff[0]!.n).toBe(0);
    // Against the input itself, cell by cell and in order: every double's bits, every time's
    // millisecond; -0 is stored as 0 by both writers.
    const columns = DATASETS.reddit_posts.columns;
    for (const file of [lite, duck]) {
      const read = (
        await con().runAndReadAll(
          `SELECT ${columns
            .map((c) =>
              c.type === 'timestamp'
                ? `epoch_ms(${c.name})::DOUBLE AS ${c.name}`
                : c.type === 'int'
                  ? `${c.name}::DOUBLE AS ${c.name}`
                  : c.name,
            )
            .join(', ')} FROM read_parquet('${file}')`,
        )
      ).getRowObjects();
      expect(read.length).toBe(rows.length);
      read.forEach((r, i) => {
        for (const c of columns) {
          const input = rows[i]![c.name];
          const expected = input instanceof Date ? input.getTime() : Object.is(input, -0) ? 0 : input;
          expect(
            Object.is(r[c.name], expected),
            `${file}: ${c.name} of row ${i}: ${Object.is(r[c.name], -0) ? '-0' : String(r[c.name])} vs ${Object.is(expected, -0) ? '-0' : String(expected)}`,
          ).toBe(true);
        }
      });
    }
  });
});
