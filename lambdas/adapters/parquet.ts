/**
 * Parquet for the Lambdas: one file per batch, in memory, with the same physical schema the bulk writer
 * (duckdb-parquet.ts) produces, checked by test/lambdas/parquet.test.ts:
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
 * - INT64 for ints: one type for every int column keeps the derivations simple and matches DuckDB's
 *   BIGINT. Values are safe integers (cast.ts), encoded exactly.
 * - TIMESTAMP_MILLIS, never INT96 (deprecated; Snowflake and DuckDB misread it without flags).
 * - Every column OPTIONAL, even required ones: DuckDB's COPY writes every column OPTIONAL whatever the
 *   table's NOT NULL constraints, and the two writers must agree. Required-ness is enforced before the
 *   file (the transform rejects the row) and after it (NOT NULL in the warehouse DDL).
 * - One row group, one V1 data page per column, PLAIN values, Snappy on every column. V1 pages because
 *   Snowflake's reader rejected parquetjs-lite's V2 pages.
 *
 * Who writes what: the page bytes (levels, values, statistics) come from parquet-pages.ts, straight from
 * the transform's column batch. The Thrift structures (page headers, column metadata, footer), their
 * Thrift compact serializer and Snappy come from parquetjs-lite, pinned exactly in package.json.
 * Why not parquetjs-lite's own writer: it encodes value by value (a Buffer per string, a BigInt per
 * INT64, a Set of distinct values per column) and concatenates each column chunk onto everything before
 * it; that was half of the transform Lambda's time for one run (docs/benchmarks.md). Its public per-row
 * writer stays here as the reference the tests compare this writer's files with, read back by DuckDB.
 */
import { Writable } from 'node:stream';
import parquet, { type ParquetSchema } from 'parquetjs-lite';
import thrift from 'parquetjs-lite/gen-nodejs/parquet_types.js';
import compression from 'parquetjs-lite/lib/compression.js';
import util from 'parquetjs-lite/lib/util.js';
import type { ColumnBatch, Row } from '../core/columns';
import { type ColumnType, DATASETS, type DatasetName } from '../core/datasets';
import { columnPage, type PhysicalType } from './parquet-pages';

type ConvertedType = 'UTF8' | 'INT_64' | 'TIMESTAMP_MILLIS';

/** How each logical type is stored: the table above, declared once. */
export const PARQUET_TYPES: Readonly<
  Record<ColumnType, { physical: PhysicalType; converted?: ConvertedType }>
> = {
  string: { physical: 'BYTE_ARRAY', converted: 'UTF8' },
  int: { physical: 'INT64', converted: 'INT_64' },
  double: { physical: 'DOUBLE' },
  timestamp: { physical: 'INT64', converted: 'TIMESTAMP_MILLIS' },
  boolean: { physical: 'BOOLEAN' },
};

const MAGIC = Buffer.from('PAR1');
/** `created_by` in the footer: readers use it to know which writer's quirks to expect. */
export const CREATED_BY = 'finance-de-lab parquet-pages';

/** The footer's schema: a root, then one OPTIONAL leaf per column in DATASETS order. */
function schemaElements(dataset: DatasetName): unknown[] {
  const columns = DATASETS[dataset].columns;
  return [
    new thrift.SchemaElement({ name: 'root', num_children: columns.length }),
    ...columns.map((c) => {
      const { physical, converted } = PARQUET_TYPES[c.type];
      return new thrift.SchemaElement({
        name: c.name,
        type: thrift.Type[physical],
        repetition_type: thrift.FieldRepetitionType.OPTIONAL,
        ...(converted ? { converted_type: thrift.ConvertedType[converted] } : {}),
      });
    }),
  ];
}

/** Writes a column batch (exactly the dataset's columns) as one Parquet file in memory. */
export function writeParquet(batch: ColumnBatch): Promise<Uint8Array> {
  return Promise.resolve(encodeParquet(batch));
}

