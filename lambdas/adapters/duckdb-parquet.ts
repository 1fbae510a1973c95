/**
 * The bulk Parquet path (fdl reprocess): the same rows as lambdas/adapters/parquet.ts, written by
 * DuckDB's native writer (~30× faster than parquetjs-lite). Rows are cast by the one TS transform and
 * handed to DuckDB through its appender in data chunks; DuckDB only stores and encodes them.
 *
 * The handoff (JavaScript values into DuckDB vectors) is the expensive part of this path, so:
 * - double, int and timestamp cells go into the chunk's Float64Array as plain numbers (no per-value
 *   conversion object, no BigInt). Ints are safe integers and timestamps epoch milliseconds (cast.ts
 *   keeps both below 2^53), so a double holds each exactly; the COPY casts them back to BIGINT and
 *   TIMESTAMP_MS. Subnormals and long-digit values keep their exact bits; -0 is stored as 0, as
 *   parquetjs-lite stores it.
 * - strings go one by one (DuckDB copies each into its string heap); a string column with one value
 *   in every row (run_id) becomes a literal in the COPY's SELECT instead.
 * - columns are read from the rows by a compiled extractor (constant property names).
 * 15,000 tickers: ~40 ms from rows to file (COPY included), against ~70 ms through the generic
 * per-value conversion (setColumnValuesConverted) it replaces.
 *
 * The file schema is identical to parquetjs-lite's (column names and order from DATASETS, physical and
 * converted types, all columns OPTIONAL, Snappy, V1 pages): BIGINT → INT64/INT_64,
 * TIMESTAMP_MS → INT64/TIMESTAMP_MILLIS, VARCHAR → BYTE_ARRAY/UTF8. test/lambdas/parquet.test.ts
 * compares both writers' parquet_schema() and rows for the same input, values that stress the handoff
 * included.
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
import { type ColumnType, DATASETS, type DatasetName } from '../core/datasets';
import type { Row } from '../core/transform';

/** DuckDB column types per logical type (the types of the written file); see the table in parquet.ts. */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  int: 'BIGINT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP_MS',
  boolean: 'BOOLEAN',
};

/** How a logical type is staged (handed over) and turned into its file type by the COPY. */
const STAGED: Readonly<Record<ColumnType, { type: string; toFile: (column: string) => string }>> = {
  string: { type: 'VARCHAR', toFile: (c) => c },
  int: { type: 'DOUBLE', toFile: (c) => `CAST(${c} AS BIGINT)` },
  double: { type: 'DOUBLE', toFile: (c) => c },
  timestamp: { type: 'DOUBLE', toFile: (c) => `CAST(epoch_ms(CAST(${c} AS BIGINT)) AS TIMESTAMP_MS)` },
  boolean: { type: 'BOOLEAN', toFile: (c) => c },
};

/** DuckDB's vector size: the most rows one data chunk holds. */
const CHUNK_ROWS = 2048;

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The SQL and column plan of one write, derived from DATASETS (see writePlan). */
interface WritePlan {
  /** The columns handed over through the appender (all but the constant ones). */
  readonly names: readonly string[];
  readonly types: readonly ColumnType[];
  /** Staging table columns. */
  readonly staged: string;
  /** The SELECT list that turns the staging table into the file's columns, order and types. */
  readonly select: string;
}

/** A string column with one value in every row (run_id in a batch): not worth a value per row. */
function constantString(rows: readonly Row[], name: string): string | undefined {
  const first = rows[0]?.[name];
  if (typeof first !== 'string') return undefined;
  for (let r = 1; r < rows.length; r++) if (rows[r]![name] !== first) return undefined;
  return first;
}

/**
 * The staging columns and the COPY's SELECT for `rows` of `dataset`. A string column that holds one
 * value in every row becomes a literal in the SELECT (same value, same VARCHAR type in the file)
 * instead of thousands of identical strings crossing into DuckDB one by one.
 */
function writePlan(dataset: DatasetName, rows: readonly Row[]): WritePlan {
  const names: string[] = [];
  const types: ColumnType[] = [];
  const staged: string[] = [];
  const select: string[] = [];
  for (const c of DATASETS[dataset].columns) {
    const constant = c.type === 'string' ? constantString(rows, c.name) : undefined;
    if (constant !== undefined) {
      select.push(`CAST(${quoteLiteral(constant)} AS VARCHAR) AS ${quoteIdent(c.name)}`);
      continue;
    }
    names.push(c.name);
    types.push(c.type);
    staged.push(`${quoteIdent(c.name)} ${STAGED[c.type].type}`);
    select.push(`${STAGED[c.type].toFile(quoteIdent(c.name))} AS ${quoteIdent(c.name)}`);
  }
  return { names, types, staged: staged.join(', '), select: select.join(', ') };
}

