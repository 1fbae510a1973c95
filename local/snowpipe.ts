/**
 * A local Snowpipe: loads the lake's new dataset files (`<dataset>/**\/*.parquet`) into the DuckDB
 * warehouse's RAW tables, append-only, with the load metadata Snowpipe's INCLUDE_METADATA gives
 * (src_file, file_row_number, file_last_modified, loaded_at). Like Snowpipe it remembers every path it
 * loaded and never loads one twice, even if the file is rewritten (a rerun of the same partition time);
 * duplicates across files are the EXPOSED views' job.
 *
 * It reads any LakeStore: a folder lake's Parquet files are read in place; an object store's are copied
 * to a temp file first (DuckDB reads files, and the twin does not need DuckDB's httpfs extension, which
 * would have to be downloaded).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsLakeStore } from '../lambdas/adapters/fs-lake-store';
import type { LakeObject, LakeStore } from '../lambdas/adapters/lake-store';
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
  /** The lake (a folder or an S3-compatible bucket). */
  readonly lake: LakeStore;
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

/** Every `<dataset>/**\/*.parquet` object of the lake, sorted by key (keys relative to the lake root). */
export async function listDatasetFiles(lake: LakeStore, dataset: DatasetName): Promise<LakeObject[]> {
  return (await lake.listObjects(`${dataset}/`)).filter((o) => o.key.endsWith(DATASET_FILE_SUFFIX));
}

/**
 * Load one file. Columns are selected by name and cast to the RAW types, so nothing else in the file
 * (in particular no hive partition columns year/month/day: hive_partitioning is off, the partition is
 * in src_file) reaches RAW; a column missing from an older file loads as NULL, like MATCH_BY_COLUMN_NAME.
 */
async function loadFile(
  wh: Warehouse,
  path: string,
  dataset: DatasetName,
  file: LakeObject,
  loadedAt: Date,
): Promise<number> {
  const key = file.key;
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
    file_last_modified: sqlTimestamp(file.lastModified),
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
      `INSERT INTO ${LOAD_HISTORY_TABLE} VALUES (${sqlString(key)}, ${sqlString(dataset)}, ${rows}, ${file.size}, ${sqlTimestamp(file.lastModified)}, ${sqlTimestamp(loadedAt)})`,
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
  // Fast path: a folder lake's files are read where they are.
  const folder = opts.lake instanceof FsLakeStore ? opts.lake : undefined;
  let tempDir: string | undefined;
  try {
    for (const dataset of DATASET_NAMES) {
      for (const file of await listDatasetFiles(opts.lake, dataset)) {
        if (known.has(file.key)) {
          alreadyLoaded++;
          continue;
        }
        let path: string;
        if (folder) path = folder.pathOf(file.key);
        else {
          tempDir ??= await mkdtemp(join(tmpdir(), 'fdl-snowpipe-'));
          path = join(tempDir, `${loaded.length}${DATASET_FILE_SUFFIX}`);
          await writeFile(path, await opts.lake.get(file.key));
        }
        const rows = await loadFile(wh, path, dataset, file, loadedAt);
        if (!folder) await rm(path, { force: true });
        const done = { dataset, srcFile: file.key, rows };
        loaded.push(done);
        opts.onFile?.(done);
      }
    }
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
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
