/**
 * The lake's Parquet writer: one file per batch, in memory. The transform Lambda and `fdl reprocess`
 * both write with it, so a rebuilt file is written by the same code as the Lambda's. Its physical
 * schema is the one DuckDB's own writer produces for the same types (the tests' reference,
 * test/lambdas/parquet.test.ts; DuckDB also annotates timestamps with a logical type, docs/parquet.md):
 *
 * | logical   | Parquet physical / converted type | DuckDB reads | Snowflake reads        |
 * |-----------|-----------------------------------|--------------|------------------------|
 * | string    | BYTE_ARRAY / UTF8                 | VARCHAR      | VARCHAR                |
 * | int       | INT64 / INT_64                    | BIGINT       | NUMBER(38,0)           |
 * | double    | DOUBLE                            | DOUBLE       | FLOAT                  |
 * | timestamp | INT64 / TIMESTAMP_MILLIS (UTC ms) | TIMESTAMP    | TIMESTAMP_NTZ (UTC)    |
 * | boolean   | BOOLEAN                           | BOOLEAN      | BOOLEAN                |
 *
 * Choices, for Snowflake and for identity with DuckDB's writer:
 * - INT64 for ints: one type for every int column keeps the derivations simple and matches DuckDB's
 *   BIGINT. Values are safe integers (cast.ts), encoded exactly.
 * - TIMESTAMP_MILLIS, never INT96 (deprecated; Snowflake and DuckDB misread it without flags).
 * - Every column OPTIONAL, even required ones, as DuckDB's COPY writes them whatever the table's NOT
 *   NULL constraints: files of either stay one schema. Required-ness is enforced before the
 *   file (the transform rejects the row) and after it (NOT NULL in the warehouse DDL).
 * - One row group, one V1 data page per column, PLAIN values. V1 pages because Snowflake's reader
 *   rejected parquetjs-lite's V2 pages.
 * - Snappy on every page it shrinks by at least a tenth; the others are stored UNCOMPRESSED
 *   (compressPage below).
 *
 * Who writes what: the page bytes (levels, values, min/max) come from parquet-pages.ts, straight from
 * the transform's column batch. The Thrift compact encoding of page headers and the footer come from
 * hyparquet-writer (pinned exactly in package.json), the maintained writer of the hyparquet project; its
 * footer also declares each column's sort order and truncates long string bounds. Snappy comes from
 * hysnappy (pinned too), the same project's Snappy compiled to WebAssembly: V8 compiles WebAssembly to
 * machine code before its first call, where a JavaScript Snappy (snappyjs, used before) starts in V8's
 * interpreter and is optimised only once it is hot, which is most of a cold Lambda's run. Over one run's
 * pages hysnappy was faster both in a fresh process and warm (bench/parquet-codec.ts, docs/parquet.md).
 * Why not a library's whole writer: parquetjs-lite's encodes value by value (a Buffer per string, a BigInt
 * per INT64, a Set of distinct values per column) and concatenates each column chunk onto everything
 * before it: half of the transform Lambda's time for one run (docs/parquet.md). hyparquet-writer's own
 * writer chooses encodings and dictionaries per column and writes V2 data pages, which Snowflake's reader
 * has refused from parquetjs-lite. The tests read these files back
 * with DuckDB and hyparquet, next to parquetjs-lite's per-row writer (test/support/parquetjs-reference.ts).
 */
import type { ColumnChunk, SchemaElement, Statistics } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { snappyCompressor } from 'hysnappy';
import packageJson from '../../package.json' with { type: 'json' };
import type { ColumnBatch } from '../core/columns';
import { type ColumnType, DATASETS, type DatasetName } from '../core/datasets';
import { columnPage, type PhysicalType, varint } from './parquet-pages';

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

const MAGIC = new TextEncoder().encode('PAR1');
/**
 * `created_by` in the footer, in the conventional `<application> version <x.y.z>` form: readers parse it
 * to decide which writer's known bugs to work around, and it lets a bad release's files be found later.
 */
export const CREATED_BY = `finance-de-lab version ${packageJson.version}`;
/**
 * String min/max longer than this are truncated in the footer (a shorter bound that still holds, marked
 * inexact): a footer should not carry whole comment bodies. 64 bytes is parquet-mr's default for the
 * same purpose; ids, symbols and names fit whole.
 */
export const STATISTICS_TRUNCATE_BYTES = 64;

/**
 * A page is Snappy-compressed only if that saves at least one byte in this many. Snappy has no entropy
 * coding, so text of few distinct symbols with no repeats (record_id: 64 hex digits per row, about 1 MB
 * per 15,000 tickers) and random doubles barely shrink. In one 10-minute run such pages are a third of
 * the bytes and over half of the time Snappy would take over every page, for almost nothing
 * (bench/parquet-codec.ts); they are stored UNCOMPRESSED. The codec is a property of each column chunk
 * in the Parquet format (ColumnMetaData.codec), so one file may hold both and a reader decompresses
 * chunk by chunk.
 */
