/**
 * The bulk Parquet path (fdl reprocess): the same rows as lambdas/adapters/parquet.ts, written by
 * DuckDB's native writer. The transform's column batch (core/columns.ts) is handed to DuckDB through
 * its appender in data chunks, column by column; DuckDB only stores and encodes it.
 *
 * The handoff (JavaScript values into DuckDB vectors) is the expensive part of this path, so:
 * - int, double and timestamp columns are already Float64Arrays (NaN = null, ints safe, timestamps
 *   epoch ms): each value goes into the chunk's Float64Array as it is, NaN included, and the COPY's
 *   SELECT turns NaN into NULL and casts back to BIGINT and TIMESTAMP_MS. No validity mask is built in
 *   JavaScript (the library keeps it as BigInts: slow per null).
 * - strings go one by one (DuckDB copies each into its string heap); a string column with one value
 *   in every row (run_id) becomes a literal in the COPY's SELECT instead.
 *
 * The file schema is identical to the Lambda writer's (column names and order from DATASETS, physical
 * and converted types, all columns OPTIONAL, Snappy): BIGINT → INT64/INT_64, TIMESTAMP_MS →
 * INT64/TIMESTAMP_MILLIS, VARCHAR → BYTE_ARRAY/UTF8. test/lambdas/parquet.test.ts compares both
 * writers' parquet_schema() and rows for the same input, values that stress the handoff included.
 *
 * Import this module only from the reprocess path: @duckdb/node-api carries a native binary that must
 * stay out of the Lambda bundle.
 */
import {
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBVector,
} from '@duckdb/node-api';
import type { ColumnBatch } from '../core/columns';
import { type ColumnType, DATASETS } from '../core/datasets';

/** DuckDB column types per logical type (the types of the written file); see the table in parquet.ts. */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  int: 'BIGINT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP_MS',
  boolean: 'BOOLEAN',
};

/** NaN (the column batch's null for numbers) as SQL NULL. */
const nanAsNull = (c: string) => `CASE WHEN isnan(${c}) THEN NULL ELSE ${c} END`;

/** How a logical type is staged (handed over) and turned into its file type by the COPY. */
const STAGED: Readonly<Record<ColumnType, { type: string; toFile: (column: string) => string }>> = {
  string: { type: 'VARCHAR', toFile: (c) => c },
  int: { type: 'DOUBLE', toFile: (c) => `CAST(${nanAsNull(c)} AS BIGINT)` },
  double: { type: 'DOUBLE', toFile: nanAsNull },
  timestamp: {
    type: 'DOUBLE',
    toFile: (c) => `CAST(epoch_ms(CAST(${nanAsNull(c)} AS BIGINT)) AS TIMESTAMP_MS)`,
  },
  boolean: { type: 'BOOLEAN', toFile: (c) => c },
};

/** DuckDB's vector size: the most rows one data chunk holds. */
const CHUNK_ROWS = 2048;

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The SQL and column plan of one write, derived from DATASETS (see writePlan). */
interface WritePlan {
  /** Indexes (in the batch) of the columns handed over through the appender. */
  readonly handed: readonly number[];
  /** Staging table columns. */
  readonly staged: string;
  /** The SELECT list that turns the staging table into the file's columns, order and types. */
  readonly select: string;
}

/**
 * A string column with one value in every row (run_id in a batch): not worth a value per row. Not for
 * a value holding NUL: the SQL text reaches DuckDB as a C string, which would end there.
 */
function constantString(values: readonly unknown[], length: number): string | undefined {
  const first = values[0];
  if (typeof first !== 'string' || first.includes('\u0000')) return undefined;
  for (let r = 1; r < length; r++) if (values[r] !== first) return undefined;
  return first;
}

/**
 * The staging columns and the COPY's SELECT for a batch. A string column that holds one value in
 * every row becomes a literal in the SELECT (same value, same VARCHAR type in the file) instead of
 * thousands of identical strings crossing into DuckDB one by one.
 */
function writePlan(batch: ColumnBatch): WritePlan {
  const handed: number[] = [];
  const staged: string[] = [];
  const select: string[] = [];
  DATASETS[batch.dataset].columns.forEach((c, i) => {
    const constant =
      c.type === 'string' ? constantString(batch.columns[i] as unknown[], batch.length) : undefined;
    if (constant !== undefined) {
      select.push(`CAST(${quoteLiteral(constant)} AS VARCHAR) AS ${quoteIdent(c.name)}`);
      return;
    }
    handed.push(i);
    staged.push(`${quoteIdent(c.name)} ${STAGED[c.type].type}`);
    select.push(`${STAGED[c.type].toFile(quoteIdent(c.name))} AS ${quoteIdent(c.name)}`);
  });
  return { handed, staged: staged.join(', '), select: select.join(', ') };
}

