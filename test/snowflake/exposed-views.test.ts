import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { Parser } from 'node-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeParquet } from '../../lambdas/adapters/parquet';
import { columnsOf } from '../../lambdas/core/columns';
import { DATASET_NAMES, DATASETS, type DatasetName } from '../../lambdas/core/datasets';
import type { Row } from '../../lambdas/core/transform';
import { duckdbRawTableDdl, rawTableName } from '../../sql/ddl';
import { describeFailures, runViewTests } from '../../sql/view-tests';
import { EXPOSED_VIEW_NAMES, exposedViews, viewDdl } from '../../sql/views';

// ---- A small lake, written by the project's own Parquet writer ------------------------------------------
const at = (hhmm: string) => new Date(`2026-11-24T${hhmm}:00.000Z`);
const iso = (d: Date) => d.toISOString();

/** A full row of the dataset: every declared column, null unless given. */
function row(dataset: DatasetName, values: Record<string, unknown>): Row {
  const out: Record<string, unknown> = {};
  for (const c of DATASETS[dataset].columns) out[c.name] = values[c.name] ?? null;
  out.run_id ??= 'run-test';
  out.record_id ??= `${dataset}:${JSON.stringify(values)}`;
  return out as Row;
}

const ticker = (extracted: string, coin_id: string, symbol: string, rank: number, price_usd: number) =>
  row('coinlore_tickers', { extracted_at: at(extracted), coin_id, symbol, name: symbol, rank, price_usd });
const global = (extracted: string, total_mcap: number) =>
  row('coinlore_global', { extracted_at: at(extracted), coins_count: 4, total_mcap });
type Label = 'positive' | 'neutral' | 'negative';
const sentiment = (label: Label, score: number, comparative: number, mentioned: string | null) => ({
  sentiment_label: label,
  sentiment_score: score,
  sentiment_comparative: comparative,
  mentioned_symbols: mentioned,
});
const post = (
  extracted: string,
  post_id: string,
  subreddit: string,
  created: string,
  s: ReturnType<typeof sentiment>,
  is_deleted = false,
) =>
  row('reddit_posts', {
    extracted_at: at(extracted),
    post_id,
    subreddit,
    title: `post ${post_id}`,
    created_utc: at(created),
    is_deleted,
    ...s,
  });
const comment = (
  extracted: string,
  comment_id: string,
  subreddit: string,
  created: string,
  s: ReturnType<typeof sentiment>,
) =>
  row('reddit_comments', {
    extracted_at: at(extracted),
    comment_id,
    post_id: 'p1',
    subreddit,
    created_utc: at(created),
    is_deleted: false,
    ...s,
  });

interface LakeFile {
  readonly dataset: DatasetName;
  readonly name: string;
  readonly rows: readonly Row[];
  readonly modified: Date;
}

const T1 = [
  ticker('10:00', '90', 'BTC', 1, 100),
  ticker('10:00', '80', 'ETH', 2, 50),
  ticker('10:00', '999', 'BTC', 500, 1), // a second coin using the BTC symbol, ranked far below
  ticker('10:00', '700', 'ETHW', 50, 3), // a symbol that contains ETH
];
const G1 = [global('10:00', 1000)];
const C2 = [comment('11:05', 'c2', 'CryptoCurrency', '11:02', sentiment('negative', -3, -0.6, 'BTC'))];

