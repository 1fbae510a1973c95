/**
 * A reference Parquet writer for the tests: DuckDB's own `COPY … TO (FORMAT parquet)` over a column
 * batch (lambdas/core/columns.ts), so test/lambdas/parquet.test.ts can compare the pipeline's writer
 * (lambdas/adapters/parquet.ts) with a widely used native one, schema and rows. Test-only and kept
 * simple: every cell crosses into DuckDB through its appender, nothing is optimised.
 *
 * Number columns arrive as Float64Arrays with NaN for null; they are staged as DOUBLE and the COPY's
 * SELECT turns NaN into NULL and casts to the file type.
 */
import { DuckDBDataChunk, DuckDBInstance, type DuckDBVector } from '@duckdb/node-api';
import { type ColumnBatch, storedAt } from '../../lambdas/core/columns';
import { type ColumnType, DATASETS } from '../../lambdas/core/datasets';

const nanAsNull = (c: string) => `CASE WHEN isnan(${c}) THEN NULL ELSE ${c} END`;

/**
 * What each logical type is staged as, and how the COPY turns it into the file's type: BIGINT is
 * INT64/INT_64 and TIMESTAMP_MS is INT64/TIMESTAMP_MILLIS in DuckDB's Parquet, the pipeline's types
 * (PARQUET_TYPES in lambdas/adapters/parquet.ts). The warehouse's TIMESTAMP (sql/ddl.ts) is microseconds.
 */
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

/** Writes `batch` to `filePath` with DuckDB's Parquet writer (Snappy, DuckDB's defaults otherwise). */
export async function writeParquetWithDuckDb(batch: ColumnBatch, filePath: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const columns = DATASETS[batch.dataset].columns;
    await connection.run(
      `CREATE TABLE stage (${columns.map((c) => `${quoteIdent(c.name)} ${STAGED[c.type].type}`).join(', ')})`,
    );
    const appender = await connection.createAppender('stage');
    const types = columns.map((_, i) => appender.columnType(i));
    for (let start = 0; start < batch.length; start += CHUNK_ROWS) {
      const end = Math.min(batch.length, start + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create(types, end - start);
      columns.forEach((_, c) => {
        const vector = chunk.getColumnVector(c) as DuckDBVector<number | string | boolean>;
        const values = batch.columns[c]!;
        for (let r = start; r < end; r++) vector.setItem(r - start, storedAt(values, r));
        vector.flush();
      });
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
    const select = columns.map(
      (c) => `${STAGED[c.type].toFile(quoteIdent(c.name))} AS ${quoteIdent(c.name)}`,
    );
    await connection.run(
      `COPY (SELECT ${select.join(', ')} FROM stage) TO '${filePath.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy)`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