/**
 * Copies values[start, end) into a chunk's vector: numbers as they are (NaN included, see STAGED),
 * strings and booleans with their nulls. Nulls go last: the vector keeps its validity mask as
 * BigInts, built on the first null, after which every write also updates the mask; values first
 * means only the (rare) null strings touch it.
 */
function fillVector(
  vector: DuckDBVector<number | string | boolean>,
  values: ColumnBatch['columns'][number],
  start: number,
  end: number,
): void {
  if (values instanceof Float64Array) {
    for (let r = start, i = 0; r < end; r++, i++) vector.setItem(i, values[r]!);
  } else {
    const nulls: number[] = [];
    for (let r = start, i = 0; r < end; r++, i++) {
      const cell = values[r];
      if (cell === null || cell === undefined) nulls.push(i);
      else vector.setItem(i, cell);
    }
    for (const i of nulls) vector.setItem(i, null);
  }
  vector.flush();
}

/** One DuckDB instance reused for many files (creating one costs tens of milliseconds). */
export class DuckDbParquetWriter {
  private writes = 0;
  /** The last write queued: writes run one after another (see write). */
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** `threads`: DuckDB's worker threads (default: one per core). */
  static async create(options: { readonly threads?: number } = {}): Promise<DuckDbParquetWriter> {
    const instance = await DuckDBInstance.create(
      ':memory:',
      options.threads ? { threads: String(options.threads) } : {},
    );
    return new DuckDbParquetWriter(instance, await instance.connect());
  }

  /** Writes a batch (one of the transform's column batches) to `filePath` (overwritten if present). */
  write(batch: ColumnBatch, filePath: string): Promise<void> {
    // One at a time on the connection: an appender flushed while another write's COPY is pending on
    // the same connection fails ("closed pending query result"). Callers may still start writes
    // without awaiting them (reprocess overlaps them with parsing); they queue here.
    const next = this.queue.then(() => this.writeNow(batch, filePath));
    this.queue = next.catch(() => {});
    return next;
  }

  private async writeNow(batch: ColumnBatch, filePath: string): Promise<void> {
    const { handed, staged, select } = writePlan(batch);
    // A staging table per call (dropped after), named uniquely so no write ever sees another's.
    const name = `stage_${batch.dataset}_${this.writes++}`;
    const table = quoteIdent(name);
    await this.connection.run(`CREATE OR REPLACE TABLE ${table} (${staged})`);
    try {
      const appender = await this.connection.createAppender(name);
      const chunkTypes: DuckDBType[] = handed.map((_, i) => appender.columnType(i));
      for (let start = 0; start < batch.length; start += CHUNK_ROWS) {
        const end = Math.min(batch.length, start + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(chunkTypes, end - start);
        for (let c = 0; c < handed.length; c++) {
          const vector = chunk.getColumnVector(c) as DuckDBVector<number | string | boolean>;
          fillVector(vector, batch.columns[handed[c]!]!, start, end);
        }
        appender.appendDataChunk(chunk);
      }
      appender.closeSync();
      await this.connection.run(
        `COPY (SELECT ${select} FROM ${table}) TO ${quoteLiteral(filePath)} (FORMAT parquet, COMPRESSION snappy)`,
      );
    } finally {
      await this.connection.run(`DROP TABLE IF EXISTS ${table}`);
    }
  }

  /**
   * Rows of an existing Parquet file from its footer; `undefined` when there is no readable file at
   * `filePath`, `Infinity` when the path holds glob characters (DuckDB would read it as a pattern: the
   * caller must then treat the file as one it cannot replace). Queued like writes (one connection).
   */
  rowCount(filePath: string): Promise<number | undefined> {
    const next = this.queue.then(async () => {
      if (/[*?[\]{}]/.test(filePath)) return Number.POSITIVE_INFINITY;
      try {
        const reader = await this.connection.runAndReadAll(
          `SELECT num_rows FROM parquet_file_metadata(${quoteLiteral(filePath)})`,
        );
        const n = reader.getRows()[0]?.[0];
        return n === undefined || n === null ? undefined : Number(n);
      } catch {
        return undefined;
      }
    });
    this.queue = next.then(
      () => {},
      () => {},
    );
    return next;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** One-shot convenience: a writer for a single file. */
export async function writeParquetWithDuckDb(batch: ColumnBatch, filePath: string): Promise<void> {
  const writer = await DuckDbParquetWriter.create();
  try {
    await writer.write(batch, filePath);
  } finally {
    writer.close();
  }
}
