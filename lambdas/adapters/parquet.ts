/**
 * Parquet for the Lambdas: parquetjs-lite (0.56 MB, loads in ~16 ms; DuckDB's native binary would not
 * fit a lean Lambda image). The schema is derived from DATASETS, and it is the same physical schema the
 * bulk writer (duckdb-parquet.ts) produces, checked by test/lambdas/parquet.test.ts:
 *
 * | logical   | Parquet physical / converted type | DuckDB reads | Snowflake reads        |
 * |-----------|-----------------------------------|--------------|------------------------|
 * | string    | BYTE_ARRAY / UTF8                 | VARCHAR      | VARCHAR                |
 * | int       | INT64 / INT_64                    | BIGINT       | NUMBER(38,0)           |
 * | double    | DOUBLE                            | DOUBLE       | FLOAT                  |
 * | timestamp | INT64 / TIMESTAMP_MILLIS (UTC ms) | TIMESTAMP    | TIMESTAMP_NTZ (UTC)    |
 * | boolean   | BOOLEAN                           | BOOLEAN      | BOOLEAN                |
 *
 * Choices, for Snowflake and for identity with the bulk writer:
 * - INT64 for ints: scores and counts fit INT32 today, but one type for every int column keeps the
 *   derivations simple and matches DuckDB's BIGINT. Values are safe integers (cast.ts), which is what
 *   parquetjs-lite encodes exactly.
 * - TIMESTAMP_MILLIS, never INT96 (deprecated; Snowflake and DuckDB misread it without flags).
 * - Every column OPTIONAL, even required ones: DuckDB's COPY writes every column OPTIONAL whatever the
 *   table's NOT NULL constraints, and the two writers must agree. Required-ness is enforced before the
 *   file (the transform rejects the row) and after it (NOT NULL in the warehouse DDL).
 * - V1 data pages (`useDataPageV2: false`): Snowflake's reader rejects parquetjs-lite's V2 pages.
 * - Snappy compression on every column.
 * parquetjs-lite's own reader cannot read its TIMESTAMP_MILLIS columns back: tests read with DuckDB.
 */
import { Writable } from 'node:stream';
import parquet, { type ParquetSchema, type RowBuffer } from 'parquetjs-lite';
import parquetTypes from 'parquetjs-lite/lib/types.js';
import { type ColumnBatch, type Row, rowsOf } from '../core/columns';
import { type ColumnType, DATASETS, type DatasetName } from '../core/datasets';

const PARQUETJS_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'UTF8',
  int: 'INT_64',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP_MILLIS',
  boolean: 'BOOLEAN',
};

/**
 * One row group and one data page per column per file: the Lambda writes at most tens of thousands of
 * rows per file (a 15,000-ticker run is ~1.5 MB), well inside what readers handle in one page.
 */
const ROW_GROUP_SIZE = 1_000_000;
const WRITER_OPTIONS = { useDataPageV2: false, rowGroupSize: ROW_GROUP_SIZE, pageSize: ROW_GROUP_SIZE };

const schemas = new Map<DatasetName, ParquetSchema>();

/** The parquetjs-lite schema of a dataset, derived from its columns (cached). */
export function parquetSchema(dataset: DatasetName): ParquetSchema {
  let schema = schemas.get(dataset);
  if (!schema) {
    const fields: Record<string, { type: string; optional: true; compression: 'SNAPPY' }> = {};
    for (const c of DATASETS[dataset].columns) {
      fields[c.name] = { type: PARQUETJS_TYPES[c.type], optional: true, compression: 'SNAPPY' };
    }
    schema = new parquet.ParquetSchema(fields);
    schemas.set(dataset, schema);
  }
  return schema;
}

/** A Writable that keeps what it is given, so the file never touches the Lambda's disk. */
class MemorySink extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    callback();
  }
}