export const SNAPPY_MIN_SAVING_ONE_IN = 10;
/**
 * How much of a page is compressed to judge whether Snappy pays: a page's head is like its rest. Small,
 * because on a page that does not pay (a 10-minute run's record_id and its incompressible double pages)
 * the probe is all the work Snappy does, for nothing; on a page that pays it costs only the join's copy,
 * its output being kept as the start of the page's block (joinSnappy).
 */
export const SNAPPY_PROBE_BYTES = 16 * 1024;

export type PageCodec = 'SNAPPY' | 'UNCOMPRESSED';

/**
 * The longest Snappy output for `n` input bytes (the format's own bound, which hysnappy sizes its output
 * by): the writer reserves this much per page up front.
 */
export const snappyBound = (n: number): number => 32 + n + Math.floor(n / 6);

/**
 * Pages larger than this are stored uncompressed. hysnappy holds a page and its output side by side in
 * one WebAssembly memory, which cannot pass 4 GiB, so it cannot compress a page much over 1.9 GB at
 * all; 1 GiB stays well inside that (a 10-minute batch's pages are megabytes).
 */
export const SNAPPY_MAX_PAGE_BYTES = 2 ** 30;

/** Snappy compression of a whole input, as hysnappy's compressor gives it. */
export type Compressor = (input: Uint8Array) => Uint8Array;

/** Where a Snappy block's elements start: after its preamble, the uncompressed length as a varint. */
function snappyPreambleLength(block: Uint8Array): number {
  let i = 0;
  while (block[i]! >= 0x80) i++;
  return i + 1;
}

/**
 * One Snappy block of `first`'s input followed by `second`'s, from their two blocks. A block is a varint
 * of its uncompressed length, then literal and copy elements; a copy reaches back by an offset into what
 * the block has decoded so far, and a block's copies reach only into its own input. So `second`'s
 * elements, placed after `first`'s, decode to `second`'s input at the same offsets: the joined block is
 * the two element runs under one preamble of the summed length. (A copy in the second part cannot reach
 * into the first: over one run's pages bench/parquet-codec.ts printed 3.10 MB stored before this and
 * after, in docs/benchmarks.md at cd9fc45 and since.)
 */
export function joinSnappy(first: Uint8Array, second: Uint8Array, length: number): Uint8Array {
  const a = snappyPreambleLength(first);
  const b = snappyPreambleLength(second);
  const preamble = varint(length);
  const out = new Uint8Array(preamble.length + first.length - a + second.length - b);
  out.set(preamble);
  out.set(first.subarray(a), preamble.length);
  out.set(second.subarray(b), preamble.length + first.length - a);
  return out;
}

/**
 * A page body as stored: Snappy when that shrinks the page's head enough (above), else as it is. The
 * head's output is kept and the rest compressed on its own, then joined (joinSnappy): every byte of a
 * page that pays goes through Snappy once.
 *
 * `snappy` is one hysnappy instance (one WebAssembly memory, grown to about 2.2× the largest page it has
 * seen and never shrunk, dropped with the instance; each call returns a copy of its output, so a result
 * stays valid after the next call). hysnappy keeps its match table from call to call: every match is checked byte for byte, so the
 * output always decodes to its input, but which matches are found, and so the bytes, depend on what the
 * instance compressed before. encodeParquet makes one instance per file, which makes a file's bytes a
 * function of its batch alone; a call without one gets a fresh instance.
 */
export function compressPage(
  body: Uint8Array,
  snappy: Compressor = snappyCompressor(),
): { codec: PageCodec; bytes: Uint8Array } {
  if (body.length > SNAPPY_MAX_PAGE_BYTES) return { codec: 'UNCOMPRESSED', bytes: body };
  const whole = body.length <= SNAPPY_PROBE_BYTES;
  const probe = whole ? body : body.subarray(0, SNAPPY_PROBE_BYTES);
  const probed = snappy(probe);
  // In integers: a float threshold (length × 0.9) is inexact for most lengths.
  if ((probe.length - probed.length) * SNAPPY_MIN_SAVING_ONE_IN < probe.length)
    return { codec: 'UNCOMPRESSED', bytes: body };
  if (whole) return { codec: 'SNAPPY', bytes: probed };
  return { codec: 'SNAPPY', bytes: joinSnappy(probed, snappy(body.subarray(probe.length)), body.length) };
}

/** The footer's schema: a root, then one OPTIONAL leaf per column in DATASETS order. */
function schemaElements(dataset: DatasetName): SchemaElement[] {
  const columns = DATASETS[dataset].columns;
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map((c): SchemaElement => {
      const { physical, converted } = PARQUET_TYPES[c.type];
      return {
        name: c.name,
        type: physical,
        repetition_type: 'OPTIONAL',
        ...(converted ? { converted_type: converted } : {}),
      };
    }),
  ];
}

