/**
 * The bulk Parquet path (fdl reprocess): the same rows as lambdas/adapters/parquet.ts, written by
 * DuckDB's native writer (~30× faster than parquetjs-lite). Rows are cast by the one TS transform and
 * handed to DuckDB through its appender in data chunks; DuckDB only stores and encodes them.
 *
 * The handoff is the expensive part of this path, so values go in as raw vector memory where they can:
 * - double, int and timestamp cells are written into the chunk's Float64Array (one copy per chunk, no
 *   per-value conversion or allocation). Ints are safe integers and timestamps are epoch milliseconds
 *   (cast.ts guarantees both are below 2^53), so a double holds each exactly; the COPY casts them back to
 *   BIGINT and TIMESTAMP_MS. Negative zero, subnormals and long-digit values keep their exact bits.
 * - strings go one by one (DuckDB copies each into its own string heap), booleans into the byte vector.
 * - nulls are cleared in the chunk's validity mask.
 * The previous per-value path (setColumnValuesConverted) cost ~2 µs a row; this one ~0.5 µs.
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
  type DuckDBBooleanVector,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBDoubleVector,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBVarCharVector,
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

/** Per-dataset SQL and column plan, derived once from DATASETS. */
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
  // (A NUL would end the SQL text early: such a column takes the appender like any other.)
  if (typeof first !== 'string' || first.includes('\0')) return undefined;
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

/**
 * Fills column `c` of `chunk` with rows[start, end). The vectors' own setItem would do, but it keeps
 * a BigInt validity mask (an allocation per value after the first null); this writes the values and
 * a plain byte mask of nulls, then flushes once.
 */
function fillColumn(
  chunk: DuckDBDataChunk,
  c: number,
  name: string,
  type: ColumnType,
  rows: readonly Row[],
  start: number,
  end: number,
): void {
  const vector = chunk.getColumnVector(c);
  const nulls: number[] = [];
  if (type === 'string') {
    const v = vector as DuckDBVarCharVector;
    for (let r = start; r < end; r++) {
      const cell = rows[r]![name] as string | null;
      if (cell === null || cell === undefined) nulls.push(r - start);
      else v.setItem(r - start, cell);
    }
  } else if (type === 'boolean') {
    const v = vector as DuckDBBooleanVector;
    for (let r = start; r < end; r++) {
      const cell = rows[r]![name] as boolean | null;
      if (cell === null || cell === undefined) nulls.push(r - start);
      else v.setItem(r - start, cell);
    }
  } else {
    const items = (vector as DuckDBDoubleVector).items;
    const timestamp = type === 'timestamp';
    for (let r = start; r < end; r++) {
      const cell = rows[r]![name] as number | Date | null;
      if (cell === null || cell === undefined) nulls.push(r - start);
      else items[r - start] = timestamp ? (cell as Date).getTime() : (cell as number);
    }
  }
  // Nulls are rare (a few optional columns): the BigInt mask is only touched for them.
  for (const i of nulls) vector.setItem(i, null);
  vector.flush();
}

/** One DuckDB instance reused for many files (creating one costs tens of milliseconds). */
export class DuckDbParquetWriter {
  private writes = 0;

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
  async write(dataset: DatasetName, rows: readonly Row[], filePath: string): Promise<void> {
    const { names, types, staged, select } = writePlan(dataset, rows);
    // A staging table per call: writes may overlap (reprocess pipelines them on one connection).
    const name = `stage_${dataset}_${this.writes++}`;
    const table = quoteIdent(name);
    await this.connection.run(`CREATE OR REPLACE TABLE ${table} (${staged})`);
    try {
      const appender = await this.connection.createAppender(name);
      const chunkTypes: DuckDBType[] = names.map((_, i) => appender.columnType(i));
      for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
        const end = Math.min(rows.length, start + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(chunkTypes, end - start);
        for (let c = 0; c < names.length; c++) fillColumn(chunk, c, names[c]!, types[c]!, rows, start, end);
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
