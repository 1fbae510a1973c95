/**
 * RAW-layer DDL derived from the one dataset schema (lambdas/core/datasets.ts). Nothing here re-lists a
 * column: the Snowflake table resources (stacks/snowflake-stack.ts), the Snowpipe COPY statements and the
 * local DuckDB warehouse all map DATASETS[…].columns + LOAD_METADATA_COLUMNS through these functions.
 *
 * Identifiers are UPPER_SNAKE and unquoted, so the same text resolves in Snowflake (which upper-cases
 * unquoted identifiers) and in DuckDB (case-insensitive identifiers).
 */
import {
  type ColumnSpec,
  type ColumnType,
  DATASETS,
  type DatasetName,
  LOAD_METADATA_COLUMNS,
} from '../lambdas/core/datasets';
import { snowflakeObjectName } from './identifiers';

/** Schemas of the warehouse, in Snowflake spelling (DuckDB resolves them case-insensitively). */
export const RAW_SCHEMA = 'RAW';
export const EXPOSED_SCHEMA = 'EXPOSED';

/** Snowflake schema-level object name (sql/identifiers.ts; `Naming.snowflakeObject` uses the same rule). */
const object = snowflakeObjectName;

/** RAW table of a dataset: `COINLORE_TICKERS`. The same unquoted identifier works in DuckDB. */
export function rawTableName(dataset: DatasetName): string {
  return object(dataset);
}

/** External stage on `s3://<lake>/<dataset>/`: `COINLORE_TICKERS_STAGE`. */
export function stageName(dataset: DatasetName): string {
  return object(`${dataset}_stage`);
}

/** Snowpipe of a dataset: `COINLORE_TICKERS_PIPE`. */
export function pipeName(dataset: DatasetName): string {
  return object(`${dataset}_pipe`);
}

/** The named Parquet file format in RAW (used by the stages for ad-hoc `SELECT $1 FROM @stage`). */
export const PARQUET_FILE_FORMAT = object('parquet_format');

/** Snowflake column name: upper-case so views can use unquoted names (the provider quotes what it gets). */
export const snowflakeColumnName = (c: Pick<ColumnSpec, 'name'>): string => c.name.toUpperCase();

/**
 * Snowflake physical type per logical type.
 *
 * timestamp → TIMESTAMP_NTZ holding UTC wall-clock time, by convention: the Parquet writer stores UTC
 * instants, NTZ keeps them exactly as written whatever the session TIMEZONE is (LTZ/TZ values would be
 * rendered, truncated and bucketed in the reader's session zone: DATE_TRUNC('hour', …) would move with
 * the BI tool's timezone), and DuckDB's TIMESTAMP is naive too, so the EXPOSED views behave the same in
 * both engines.
 */
export const SNOWFLAKE_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  int: 'NUMBER(38,0)',
  double: 'FLOAT',
  timestamp: 'TIMESTAMP_NTZ',
  boolean: 'BOOLEAN',
};

/**
 * The one exception to the mapping above, for a value Snowflake produces rather than our files:
 * METADATA$START_SCAN_TIME is a TIMESTAMP_LTZ. Storing it in an NTZ column would convert it to the wall
 * clock of the pipe's session timezone (the account default, America/Los_Angeles unless changed), a
 * silent 7–8 h shift. LTZ keeps the instant. (METADATA$FILE_LAST_MODIFIED is already NTZ in UTC.)
 */
const SNOWFLAKE_TYPE_OVERRIDES: Readonly<Record<string, string>> = { loaded_at: 'TIMESTAMP_LTZ' };

/** DuckDB physical type per logical type (TIMESTAMP is naive, holding UTC like Snowflake's NTZ). */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  int: 'BIGINT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

export interface SnowflakeColumn {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly comment: string;
}

/**
 * Columns of a dataset's RAW table in Snowflake, in order: the dataset's columns, then load metadata.
 *
 * Dataset columns are nullable even where the schema says `required`: the transform already sends rows
 * failing required checks to rejects/, and a NOT NULL here would turn one unexpected file into a failed
 * Snowpipe load (ON_ERROR defaults to SKIP_FILE for pipes) instead of a visible row. Load metadata is
 * always filled by INCLUDE_METADATA, so it is NOT NULL.
 */
