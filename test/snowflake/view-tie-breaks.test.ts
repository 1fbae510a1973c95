import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_NAMES, type DatasetName } from '../../lambdas/core/datasets';
import { duckdbRawTableDdl, rawTableName } from '../../sql/ddl';
import { exposedViews, viewDdl } from '../../sql/views';

/**
 * Duplicate loads that are NOT byte-identical: the same natural key loaded twice with different values
 * (a reprocess that fixed a cast, a rerun with a newer run id). Each view must keep the row loaded last,
 * whatever the file names and row numbers say; byte-identical duplicates cannot show which row a view kept.
 *
 * The earlier load comes from a file whose name sorts LAST and whose row number is higher, so a view
 * ordering by src_file or file_row_number before loaded_at would keep the wrong row.
 */
const EXTRACTED = '2026-11-24 10:00:00';
const EARLY = { src: 'z_first_load.parquet', row: 9, loaded: '2026-11-24 10:05:00', run: 'run-early' };
const LATE = { src: 'a_second_load.parquet', row: 1, loaded: '2026-11-24 11:05:00', run: 'run-late' };

describe('EXPOSED view tie-breaks between loads of the same record', () => {
  let dir: string;
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const query = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS();

  /** Insert one row of `dataset` with the given columns and load metadata. */
  const insert = (dataset: DatasetName, values: Record<string, string>, load: typeof EARLY) =>
    connection.run(
      `INSERT INTO raw.${rawTableName(dataset)} (${Object.keys(values).join(', ')}, run_id, src_file, file_row_number, file_last_modified, loaded_at)
       VALUES (${Object.values(values).join(', ')}, '${load.run}', '${dataset}/${load.src}', ${load.row},
               TIMESTAMP '${load.loaded}', TIMESTAMP '${load.loaded}')`,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fdl-tiebreak-'));
    instance = await DuckDBInstance.create(join(dir, 'w.duckdb'));
    connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run('CREATE SCHEMA raw; CREATE SCHEMA exposed;');
    for (const d of DATASET_NAMES) await connection.run(duckdbRawTableDdl(d));
    // The later load is inserted first: insertion order must not decide either.
    for (const load of [LATE, EARLY]) {
      const ts = `TIMESTAMP '${EXTRACTED}'`;
      await insert(
        'coinlore_tickers',
        { coin_id: "'90'", symbol: "'BTC'", name: "'Bitcoin'", rank: '1', extracted_at: ts },
        load,
      );
      await insert('coinlore_global', { extracted_at: ts, coins_count: '4' }, load);
      await insert(
        'reddit_posts',
        {
          post_id: "'p1'",
          subreddit: "'Bitcoin'",
          title: "'t'",
          created_utc: ts,
          extracted_at: ts,
          is_deleted: 'false',
          score: load === LATE ? '2' : '1',
        },
        load,
      );
    }
    for (const view of exposedViews()) await connection.run(viewDdl('duckdb', view));
  });
  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['price_history', "coin_id = '90'"],
    ['latest_prices', "coin_id = '90'"],
    ['market_overview', 'true'],
  ])('keeps the row loaded last when %s is queried', async (view, where) => {
    const rows = await query(`SELECT run_id FROM exposed.${view} WHERE ${where}`);
    expect(rows).toEqual([{ run_id: LATE.run }]);
  });

  it('keeps the version loaded last when reddit_items is queried', async () => {
    // reddit_items has no run_id: the later load is the one with score 2.
    const rows = await query("SELECT score FROM exposed.reddit_items WHERE item_id = 'p1'");
    expect(rows.map((r) => Number(r.score))).toEqual([2]);
  });
});