/** The lake: T1, G1 and C2 are loaded twice (same content, two files), as a rerun or a re-upload would. */
const FILES: readonly LakeFile[] = [
  { dataset: 'coinlore_tickers', name: 't_1000.parquet', rows: T1, modified: at('10:01') },
  { dataset: 'coinlore_tickers', name: 't_1000_rerun.parquet', rows: T1, modified: at('10:02') },
  {
    dataset: 'coinlore_tickers',
    name: 't_1030.parquet',
    rows: [ticker('10:30', '90', 'BTC', 1, 110), ticker('10:30', '80', 'ETH', 2, 45)],
    modified: at('10:31'),
  },
  // A backfill: extracted at 09:50, written (reprocessed) hours later; counts in the 09:00 extraction hour.
  {
    dataset: 'coinlore_tickers',
    name: 't_0950_backfill.parquet',
    rows: [ticker('09:50', '90', 'BTC', 1, 95)],
    modified: at('12:30'),
  },
  {
    dataset: 'coinlore_tickers',
    name: 't_1110.parquet',
    rows: [ticker('11:10', '90', 'BTC', 1, 121)],
    modified: at('11:11'),
  },
  { dataset: 'coinlore_global', name: 'g_1000.parquet', rows: G1, modified: at('10:01') },
  { dataset: 'coinlore_global', name: 'g_1000_rerun.parquet', rows: G1, modified: at('10:03') },
  {
    dataset: 'coinlore_global',
    name: 'g_1030.parquet',
    rows: [global('10:30', 1100)],
    modified: at('10:31'),
  },
  {
    dataset: 'reddit_posts',
    name: 'p_1010.parquet',
    rows: [
      post('10:10', 'p1', 'CryptoCurrency', '10:05', sentiment('positive', 3, 0.5, 'BTC')),
      post('10:10', 'p4', 'Bitcoin', '10:08', sentiment('positive', 2, 0.4, 'ETH')),
    ],
    modified: at('10:11'),
  },
  {
    dataset: 'reddit_posts',
    name: 'p_1020.parquet',
    rows: [
      // p1 edited: its latest extraction is what counts.
      post('10:20', 'p1', 'CryptoCurrency', '10:05', sentiment('negative', -2, -0.4, 'BTC,ETH')),
      post('10:20', 'p2', 'CryptoCurrency', '10:40', sentiment('positive', 2, 0.2, null)),
      post('10:20', 'p3', 'Bitcoin', '10:15', sentiment('neutral', 0, 0, 'BTC')),
      // p4 deleted since: it no longer counts anywhere.
      post('10:20', 'p4', 'Bitcoin', '10:08', sentiment('neutral', 0, 0, 'ETH'), true),
    ],
    modified: at('10:21'),
  },
  {
    dataset: 'reddit_comments',
    name: 'c_1010.parquet',
    rows: [
      comment('10:10', 'c1', 'CryptoCurrency', '10:07', sentiment('positive', 4, 0.8, 'ETH')),
      comment('10:20', 'c3', 'Bitcoin', '10:16', sentiment('positive', 1, 0.1, 'SOL,ETHW')),
    ],
    modified: at('10:21'),
  },
  { dataset: 'reddit_comments', name: 'c_1105.parquet', rows: C2, modified: at('11:06') },
  { dataset: 'reddit_comments', name: 'c_1105_rerun.parquet', rows: C2, modified: at('11:07') },
  {
    dataset: 'reddit_comments',
    name: 'c_1235.parquet',
    rows: [comment('12:35', 'c4', 'CryptoCurrency', '12:30', sentiment('positive', 1, 0.25, 'ETH'))],
    modified: at('12:36'),
  },
];

/** Load like Snowpipe with INCLUDE_METADATA: append-only, metadata per row, loaded a minute after landing. */
async function load(connection: DuckDBConnection, dir: string, file: LakeFile): Promise<void> {
  const path = join(dir, file.name);
  writeFileSync(path, await writeParquet(columnsOf(file.dataset, file.rows)));
  const cols = DATASETS[file.dataset].columns.map((c) => c.name);
  const loadedAt = new Date(file.modified.getTime() + 60_000);
  await connection.run(
    `INSERT INTO raw.${rawTableName(file.dataset)} (${cols.join(', ')}, src_file, file_row_number, file_last_modified, loaded_at)
     SELECT ${cols.join(', ')}, '${file.dataset}/${file.name}', file_row_number + 1,
            TIMESTAMP '${iso(file.modified).replace('T', ' ').slice(0, 19)}',
            TIMESTAMP '${iso(loadedAt).replace('T', ' ').slice(0, 19)}'
     FROM read_parquet('${path}', file_row_number = true)`,
  );
}

type Plain = Record<string, string | number | boolean | null>;
const plain = (r: Record<string, unknown>): Plain =>
  Object.fromEntries(
    Object.entries(r).map(([k, v]) => [
      k,
      typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : (v as Plain[string]),
    ]),
  );

