import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ensureDirSync } from '../lambdas/adapters/ensure-dir';
import { DATASET_NAMES } from '../lambdas/core/datasets';
import { duckdbRawTableDdl } from '../sql/ddl';
import { exposedViews, viewDdl } from '../sql/views';

/** Plain JSON-friendly row: BIGINT → number, timestamps → ISO-8601 UTC strings. */
export type Row = Record<string, string | number | boolean | null>;

/** Load history, like a pipe's: one row per file loaded; a path is never loaded twice. */
export const LOAD_HISTORY_TABLE = 'snowpipe.load_history';

/**
 * Files the local Snowpipe could not load, like COPY_HISTORY's 'Load failed' rows: the file, the first
 * error, and the file version tried (a rewritten file, with a new last-modified time, is tried again).
 */
export const LOAD_ERRORS_TABLE = 'snowpipe.load_errors';

export interface Warehouse {
  readonly path: string;
  readonly connection: DuckDBConnection;
  run(sql: string): Promise<void>;
  query(sql: string): Promise<Row[]>;
  close(): void;
}

function toPlain(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

/** Open (creating when absent) the DuckDB file. `readOnly` lets the dashboard read while nothing writes. */
export async function openWarehouse(path: string, opts: { readOnly?: boolean } = {}): Promise<Warehouse> {
  if (!opts.readOnly) ensureDirSync(dirname(path));
  const instance = await DuckDBInstance.create(path, opts.readOnly ? { access_mode: 'READ_ONLY' } : {});
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  return {
    path,
    connection,
    run: async (sql) => {
      await connection.run(sql);
    },
    query: async (sql) => {
      const reader = await connection.runAndReadAll(sql);
      return reader
        .getRowObjectsJS()
        .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toPlain(v)])));
    },
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Create schemas, RAW tables, the load history and the EXPOSED views (idempotent). */
export async function ensureWarehouseSchema(wh: Warehouse): Promise<void> {
  await wh.run('CREATE SCHEMA IF NOT EXISTS raw');
  await wh.run('CREATE SCHEMA IF NOT EXISTS exposed');
  await wh.run('CREATE SCHEMA IF NOT EXISTS snowpipe');
  for (const dataset of DATASET_NAMES) await wh.run(duckdbRawTableDdl(dataset));
  await wh.run(`CREATE TABLE IF NOT EXISTS ${LOAD_HISTORY_TABLE} (
  src_file VARCHAR PRIMARY KEY,
  dataset VARCHAR NOT NULL,
  row_count BIGINT NOT NULL,
  file_bytes BIGINT NOT NULL,
  file_last_modified TIMESTAMP NOT NULL,
  loaded_at TIMESTAMP NOT NULL
)`);
  await wh.run(`CREATE TABLE IF NOT EXISTS ${LOAD_ERRORS_TABLE} (
  src_file VARCHAR PRIMARY KEY,
  dataset VARCHAR NOT NULL,
  first_error VARCHAR NOT NULL,
  file_bytes BIGINT NOT NULL,
  file_last_modified TIMESTAMP NOT NULL,
  attempted_at TIMESTAMP NOT NULL
)`);
  // CREATE OR REPLACE: the view SQL may have changed since the warehouse was created.
  for (const view of exposedViews()) await wh.run(viewDdl('duckdb', view));
}
