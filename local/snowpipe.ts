/**
 * A local Snowpipe: loads the lake's new dataset files (`<dataset>/**\/*.parquet`) into the DuckDB
 * warehouse's RAW tables, append-only, with the load metadata Snowpipe's INCLUDE_METADATA gives
 * (src_file, file_row_number, file_last_modified, loaded_at). Like Snowpipe it remembers every path it
 * loaded and never loads one twice, even if the file is rewritten (a rerun of the same partition time);
 * duplicates across files are the EXPOSED views' job.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DATASET_NAMES, DATASETS, type DatasetName, LOAD_METADATA_COLUMNS } from '../lambdas/core/datasets';
import { DATASET_FILE_SUFFIX } from '../lambdas/core/lake';
import { DUCKDB_TYPES, rawTableName } from '../sql/ddl';
import { ensureWarehouseSchema, LOAD_HISTORY_TABLE, openWarehouse, type Warehouse } from './warehouse';

export interface LoadedFile {
  readonly dataset: DatasetName;
  /** Lake key, e.g. `coinlore_tickers/year=2026/month=11/day=24/coinlore_tickers_20261124_1020.parquet`. */
  readonly srcFile: string;
  readonly rows: number;
}

export interface LoadReport {
  readonly loaded: readonly LoadedFile[];
  /** Files found that were already in the load history. */
  readonly alreadyLoaded: number;
  readonly rowsLoaded: number;
}

export interface SnowpipeOptions {
  /** Lake folder (the FsLakeStore root). */
  readonly lakeRoot: string;
  /** DuckDB file. */
  readonly warehousePath: string;
  /** Load time (loaded_at). @default new Date() */
  readonly now?: () => Date;
  /** Called per file loaded (progress). */
  readonly onFile?: (file: LoadedFile) => void;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** A UTC instant as a DuckDB TIMESTAMP literal (naive, UTC by convention). */
const sqlTimestamp = (d: Date) =>
  `TIMESTAMP ${sqlString(d.toISOString().replace('T', ' ').replace('Z', ''))}`;

/** Every `<dataset>/**\/*.parquet` under the lake root, as lake keys, sorted. */
export async function listDatasetFiles(lakeRoot: string, dataset: DatasetName): Promise<string[]> {
  const root = join(lakeRoot, dataset);
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.endsWith(DATASET_FILE_SUFFIX))
        out.push(relative(lakeRoot, p).split(sep).join('/'));
    }
  };
  await walk(root);
  return out.sort();
}

/**
 * Load one file. Columns are selected by name and cast to the RAW types, so nothing else in the file
 * (in particular no hive partition columns year/month/day: hive_partitioning is off, the partition is
 * in src_file) reaches RAW; a column missing from an older file loads as NULL, like MATCH_BY_COLUMN_NAME.
 */
async function loadFile(
  wh: Warehouse,
  lakeRoot: string,
  dataset: DatasetName,
  key: string,
  loadedAt: Date,
): Promise<number> {
  const path = join(lakeRoot, ...key.split('/'));
  const info = await stat(path);
  const source = `read_parquet(${sqlString(path)}, hive_partitioning = false, file_row_number = true)`;
  const present = new Set(
    (await wh.query(`DESCRIBE SELECT * FROM ${source}`)).map((r) => String(r.column_name).toLowerCase()),
  );
  const columns = DATASETS[dataset].columns;
  const selects = columns.map((c) =>
    present.has(c.name)
      ? `CAST(${c.name} AS ${DUCKDB_TYPES[c.type]}) AS ${c.name}`
      : `CAST(NULL AS ${DUCKDB_TYPES[c.type]}) AS ${c.name}`,
  );
  const metadata: Record<string, string> = {
    src_file: sqlString(key),
    // Snowflake's METADATA$FILE_ROW_NUMBER is 1-based; DuckDB's file_row_number is 0-based.
    file_row_number: 'file_row_number + 1',
    file_last_modified: sqlTimestamp(info.mtime),
    loaded_at: sqlTimestamp(loadedAt),
  };
  const metaSelects = LOAD_METADATA_COLUMNS.map((c) => {
    const expr = metadata[c.name];
    if (!expr) throw new Error(`local snowpipe: no value for load metadata column "${c.name}"`);
    return `${expr} AS ${c.name}`;
  });
  const names = [...columns, ...LOAD_METADATA_COLUMNS].map((c) => c.name);
  const table = `raw.${rawTableName(dataset)}`;
  await wh.run('BEGIN TRANSACTION');
  try {
    const before = Number((await wh.query(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
    await wh.run(
      `INSERT INTO ${table} (${names.join(', ')}) SELECT ${[...selects, ...metaSelects].join(', ')} FROM ${source} ORDER BY file_row_number`,
    );
    const rows = Number((await wh.query(`SELECT count(*) AS n FROM ${table}`))[0]!.n) - before;
    await wh.run(
      `INSERT INTO ${LOAD_HISTORY_TABLE} VALUES (${sqlString(key)}, ${sqlString(dataset)}, ${rows}, ${info.size}, ${sqlTimestamp(info.mtime)}, ${sqlTimestamp(loadedAt)})`,
    );
    await wh.run('COMMIT');
    return rows;
  } catch (err) {
    await wh.run('ROLLBACK');
    throw new Error(`local snowpipe: loading ${key} into ${table} failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Load every dataset file not yet in the load history into an open warehouse. */
export async function loadNewFilesInto(
  wh: Warehouse,
  opts: Omit<SnowpipeOptions, 'warehousePath'>,
): Promise<LoadReport> {
  await ensureWarehouseSchema(wh);
  const loadedAt = (opts.now ?? (() => new Date()))();
  const known = new Set(
    (await wh.query(`SELECT src_file FROM ${LOAD_HISTORY_TABLE}`)).map((r) => String(r.src_file)),
  );
  const loaded: LoadedFile[] = [];
  let alreadyLoaded = 0;
  for (const dataset of DATASET_NAMES) {
    for (const key of await listDatasetFiles(opts.lakeRoot, dataset)) {
      if (known.has(key)) {
        alreadyLoaded++;
        continue;
      }
      const rows = await loadFile(wh, opts.lakeRoot, dataset, key, loadedAt);
      const file = { dataset, srcFile: key, rows };
      loaded.push(file);
      opts.onFile?.(file);
    }
  }
  return { loaded, alreadyLoaded, rowsLoaded: loaded.reduce((n, f) => n + f.rows, 0) };
}

/** Open the warehouse, load new lake files, close. */
export async function runSnowpipe(opts: SnowpipeOptions): Promise<LoadReport> {
  const wh = await openWarehouse(opts.warehousePath);
  try {
    return await loadNewFilesInto(wh, opts);
  } finally {
    wh.close();
  }
}
