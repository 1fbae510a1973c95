/**
 * A local Snowpipe: loads the lake's new dataset files (`<dataset>/**\/*.parquet`) into the DuckDB
 * warehouse's RAW tables, append-only, with the load metadata Snowpipe's INCLUDE_METADATA gives
 * (src_file, file_row_number, file_last_modified, loaded_at). Like Snowpipe it remembers every path it
 * loaded and never loads one twice, even if the file is rewritten (a rerun of the same partition time);
 * duplicates across files are the EXPOSED views' job.
 *
 * A file it cannot read (not Parquet, truncated, a column that does not cast) does not stop it: like
 * Snowpipe, it records the load error (file, first error; LOAD_ERRORS_TABLE, the twin's COPY_HISTORY
 * 'Load failed' row), reports it for an alert, loads every other file, and does not retry that file
 * version again (a rewritten file is tried again).
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
import { DUCKDB_TYPES, pipeName, rawTableName } from '../sql/ddl';
import {
  ensureWarehouseSchema,
  LOAD_ERRORS_TABLE,
  LOAD_HISTORY_TABLE,
  openWarehouse,
  type Warehouse,
} from './warehouse';

export interface LoadedFile {
  readonly dataset: DatasetName;
  /** Lake key, e.g. `coinlore_tickers/year=2026/month=11/day=24/coinlore_tickers_20261124_1020.parquet`. */
  readonly srcFile: string;
  readonly rows: number;
}

/** A file the pipe could not load (COPY_HISTORY: STATUS 'Load failed', FIRST_ERROR_MESSAGE). */
export interface LoadError {
  readonly dataset: DatasetName;
  readonly srcFile: string;
  /** One line: DuckDB's first error, without the file's content. */
  readonly firstError: string;
}

export interface LoadReport {
  readonly loaded: readonly LoadedFile[];
  /** Files that failed to load in this call (each also recorded in LOAD_ERRORS_TABLE). */
  readonly failed: readonly LoadError[];
  /** Files skipped because this version of them already failed before. */
  readonly previouslyFailed: number;
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
  /** Called per file that failed to load (the CLI alerts it). */
  readonly onError?: (error: LoadError) => void;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** A UTC instant as a DuckDB TIMESTAMP literal (naive, UTC by convention). */
const sqlTimestamp = (d: Date) =>
  `TIMESTAMP ${sqlString(d.toISOString().replace('T', ' ').replace('Z', ''))}`;

/**
 * A file path as a literal for DuckDB's readers, which expand glob patterns (`*`, `?`, `[…]`) in every
 * path: each glob character becomes a one-character class matching only itself (`[` → `[[]`). Without
 * this, a lake file named `x[12].parquet` would load the rows of x1.parquet and x2.parquet instead.
 */
export function globLiteral(path: string): string {
  return path.replace(/[*?[]/g, (c) => `[${c}]`);
}

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
  const source = `read_parquet(${sqlString(globLiteral(path))}, hive_partitioning = false, file_row_number = true)`;
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

/**
 * The alert for a failed load, shaped like the message a Snowpipe error integration publishes
 * (messageType INGEST_FAILED_FILE, the pipe, the table, and per file its first error), so the runbook's
 * reading of a cloud pipe-error alert applies to the local one.
 */
export function loadErrorAlert(error: LoadError, at: Date, topicArn = 'local:alerts') {
  const pipe = `LOCAL.RAW.${pipeName(error.dataset)}`;
  return {
    at: at.toISOString(),
    topicArn,
    subject: `Snowpipe load failed: ${pipe}`,
    message: JSON.stringify({
      messageType: 'INGEST_FAILED_FILE',
      timestamp: at.toISOString(),
      pipeName: pipe,
      tableName: `LOCAL.RAW.${rawTableName(error.dataset)}`,
      messages: [{ fileName: error.srcFile, firstError: error.firstError }],
    }),
  };
}

/** The first line of an error, without DuckDB's wrapper: what COPY_HISTORY's FIRST_ERROR_MESSAGE holds. */
const firstLine = (err: unknown) => {
  const root = (err as Error).cause ?? err;
  return (String((root as Error).message ?? root).split('\n')[0] ?? '').slice(0, 500);
};

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
  // Failed file versions by path → last-modified (ISO): the same version is not retried on every run.
  const failedBefore = new Map(
    (await wh.query(`SELECT src_file, file_last_modified FROM ${LOAD_ERRORS_TABLE}`)).map((r) => [
      String(r.src_file),
      String(r.file_last_modified),
    ]),
  );
  const loaded: LoadedFile[] = [];
  const failed: LoadError[] = [];
  let alreadyLoaded = 0;
  let previouslyFailed = 0;
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
        if (failedBefore.get(file.key) === file.lastModified.toISOString()) {
          previouslyFailed++;
          continue;
        }
        let path: string;
        if (folder) path = folder.pathOf(file.key);
        else {
          tempDir ??= await mkdtemp(join(tmpdir(), 'fdl-snowpipe-'));
          path = join(tempDir, `${loaded.length + failed.length}${DATASET_FILE_SUFFIX}`);
          await writeFile(path, await opts.lake.get(file.key));
        }
        try {
          const rows = await loadFile(wh, path, dataset, file, loadedAt);
          const done = { dataset, srcFile: file.key, rows };
          loaded.push(done);
          opts.onFile?.(done);
        } catch (err) {
          const error: LoadError = { dataset, srcFile: file.key, firstError: firstLine(err) };
          await wh.run(
            `INSERT OR REPLACE INTO ${LOAD_ERRORS_TABLE} VALUES (${sqlString(file.key)}, ${sqlString(dataset)}, ${sqlString(error.firstError)}, ${file.size}, ${sqlTimestamp(file.lastModified)}, ${sqlTimestamp(loadedAt)})`,
          );
          failed.push(error);
          opts.onError?.(error);
        } finally {
          if (!folder) await rm(path, { force: true });
        }
      }
    }
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
  return {
    loaded,
    failed,
    previouslyFailed,
    alreadyLoaded,
    rowsLoaded: loaded.reduce((n, f) => n + f.rows, 0),
  };
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