export function snowflakeRawColumns(dataset: DatasetName): SnowflakeColumn[] {
  const toColumn = (c: ColumnSpec, nullable: boolean): SnowflakeColumn => ({
    name: snowflakeColumnName(c),
    type: SNOWFLAKE_TYPE_OVERRIDES[c.name] ?? SNOWFLAKE_TYPES[c.type],
    nullable,
    comment: c.description,
  });
  return [
    ...DATASETS[dataset].columns.map((c) => toColumn(c, true)),
    ...LOAD_METADATA_COLUMNS.map((c) => toColumn(c, false)),
  ];
}

/** `CREATE TABLE IF NOT EXISTS raw.<TABLE> (…)` for the local DuckDB warehouse (schema `raw` must exist). */
export function duckdbRawTableDdl(dataset: DatasetName): string {
  const cols = [
    ...DATASETS[dataset].columns.map((c) => `  ${c.name} ${DUCKDB_TYPES[c.type]}`),
    ...LOAD_METADATA_COLUMNS.map((c) => `  ${c.name} ${DUCKDB_TYPES[c.type]} NOT NULL`),
  ];
  return `CREATE TABLE IF NOT EXISTS raw.${rawTableName(dataset)} (\n${cols.join(',\n')}\n)`;
}

/**
 * The Snowflake metadata function that fills each load-metadata column (INCLUDE_METADATA). Keyed by the
 * column names of LOAD_METADATA_COLUMNS; `snowflakeCopyStatement` throws if the two ever disagree.
 */
export const SNOWFLAKE_LOAD_METADATA: Readonly<Record<string, string>> = {
  src_file: 'METADATA$FILENAME',
  file_row_number: 'METADATA$FILE_ROW_NUMBER',
  file_last_modified: 'METADATA$FILE_LAST_MODIFIED',
  loaded_at: 'METADATA$START_SCAN_TIME',
};

/**
 * The pipe's COPY statement:
 *
 * `COPY INTO <db>.RAW.<T> FROM @<db>.RAW.<T>_STAGE FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE)
 *  MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE INCLUDE_METADATA = (SRC_FILE = METADATA$FILENAME, …)`
 *
 * - MATCH_BY_COLUMN_NAME: Parquet columns are snake_case, table columns upper-case; CASE_INSENSITIVE
 *   maps them and lets columns be added to the schema without rewriting a positional SELECT. It is also
 *   what INCLUDE_METADATA requires.
 * - INCLUDE_METADATA rather than column DEFAULTs: defaults are reported not to apply under
 *   MATCH_BY_COLUMN_NAME (docs/external-facts.md#snowpipe).
 * - The file format is inline, not `FORMAT_NAME = …`. The lake has two writers (lambdas/adapters):
 *   the Lambda's writer annotates timestamps with the legacy converted type TIMESTAMP_MILLIS, DuckDB's bulk
 *   writer with the TIMESTAMP logical type. USE_LOGICAL_TYPE = TRUE makes Snowflake honour the
 *   annotation and load both as timestamps (into TIMESTAMP_NTZ) rather than depend on its default
 *   interpretation of raw INT64 values. Provider 2.11's snowflake_file_format has no use_logical_type
 *   argument, and a COPY cannot combine FORMAT_NAME with other options, so the options go inline; the
 *   named format stays on the stages for ad-hoc queries.
 * - Every part of this text is ForceNew on snowflake_pipe (provider 2.11): changing it re-creates the pipe.
 */
export function snowflakeCopyStatement(args: { database: string; dataset: DatasetName }): string {
  const { database, dataset } = args;
  const metadata = LOAD_METADATA_COLUMNS.map((c) => {
    const fn = SNOWFLAKE_LOAD_METADATA[c.name];
    if (!fn) throw new Error(`no Snowflake metadata function for load metadata column "${c.name}"`);
    return `${snowflakeColumnName(c)} = ${fn}`;
  });
  const table = `${database}.${RAW_SCHEMA}.${rawTableName(dataset)}`;
  const stage = `${database}.${RAW_SCHEMA}.${stageName(dataset)}`;
  return [
    `COPY INTO ${table}`,
    `FROM @${stage}`,
    'FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE)',
    'MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE',
    `INCLUDE_METADATA = (${metadata.join(', ')})`,
  ].join('\n');
}