describe('EXPOSED views', () => {
  let dir: string;
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const query = async (sql: string): Promise<Plain[]> =>
    (await connection.runAndReadAll(sql)).getRowObjectsJS().map(plain);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fdl-views-'));
    instance = await DuckDBInstance.create(join(dir, 'warehouse.duckdb'));
    connection = await instance.connect();
    // Timestamps are naive UTC in both engines; make sure nothing converts them on the way out.
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run('CREATE SCHEMA IF NOT EXISTS raw; CREATE SCHEMA IF NOT EXISTS exposed;');
    for (const dataset of DATASET_NAMES) await connection.run(duckdbRawTableDdl(dataset));
    for (const file of FILES) await load(connection, dir, file);
    for (const view of exposedViews()) await connection.run(viewDdl('duckdb', view));
  });
  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the later extraction per coin when latest_prices is queried', async () => {
    const rows = await query(
      'SELECT coin_id, price_usd, extracted_at FROM exposed.latest_prices ORDER BY coin_id',
    );
    // Expected: for each coin, the row with the greatest extracted_at across all files.
    const latest = new Map<string, Row>();
    for (const f of FILES.filter((x) => x.dataset === 'coinlore_tickers'))
      for (const r of f.rows) {
        const prev = latest.get(String(r.coin_id));
        if (!prev || (r.extracted_at as Date) > (prev.extracted_at as Date)) latest.set(String(r.coin_id), r);
      }
    const expected = [...latest.values()]
      .map((r) => ({ coin_id: r.coin_id, price_usd: r.price_usd, extracted_at: iso(r.extracted_at as Date) }))
      .sort((a, b) => String(a.coin_id).localeCompare(String(b.coin_id)));
    expect(rows).toEqual(expected);
    expect(rows.find((r) => r.coin_id === '90')).toEqual({
      coin_id: '90',
      price_usd: 121,
      extracted_at: iso(at('11:10')),
    });
  });

  it('removes the duplicate load when price_history is queried', async () => {
    const raw = await query('SELECT COUNT(*) AS n FROM raw.COINLORE_TICKERS');
    const distinct = new Set(
      FILES.filter((f) => f.dataset === 'coinlore_tickers').flatMap((f) =>
        f.rows.map((r) => `${r.coin_id}@${iso(r.extracted_at as Date)}`),
      ),
    );
    const rows = await query('SELECT coin_id, extracted_at FROM exposed.price_history');
    expect(raw[0]!.n).toBeGreaterThan(distinct.size);
    expect(rows).toHaveLength(distinct.size);
    expect(new Set(rows.map((r) => `${r.coin_id}@${r.extracted_at}`))).toEqual(distinct);
  });

  it('returns one row per extraction when market_overview is queried', async () => {
    const rows = await query(
      'SELECT extracted_at, total_mcap FROM exposed.market_overview ORDER BY extracted_at',
    );
    expect(rows).toEqual([
      { extracted_at: iso(at('10:00')), total_mcap: 1000 },
      { extracted_at: iso(at('10:30')), total_mcap: 1100 },
    ]);
  });

  it('keeps one row per post and comment, its latest extraction, when reddit_items is queried', async () => {
    const rows = await query(
      'SELECT item_type, item_id, post_id, is_deleted, sentiment_label, mentioned_symbols, extracted_at FROM exposed.reddit_items ORDER BY item_type, item_id',
    );
    // Hand-derived from FILES: p1's edited version (10:20), p4 deleted at 10:20, c2 loaded twice kept once.
    expect(rows).toEqual(
      [
        ['comment', 'c1', 'p1', false, 'positive', 'ETH', '10:10'],
        ['comment', 'c2', 'p1', false, 'negative', 'BTC', '11:05'],
        ['comment', 'c3', 'p1', false, 'positive', 'SOL,ETHW', '10:20'],
        ['comment', 'c4', 'p1', false, 'positive', 'ETH', '12:35'],
        ['post', 'p1', 'p1', false, 'negative', 'BTC,ETH', '10:20'],
        ['post', 'p2', 'p2', false, 'positive', null, '10:20'],
        ['post', 'p3', 'p3', false, 'neutral', 'BTC', '10:20'],
        ['post', 'p4', 'p4', true, 'neutral', 'ETH', '10:20'],
      ].map(([item_type, item_id, post_id, is_deleted, sentiment_label, mentioned_symbols, extracted]) => ({
        item_type,
        item_id,
        post_id,
        is_deleted,
        sentiment_label,
        mentioned_symbols,
        extracted_at: iso(at(extracted as string)),
      })),
    );
  });

  it('aggregates the latest live version of each post and comment when subreddit_sentiment_hourly is queried', async () => {
    const rows = await query('SELECT * FROM exposed.subreddit_sentiment_hourly ORDER BY subreddit, hour_at');
    // Hand-computed from FILES: p1 counts with its edited (negative) version, p4 is deleted, c2 once.
    const expected = [
      // Bitcoin 10h: p3 (neutral 0, 0) and c3 (positive 1, 0.1).
      ['Bitcoin', '10:00', 2, 1, 1, 0.5, 0.05, 0.5, 0],
      // CryptoCurrency 10h: p1 (negative -2, -0.4), p2 (positive 2, 0.2), c1 (positive 4, 0.8).
      ['CryptoCurrency', '10:00', 3, 2, 1, 4 / 3, 0.2, 2 / 3, 1 / 3],
      // CryptoCurrency 11h: c2 (negative -3, -0.6), loaded twice, counted once.
      ['CryptoCurrency', '11:00', 1, 0, 1, -3, -0.6, 0, 1],
      ['CryptoCurrency', '12:00', 1, 0, 1, 1, 0.25, 1, 0],
    ] as const;
    expect(rows).toHaveLength(expected.length);
    expected.forEach(([subreddit, hour, items, posts, comments, score, comparative, pos, neg], i) => {
      const r = rows[i]!;
      expect({ subreddit: r.subreddit, hour_at: r.hour_at, items: r.item_count }).toEqual({
        subreddit,
        hour_at: iso(at(hour)),
        items,
      });
      expect([r.post_count, r.comment_count]).toEqual([posts, comments]);
      expect(r.avg_sentiment_score as number).toBeCloseTo(score, 10);
      expect(r.avg_sentiment_comparative as number).toBeCloseTo(comparative, 10);
      expect(r.positive_share as number).toBeCloseTo(pos, 10);
      expect(r.negative_share as number).toBeCloseTo(neg, 10);
    });
  });

  it('puts each coin mention next to the hour price change when coin_sentiment_hourly is queried', async () => {
    const rows = await query('SELECT * FROM exposed.coin_sentiment_hourly ORDER BY symbol, hour_at');
    // BTC is coin 90 (rank 1), not 999; "ETHW" in c3 is not ETH; SOL is not a tracked coin.
    const expected = [
      // BTC 10h: p1 (-2, -0.4, negative) and p3 (0, 0, neutral); price 100 → 110.
      ['90', 'BTC', '10:00', 2, -1, -0.2, 0, 0.5, 100, 110, 10],
      // BTC 11h: c2 once; one price (121) in the hour.
      ['90', 'BTC', '11:00', 1, -3, -0.6, 0, 1, 121, 121, 0],
      // ETH 10h: p1 (-2, -0.4, negative) and c1 (4, 0.8, positive); price 50 → 45.
      ['80', 'ETH', '10:00', 2, 1, 0.2, 0.5, 0.5, 50, 45, -10],
      // ETH 12h: c4; no price extracted in that hour.
      ['80', 'ETH', '12:00', 1, 1, 0.25, 1, 0, null, null, null],
      // ETHW 10h: c3 (1, 0.1, positive); one price (3).
      ['700', 'ETHW', '10:00', 1, 1, 0.1, 1, 0, 3, 3, 0],
    ] as const;
    expect(rows.map((r) => [r.coin_id, r.symbol, r.hour_at, r.mention_count])).toEqual(
      expected.map(([coin, symbol, hour, n]) => [coin, symbol, iso(at(hour)), n]),
    );
    expected.forEach(([, , , , score, comparative, pos, neg, open, close, change], i) => {
      const r = rows[i]!;
      expect(r.avg_sentiment_score as number).toBeCloseTo(score, 10);
      expect(r.avg_sentiment_comparative as number).toBeCloseTo(comparative, 10);
      expect(r.positive_share as number).toBeCloseTo(pos, 10);
      expect(r.negative_share as number).toBeCloseTo(neg, 10);
      expect([r.price_open_usd, r.price_close_usd]).toEqual([open, close]);
      if (change === null) expect(r.price_change_pct).toBeNull();
      else expect(r.price_change_pct as number).toBeCloseTo(change, 10);
    });
  });

  it('counts files and rows per dataset and extraction hour when ingestion_health is queried', async () => {
    const rows = await query(
      'SELECT dataset, hour_at, file_count, row_count, last_extracted_at, last_loaded_at FROM exposed.ingestion_health ORDER BY dataset, hour_at',
    );
    // Expected: the rows of FILES grouped by dataset and the UTC hour they were extracted (not written).
    interface Group {
      dataset: string;
      hour_at: string;
      files: Set<string>;
      row_count: number;
      last_extracted_at: string;
      last_loaded_at: string;
    }
    const groups = new Map<string, Group>();
    for (const f of FILES)
      for (const r of f.rows) {
        const extracted = iso(r.extracted_at as Date);
        const hour = `${extracted.slice(0, 13)}:00:00.000Z`;
        const loaded = iso(new Date(f.modified.getTime() + 60_000));
        const key = `${f.dataset}|${hour}`;
        const g = groups.get(key) ?? {
          dataset: f.dataset,
          hour_at: hour,
          files: new Set<string>(),
          row_count: 0,
          last_extracted_at: extracted,
          last_loaded_at: loaded,
        };
        g.files.add(f.name);
        g.row_count += 1;
        if (extracted > g.last_extracted_at) g.last_extracted_at = extracted;
        if (loaded > g.last_loaded_at) g.last_loaded_at = loaded;
        groups.set(key, g);
      }
    const expected = [...groups.values()]
      .map((g) => ({
        dataset: g.dataset,
        hour_at: g.hour_at,
        file_count: g.files.size,
        row_count: g.row_count,
        last_extracted_at: g.last_extracted_at,
        last_loaded_at: g.last_loaded_at,
      }))
      .sort((x, y) => `${x.dataset}|${x.hour_at}`.localeCompare(`${y.dataset}|${y.hour_at}`));
    expect(rows).toEqual(expected);
    expect(new Set(rows.map((r) => r.dataset))).toEqual(new Set(DATASET_NAMES));
  });

  it('reads every RAW table in ingestion_health', () => {
    const sql = exposedViews().find((v) => v.name === 'ingestion_health')!.sql;
    for (const dataset of DATASET_NAMES) {
      expect(sql).toContain(`'${dataset}' AS dataset`);
      expect(sql).toContain(`FROM RAW.${rawTableName(dataset)}`);
    }
  });

  it('parses every view in the Snowflake dialect of node-sql-parser', () => {
    const parser = new Parser();
    expect(exposedViews().map((v) => v.name)).toEqual([...EXPOSED_VIEW_NAMES]);
    for (const view of exposedViews()) {
      const ast = parser.astify(view.body, { database: 'snowflake' });
      const statements = Array.isArray(ast) ? ast : [ast];
      expect(
        statements.map((s) => s.type),
        view.name,
      ).toEqual(['select']);
      // A Snowflake view must read RAW tables (or EXPOSED views) by schema-qualified name, resolved in the
      // view's database.
      const tables = parser.tableList(view.body, { database: 'snowflake' });
      expect(tables.length, view.name).toBeGreaterThan(0);
      const rawTables = new Set(DATASET_NAMES.map(rawTableName));
      const readViews: string[] = [];
      for (const t of tables) {
        const [, schema, name] = t.split('::');
        // A RAW table, an EXPOSED view, or one of the view's own (lower-case) CTEs.
        if (schema === 'RAW') expect(rawTables.has(name!), `${view.name}: ${t}`).toBe(true);
        else if (schema === 'EXPOSED') readViews.push(name!.toLowerCase());
        else expect(`${schema}::${name}`, view.name).toMatch(/^null::[a-z_]+$/);
      }
      // What the parser sees read is exactly what the stack orders creation by (ExposedView.reads).
      expect(readViews.sort(), view.name).toEqual([...view.reads].sort());
      expect(
        tables.some((t) => t.startsWith('select::RAW::') || t.startsWith('select::EXPOSED::')),
        view.name,
      ).toBe(true);
    }
  });

  it('passes every grain test (unique, not null) on a lake with repeated loads', async () => {
    const results = await runViewTests(query);
    expect(results).toHaveLength(2 * exposedViews().length);
    expect(describeFailures(results)).toEqual([]);
  });

  it('reports each duplicate record_id when coin_tickers loses its dedupe', async () => {
    const view = exposedViews().find((v) => v.name === 'coin_tickers')!;
    const withoutDedupe = view.body.replace(/QUALIFY[\s\S]*$/, '');
    // Expected: record_ids that occur in more than one loaded row across the lake files.
    const seen = new Map<unknown, number>();
    for (const f of FILES.filter((x) => x.dataset === 'coinlore_tickers'))
      for (const r of f.rows) seen.set(r.record_id, (seen.get(r.record_id) ?? 0) + 1);
    const duplicates = [...seen.values()].filter((n) => n > 1).length;
    expect(duplicates).toBeGreaterThan(0);
    await connection.run(`CREATE OR REPLACE VIEW exposed.coin_tickers AS\n${withoutDedupe}`);
    try {
      const failed = (await runViewTests(query)).filter((r) => r.failures !== 0);
      expect(failed.map((r) => [r.view, r.kind, r.failures])).toContainEqual([
        'coin_tickers',
        'unique',
        duplicates,
      ]);
    } finally {
      await connection.run(viewDdl('duckdb', view));
    }
  });

  it('states the grain first in every view file', () => {
    for (const view of exposedViews()) {
      expect(view.sql.startsWith('-- Grain: ')).toBe(true);
      expect(view.body.startsWith('--')).toBe(false);
    }
  });
});