/**
 * The row buffer parquetjs-lite's `shredRecord` builds one row at a time, built in one pass per column
 * straight from the transform's column batch (core/columns.ts): no row objects.
 *
 * Why: `appendRow` shreds each row with the general (nested, repeated) Dremel algorithm, allocating
 * arrays and a Set per field per row; that is ~85% of its time (~0.7 s for 15,000 tickers). For our
 * flat schemas of OPTIONAL primitive columns the result is simple: repetition level 0, definition
 * level 1 when a value is present (0 for null), values converted by the library's own toPrimitive, and
 * the set of distinct values (the library derives page statistics from it). Numeric cells come as
 * numbers (NaN = null; timestamps epoch ms) and are their own primitive values. The
 * buffer layout is parquetjs-lite 0.8.7's (pinned exactly in package.json);
 * test/lambdas/parquet.test.ts checks that files written this way are byte-identical to files written
 * through `appendRow` with the same values.
 */
function shredFlat(schema: ParquetSchema, batch: ColumnBatch): RowBuffer {
  const n = batch.length;
  const columnData: RowBuffer['columnData'] = {};
  const pages: RowBuffer['pages'] = {};
  // The schema's fields are DATASETS' columns in order (parquetSchema), as are the batch's columns.
  schema.fieldList.forEach((field, c) => {
    const type = field.originalType ?? field.primitiveType;
    const cells = batch.columns[c]!;
    // A number's primitive is the number: what toPrimitive returns for a finite double (parseFloat of
    // its text), a safe integer (parseInt of its text) and a Date (getTime).
    const numeric = cells instanceof Float64Array;
    // The statistics (min/max) of a timestamp column are encoded by toPrimitive again, which takes a
    // Date (epoch ms as a number it would parseInt, refusing times before 1970): one Date per distinct
    // time, so the distinct count still counts values.
    const dates = type === 'TIMESTAMP_MILLIS' ? new Map<number, Date>() : undefined;
    const dlevels = new Array<number>(n);
    const rlevels = new Array<number>(n).fill(0);
    const values: unknown[] = [];
    const distinct = new Set<unknown>();
    for (let i = 0; i < n; i++) {
      const v = cells[i];
      if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
        dlevels[i] = 0;
      } else {
        dlevels[i] = field.dLevelMax;
        if (dates) {
          if (!dates.has(v as number)) dates.set(v as number, new Date(v as number));
        } else distinct.add(v);
        values.push(numeric ? v : parquetTypes.toPrimitive(type, v));
      }
    }
    for (const d of dates?.values() ?? []) distinct.add(d);
    const path = field.path.join(',');
    columnData[path] = { dlevels, rlevels, values, distinct_values: distinct, count: n };
    pages[path] = [];
  });
  return { rowCount: n, pageRowCount: n, columnData, pages };
}

/** Writes a column batch (exactly the dataset's columns) as one Parquet file in memory. */
export async function writeParquet(batch: ColumnBatch): Promise<Uint8Array> {
  if (batch.length > ROW_GROUP_SIZE) return writeParquetRowByRow(batch.dataset, rowsOf(batch));
  const schema = parquetSchema(batch.dataset);
  const sink = new MemorySink();
  const writer = await parquet.ParquetWriter.openStream(schema, sink, WRITER_OPTIONS);
  if (batch.length > 0) writer.rowBuffer = shredFlat(schema, batch);
  await writer.close();
  return Buffer.concat(sink.chunks);
}

/**
 * The same file through parquetjs-lite's public per-row API: the reference the fast path must equal.
 * Timestamps may be Dates or epoch ms (the library takes both; its statistics count distinct values,
 * so a Date per row counts every row as distinct).
 */
export async function writeParquetRowByRow(dataset: DatasetName, rows: readonly Row[]): Promise<Uint8Array> {
  const sink = new MemorySink();
  const writer = await parquet.ParquetWriter.openStream(parquetSchema(dataset), sink, WRITER_OPTIONS);
  for (const row of rows) await writer.appendRow(row);
  await writer.close();
  return Buffer.concat(sink.chunks);
}
