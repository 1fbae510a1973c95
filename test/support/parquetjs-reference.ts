/**
 * The reference the Lambda's Parquet writer (lambdas/adapters/parquet.ts) is compared with: the same rows
 * through parquetjs-lite's public per-row writer, the library the Lambda used before. Tests read both
 * files back with DuckDB and expect the same rows and physical schema. Test-only: parquetjs-lite is a
 * devDependency and never reaches a Lambda bundle.
 */
import { Writable } from 'node:stream';
import parquet from 'parquetjs-lite';
import { PARQUET_TYPES } from '../../lambdas/adapters/parquet';
import type { Row } from '../../lambdas/core/columns';
import { DATASETS, type DatasetName } from '../../lambdas/core/datasets';

/** A Writable that keeps what it is given. */
class MemorySink extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    callback();
  }
}

/** Timestamps may be Dates or epoch ms (the library takes both). */
export async function writeParquetRowByRow(dataset: DatasetName, rows: readonly Row[]): Promise<Uint8Array> {
  // parquetjs-lite's type names are the converted type where there is one, else the physical type.
  const fields: Record<string, { type: string; optional: true; compression: 'SNAPPY' }> = {};
  for (const c of DATASETS[dataset].columns) {
    const { physical, converted } = PARQUET_TYPES[c.type];
    fields[c.name] = { type: converted ?? physical, optional: true, compression: 'SNAPPY' };
  }
  const sink = new MemorySink();
  const writer = await parquet.ParquetWriter.openStream(new parquet.ParquetSchema(fields), sink, {
    // One row group and page, V1 pages: the layout of the Lambda's writer.
    useDataPageV2: false,
    rowGroupSize: Math.max(1, rows.length),
    pageSize: Math.max(1, rows.length),
  });
  for (const row of rows) await writer.appendRow(row);
  await writer.close();
  return Buffer.concat(sink.chunks);
}