/** Copies rows[start, end) column by column into `columns` (one array per staged column). */
type Extract = (rows: readonly Row[], start: number, end: number, columns: Row[string][][]) => void;

const EXTRACTS = new Map<string, Extract>();
/**
 * A column extractor compiled for one list of column names. Why: `row[name]` with a different name
 * per column goes through V8's megamorphic property cache (~40% of the handoff's JavaScript time);
 * straight-line code with constant names reads each property from an inline cache.
 */
function extractor(names: readonly string[]): Extract {
  const key = names.join('\u0000');
  let extract = EXTRACTS.get(key);
  if (!extract) {
    const reads = names.map((n, c) => `columns[${c}][i] = row[${JSON.stringify(n)}];`).join('\n');
    extract = new Function(
      'rows',
      'start',
      'end',
      'columns',
      `for (let r = start, i = 0; r < end; r++, i++) {\nconst row = rows[r];\n${reads}\n}`,
    ) as Extract;
    EXTRACTS.set(key, extract);
  }
  return extract;
}

/**
 * Writes `values` (one column of a chunk) into the chunk's vector: numbers into its Float64Array,
 * strings and booleans into its items. Nulls go last: the vector keeps its validity mask as BigInts,
 * built on the first null, after which every write also updates the mask; values first means only
 * the (rare) nulls touch it.
 */
function fillColumn(
  chunk: DuckDBDataChunk,
  c: number,
  type: ColumnType,
  values: Row[string][],
  n: number,
): void {
  const vector = chunk.getColumnVector(c) as DuckDBVector<number | string | boolean>;
  const nulls: number[] = [];
  const numeric = type === 'int' || type === 'double';
  for (let i = 0; i < n; i++) {
    const cell = values[i];
    if (cell === null || cell === undefined) nulls.push(i);
    else if (cell instanceof Date) vector.setItem(i, cell.getTime());
    // `+ 0` turns -0 into 0, as parquetjs-lite (the Lambda writer) stores it; DuckDB's dictionary
    // encoding would otherwise store whichever of 0 and -0 came first in a column for both.
    else vector.setItem(i, numeric ? (cell as number) + 0 : cell);
  }
  for (const i of nulls) vector.setItem(i, null);
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

  /** Writes `rows` (exactly the dataset's columns) to `filePath` (overwritten if present). */
  write(dataset: DatasetName, rows: readonly Row[], filePath: string): Promise<void> {
    // One at a time on the connection: an appender flushed while another write's COPY is pending on
    // the same connection fails ("closed pending query result"). Callers may still start writes
    // without awaiting them (reprocess overlaps them with parsing); they queue here.
    const next = this.queue.then(() => this.writeNow(dataset, rows, filePath));
    this.queue = next.catch(() => {});
    return next;
  }

  private async writeNow(dataset: DatasetName, rows: readonly Row[], filePath: string): Promise<void> {
    const { names, types, staged, select } = writePlan(dataset, rows);
    // A staging table per call (dropped after), named uniquely so no write ever sees another's.
    const name = `stage_${dataset}_${this.writes++}`;
    const table = quoteIdent(name);
    await this.connection.run(`CREATE OR REPLACE TABLE ${table} (${staged})`);
    try {
      const appender = await this.connection.createAppender(name);
      const chunkTypes: DuckDBType[] = names.map((_, i) => appender.columnType(i));
      const extract = extractor(names);
      const columns: Row[string][][] = names.map(() => new Array(CHUNK_ROWS).fill(null));
      for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
        const end = Math.min(rows.length, start + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(chunkTypes, end - start);
        extract(rows, start, end, columns);
        for (let c = 0; c < names.length; c++) fillColumn(chunk, c, types[c]!, columns[c]!, end - start);
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
export async function writeParquetWithDuckDb(
  dataset: DatasetName,
  rows: readonly Row[],
  filePath: string,
): Promise<void> {
  const writer = await DuckDbParquetWriter.create();
  try {
    await writer.write(dataset, rows, filePath);
  } finally {
    writer.close();
  }
}