/** The file's bytes: magic, each column's page then its metadata, the footer, its length, magic. */
export function encodeParquet(batch: ColumnBatch): Buffer {
  const columns = DATASETS[batch.dataset].columns;
  const parts: Uint8Array[] = [MAGIC];
  let offset = MAGIC.length;
  const push = (bytes: Uint8Array) => {
    parts.push(bytes);
    offset += bytes.length;
  };
  const chunks: unknown[] = [];
  let uncompressedTotal = 0;
  // A batch of no rows is a file with no row group (what parquetjs-lite writes for no rows).
  if (batch.length > 0) {
    columns.forEach((column, c) => {
      const { physical } = PARQUET_TYPES[column.type];
      const page = columnPage(physical, batch.columns[c]!);
      const compressed = compression.deflate('SNAPPY', page.body);
      const header = util.serializeThrift(
        new thrift.PageHeader({
          type: thrift.PageType.DATA_PAGE,
          uncompressed_page_size: page.body.length,
          compressed_page_size: compressed.length,
          data_page_header: new thrift.DataPageHeader({
            num_values: page.rows,
            encoding: thrift.Encoding.PLAIN,
            definition_level_encoding: thrift.Encoding.RLE,
            repetition_level_encoding: thrift.Encoding.RLE,
          }),
        }),
      );
      const dataPageOffset = offset;
      push(header);
      push(compressed);
      const uncompressed = header.length + page.body.length;
      uncompressedTotal += uncompressed;
      const meta = new thrift.ColumnMetaData({
        type: thrift.Type[physical],
        encodings: [thrift.Encoding.PLAIN, thrift.Encoding.RLE],
        path_in_schema: [column.name],
        codec: thrift.CompressionCodec.SNAPPY,
        num_values: page.rows,
        total_uncompressed_size: uncompressed,
        total_compressed_size: header.length + compressed.length,
        data_page_offset: dataPageOffset,
        statistics: new thrift.Statistics({
          null_count: page.nulls,
          ...(page.min && page.max
            ? { min_value: Buffer.from(page.min), max_value: Buffer.from(page.max) }
            : {}),
        }),
      });
      // The column's metadata also follows its data (where file_offset points), as parquetjs-lite writes it.
      const fileOffset = offset;
      push(util.serializeThrift(meta));
      chunks.push(new thrift.ColumnChunk({ file_offset: fileOffset, meta_data: meta }));
    });
  }
  const footer = util.serializeThrift(
    new thrift.FileMetaData({
      version: 1,
      schema: schemaElements(batch.dataset),
      num_rows: batch.length,
      row_groups:
        batch.length > 0
          ? [
              new thrift.RowGroup({
                columns: chunks,
                total_byte_size: uncompressedTotal,
                num_rows: batch.length,
              }),
            ]
          : [],
      created_by: CREATED_BY,
    }),
  );
  push(footer);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(footer.length);
  push(length);
  push(MAGIC);
  return Buffer.concat(parts, offset);
}

/** A Writable that keeps what it is given, so the reference file never touches the disk. */
class MemorySink extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    callback();
  }
}

/** The dataset's schema in parquetjs-lite's terms (its type names are the converted type, else the physical). */
function parquetjsSchema(dataset: DatasetName): ParquetSchema {
  const fields: Record<string, { type: string; optional: true; compression: 'SNAPPY' }> = {};
  for (const c of DATASETS[dataset].columns) {
    const { physical, converted } = PARQUET_TYPES[c.type];
    fields[c.name] = { type: converted ?? physical, optional: true, compression: 'SNAPPY' };
  }
  return new parquet.ParquetSchema(fields);
}

/**
 * The same rows through parquetjs-lite's public per-row writer: the reference the tests read back next to
 * writeParquet's file. Timestamps may be Dates or epoch ms (the library takes both).
 */
export async function writeParquetRowByRow(dataset: DatasetName, rows: readonly Row[]): Promise<Uint8Array> {
  const sink = new MemorySink();
  const writer = await parquet.ParquetWriter.openStream(parquetjsSchema(dataset), sink, {
    useDataPageV2: false,
    rowGroupSize: Math.max(1, rows.length),
    pageSize: Math.max(1, rows.length),
  });
  for (const row of rows) await writer.appendRow(row);
  await writer.close();
  return Buffer.concat(sink.chunks);
}
