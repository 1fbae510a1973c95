import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env as dev } from '../../envs/dev.env';
import { DATASET_NAMES, DATASETS, LOAD_METADATA_COLUMNS } from '../../lambdas/core/datasets';
import {
  DUCKDB_TYPES,
  duckdbRawTableDdl,
  pipeName,
  rawTableName,
  SNOWFLAKE_LOAD_METADATA,
  SNOWFLAKE_TYPES,
  snowflakeCopyStatement,
  snowflakeRawColumns,
  stageName,
} from '../../sql/ddl';
import { exposedViews, viewDdl } from '../../sql/views';
import { Naming } from '../../stacks/naming';

describe('RAW DDL', () => {
  let instance: DuckDBInstance;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
  });
  afterAll(() => instance?.closeSync());

  it('names RAW objects like the naming helper when given a dataset', () => {
    const naming = new Naming(dev);
    for (const d of DATASET_NAMES) {
      expect(rawTableName(d)).toBe(naming.snowflakeObject(d));
      expect(stageName(d)).toBe(naming.snowflakeObject(`${d}_stage`));
      expect(pipeName(d)).toBe(naming.snowflakeObject(`${d}_pipe`));
    }
    expect(rawTableName('coinlore_tickers')).toBe('COINLORE_TICKERS');
  });

  it('lists the dataset columns then the load metadata for Snowflake', () => {
    for (const d of DATASET_NAMES) {
      const cols = snowflakeRawColumns(d);
      const expected = [...DATASETS[d].columns, ...LOAD_METADATA_COLUMNS];
      expect(cols.map((c) => c.name)).toEqual(expected.map((c) => c.name.toUpperCase()));
      cols.slice(0, DATASETS[d].columns.length).forEach((c, i) => {
        expect(c.type).toBe(SNOWFLAKE_TYPES[DATASETS[d].columns[i]!.type]);
        expect(c.nullable).toBe(true);
      });
      const meta = cols.slice(DATASETS[d].columns.length);
      expect(meta.every((c) => !c.nullable)).toBe(true);
      // METADATA$START_SCAN_TIME is TIMESTAMP_LTZ: stored as such, not shifted into the session zone.
      expect(meta.find((c) => c.name === 'LOADED_AT')!.type).toBe('TIMESTAMP_LTZ');
      expect(meta.find((c) => c.name === 'FILE_LAST_MODIFIED')!.type).toBe('TIMESTAMP_NTZ');
    }
  });

  it('creates DuckDB RAW tables whose columns and types follow the schema when executed', async () => {
    const connection = await instance.connect();
    await connection.run('CREATE SCHEMA IF NOT EXISTS raw');
    for (const d of DATASET_NAMES) {
      await connection.run(duckdbRawTableDdl(d));
      await connection.run(duckdbRawTableDdl(d)); // IF NOT EXISTS: idempotent
      const described = (await connection.runAndReadAll(`DESCRIBE raw.${rawTableName(d)}`)).getRowObjectsJS();
      const expected = [...DATASETS[d].columns, ...LOAD_METADATA_COLUMNS];
      expect(described.map((r) => [r.column_name, r.column_type, r.null])).toEqual(
        expected.map((c) => [c.name, DUCKDB_TYPES[c.type], LOAD_METADATA_COLUMNS.includes(c) ? 'NO' : 'YES']),
      );
    }
    connection.closeSync();
  });

  it('builds a pipe COPY that loads by column name with every metadata column', () => {
    const copy = snowflakeCopyStatement({ database: 'FDL_DEV', dataset: 'reddit_posts' });
    const lines = copy.split('\n');
    expect(lines[0]).toBe('COPY INTO FDL_DEV.RAW.REDDIT_POSTS');
    expect(lines[1]).toBe('FROM @FDL_DEV.RAW.REDDIT_POSTS_STAGE');
    expect(copy).toContain('FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE)');
    expect(copy).toContain('MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE');
    const include = /INCLUDE_METADATA = \((.*)\)$/.exec(copy)?.[1];
    const pairs = include!.split(', ').map((p) => p.split(' = '));
    expect(pairs).toEqual(
      LOAD_METADATA_COLUMNS.map((c) => [c.name.toUpperCase(), SNOWFLAKE_LOAD_METADATA[c.name]]),
    );
    expect(Object.fromEntries(pairs)).toEqual({
      SRC_FILE: 'METADATA$FILENAME',
      FILE_ROW_NUMBER: 'METADATA$FILE_ROW_NUMBER',
      FILE_LAST_MODIFIED: 'METADATA$FILE_LAST_MODIFIED',
      LOADED_AT: 'METADATA$START_SCAN_TIME',
    });
    // Options pipes reject (docs/external-facts.md#snowpipe) never appear; the COPY is a single statement.
    expect(copy).not.toMatch(/PURGE|FORCE|VALIDATION_MODE|ABORT_STATEMENT|FILES\s*=|;/);
  });

  it('qualifies view DDL per engine', () => {
    const view = exposedViews()[0]!;
    expect(viewDdl('duckdb', view).split('\n')[0]).toBe(`CREATE OR REPLACE VIEW exposed.${view.name} AS`);
    expect(viewDdl('snowflake', view, 'FDL_DEV').split('\n')[0]).toBe(
      `CREATE OR REPLACE VIEW FDL_DEV.EXPOSED.${view.name.toUpperCase()} AS`,
    );
  });
});