/** Writes a column batch (exactly the dataset's columns) as one Parquet file in memory. */
export async function writeParquet(batch: ColumnBatch): Promise<Uint8Array> {
  return encodeParquet(batch);
}

/**
 * The largest page body this writer produces: page sizes are Thrift i32 fields, so a page of 2^31 bytes
 * or more cannot be described (the encoder would wrap the number and write a corrupt file). A 10-minute
 * batch is a few MB, in the Lambda and in `fdl reprocess` alike (one file per dataset per run); reprocess
 * reports a run that exceeds this as not written and goes on with the others.
 */
export const MAX_PAGE_BYTES = 2 ** 31 - 1;

/** Refuses what would make a corrupt file, naming the column: a short column or an oversized page. */
export function checkPage(column: string, rows: number, batchRows: number, bytes: number): void {
  if (rows !== batchRows)
    throw new RangeError(`column ${column} holds ${rows} values but the batch has ${batchRows} rows`);
  if (bytes > MAX_PAGE_BYTES)
    throw new RangeError(
      `column ${column} needs a ${bytes}-byte page, over Parquet's ${MAX_PAGE_BYTES}; write fewer rows per file`,
    );
}

/**
 * Room for a page header, and for the footer beyond its statistics: both are a few dozen bytes of Thrift
 * (sizes, counts, enums, a column name). Only an estimate: the writer grows if it is short.
 */
const THRIFT_ROOM = 256;

/**
 * The file's bytes: magic, each column's page (header + stored body), the footer, its length, magic.
 * Written into one buffer sized for the whole file up front, so each stored body is copied once and
 * never again (a growing writer would copy the file at every doubling). Sizing it by Snappy's worst case
 * touches no more memory than is written. The price: every column's encoded page stays alive until the
 * file is done (its size is part of the estimate), a few MB for a 10-minute batch.
 */
export function encodeParquet(batch: ColumnBatch): Uint8Array {
  const columns = DATASETS[batch.dataset].columns;
  // A batch of no rows is a file with no row group (readers take it as the schema and no rows).
  const pages =
    batch.length === 0
      ? []
      : columns.map((column, c) => {
          const { physical } = PARQUET_TYPES[column.type];
          const page = columnPage(physical, batch.columns[c]!);
          checkPage(column.name, page.rows, batch.length, page.body.length);
          return { column, physical, page };
        });
  let most = 2 * MAGIC.length + THRIFT_ROOM;
  for (const { page } of pages)
    most += 2 * THRIFT_ROOM + snappyBound(page.body.length) + 2 * STATISTICS_TRUNCATE_BYTES;
  const out = new ByteWriter(most);
  out.appendBytes(MAGIC);
  const chunks: ColumnChunk[] = [];
  let uncompressedTotal = 0;
  // One compressor per file: the same batch gives the same bytes whatever was written before (see
  // compressPage). Made here, not at import: a process that writes no Parquet never compiles it.
  const snappy = snappyCompressor();
  for (const { column, physical, page } of pages) {
    const { codec, bytes: stored } = compressPage(page.body, snappy);
    checkPage(column.name, page.rows, batch.length, stored.length);
    const pageAt = out.offset;
    writePageHeader(out, {
      type: 'DATA_PAGE',
      uncompressed_page_size: page.body.length,
      compressed_page_size: stored.length,
      data_page_header: {
        num_values: page.rows,
        encoding: 'PLAIN',
        definition_level_encoding: 'RLE',
        repetition_level_encoding: 'RLE',
      },
    });
    const header = out.offset - pageAt;
    out.appendBytes(stored);
    const uncompressed = header + page.body.length;
    uncompressedTotal += uncompressed;
    const statistics: Statistics = { null_count: BigInt(page.nulls) };
    if (page.min !== undefined && page.max !== undefined) {
      statistics.min_value = page.min;
      statistics.max_value = page.max;
    }
    chunks.push({
      file_offset: BigInt(pageAt),
      meta_data: {
        type: physical,
        encodings: ['PLAIN', 'RLE'],
        path_in_schema: [column.name],
        codec,
        num_values: BigInt(page.rows),
        total_uncompressed_size: BigInt(uncompressed),
        total_compressed_size: BigInt(header + stored.length),
        data_page_offset: BigInt(pageAt),
        statistics,
      },
    });
  }
  // The footer's Thrift, then its 4-byte length (writeMetadata appends both).
  writeMetadata(
    out,
    {
      version: 1,
      schema: schemaElements(batch.dataset),
      num_rows: BigInt(batch.length),
      row_groups:
        batch.length > 0
          ? [{ columns: chunks, total_byte_size: BigInt(uncompressedTotal), num_rows: BigInt(batch.length) }]
          : [],
      created_by: CREATED_BY,
      // Not written: hyparquet's reader fills it from the file.
      metadata_length: 0,
    },
    STATISTICS_TRUNCATE_BYTES,
  );
  out.appendBytes(MAGIC);
  return out.getBytes();
}
